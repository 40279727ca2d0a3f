import type { Knex } from 'knex';
import { recordAudit, type AuditContext } from '../audit/audit';
import type { CardCheckService } from '../cards/card-check.service';
import { LIVE_STATUSES } from '../cards/card-statuses';
import { inTransaction } from '../db/transaction';
import { NotFoundError, ValidationError } from '../http/errors';
import { maskEmail, maskPhone } from '../members/contact-masks';
import type { createMembersService } from '../members/members.service';
import type { NotificationsService } from '../notifications/notifications.service';
import type { EventDates } from '../shared/event-dates';
import { formatDate, fullName } from '../shared/format';
import { requestsOfMember, hasPendingLeave, insertMemberRequest } from './member-requests.repo';
import { findMember, findOwnPrimary, ownPrimaryOf } from './me.repo';
import {
  CORRECTED_FIELDS,
  NAME_FIELDS,
  type Changes,
  type CorrectionInput,
  type LeaveInput,
  type OwnConsentInput,
} from './me.schemas';
import { ownRows } from './own-data.repo';
import { renderOwnDataPdf } from './own-data-pdf';

/** The text version of the consents a member gives again online when none was given before (as the card form's default). */
export const CURRENT_CONSENT_TEXT_VERSION = '2025-1';

/** Every kind and channel of consent a member may hold, in the order the account lists them. */
export const CONSENT_SLOTS = [
  { kind: 'processing', channel: null },
  { kind: 'mailing', channel: 'email' },
  { kind: 'mailing', channel: 'sms' },
  { kind: 'mailing', channel: 'push' },
] as const;

/** The member's own act: the row names their login and says the member acted (as an unsubscribe link's does). */
const asMember = (ctx: AuditContext): AuditContext => ({ ...ctx, extra: { ...ctx.extra, actor: 'member' } });

type MembersService = ReturnType<typeof createMembersService>;
type NameParts = { surname: string; name: string; patronymic: string | null };

const fieldError = (field: string, message: string) => new ValidationError([{ field, message }]);

/**
 * The member's personal account (issue 18, item 3): every method takes the card's id and returns plain
 * data, so the pages (/me) and the API (/api/v1/me…) share it. Who the member is comes from their login
 * (Principal.memberId); nothing here reads a request.
 */
export function createMeService(
  db: Knex,
  deps: {
    members: MembersService;
    cardCheck: Pick<CardCheckService, 'checkCodesOf'>;
    dates: EventDates;
    notify?: NotificationsService['notify'];
  },
) {
  const { members, cardCheck, dates, notify } = deps;

  /** The chair of the member's ППО hears of a new request, in the transaction that records it. */
  async function tellChair(trx: Knex, member: { organizationPath: string } & NameParts, what: string, body: string) {
    const ppo = await ownPrimaryOf(trx, member.organizationPath);
    if (!ppo) return;
    await notify?.(trx, {
      kind: 'member_request_received',
      to: { organizationId: ppo.id, roles: ['chair'] },
      title: `${fullName(member)}: ${what}`,
      body,
      link: `/orgs/${ppo.inpo}/corrections`,
    });
  }

  async function cardOf(memberId: number) {
    const member = await findMember(db, memberId);
    if (!member) throw new NotFoundError('Карточка не найдена');
    return member;
  }

  return {
    cardOf,

    /** Everything the account's page shows, read-audited like any view of a card. */
    async overview(ctx: AuditContext, memberId: number) {
      const member = await cardOf(memberId);
      await recordAudit(db, asMember(ctx), {
        action: 'member.viewed',
        entity: 'member',
        entityId: member.id,
        organizationId: member.organizationId,
      });
      const [organization, details, requests] = await Promise.all([
        findOwnPrimary(db, member.organizationPath),
        members.cardDetails(member.id, ['timeline', 'cards', 'pendingTransfer', 'consents', 'posts']),
        requestsOfMember(db, member.id),
      ]);
      const checkCodes = cardCheck.checkCodesOf(details.cards.filter((c) => LIVE_STATUSES.includes(c.status)));
      const active = details.consents.filter((c) => !c.withdrawnOn);
      return {
        member,
        // contacts masked on the page, where a screen is easily seen by others; the download gives them whole
        masked: { phone: maskPhone(member.phone), email: maskEmail(member.email) },
        organization,
        ...details,
        checkCodes,
        /** The kinds and channels without an active consent: the member may give them (again). */
        missingConsents: CONSENT_SLOTS.filter(
          (s) => !active.some((c) => c.kind === s.kind && (c.channel ?? null) === s.channel),
        ),
        requests,
        pendingLeave: requests.some((r) => r.kind === 'leave' && r.status === 'pending'),
      };
    },

    /** The member withdraws one of their active consents, today. */
    async withdrawConsent(ctx: AuditContext, memberId: number, consentId: number) {
      const member = await cardOf(memberId);
      await members.withdrawConsent(asMember(ctx), member, consentId, dates.today());
    },

    /** The member gives a consent (again), online, today, with the text version they last agreed to. */
    async giveConsent(ctx: AuditContext, memberId: number, input: OwnConsentInput) {
      const member = await cardOf(memberId);
      if (member.leftOn) throw fieldError('kind', 'Вы выбыли из Профсоюза: согласие оформляется при повторном приёме');
      const channel = input.kind === 'mailing' ? (input.channel ?? null) : null;
      if (input.kind === 'mailing' && !channel) throw fieldError('channel', 'Для рассылок укажите канал');
      const { consents } = await members.cardDetails(member.id, ['consents']);
      const last = consents.find((c) => c.kind === input.kind && (c.channel ?? null) === channel);
      await members.giveConsent(asMember(ctx), member.id, {
        kind: input.kind,
        channel,
        textVersion: last?.textVersion ?? CURRENT_CONSENT_TEXT_VERSION,
        source: 'online',
        on: dates.today(),
      });
    },

    /** A proposal to correct the card: what differs from it now; nothing on the card changes until approved. */
    async proposeCorrection(ctx: AuditContext, memberId: number, input: CorrectionInput): Promise<number> {
      const member = await cardOf(memberId);
      if (member.leftOn) throw fieldError('form', 'Вы выбыли из Профсоюза: исправления вносит организация');
      const changes: Changes = {};
      for (const field of CORRECTED_FIELDS) {
        const proposed = input[field] ?? null;
        if (proposed !== (member[field] ?? null)) changes[field] = proposed;
      }
      if (!Object.keys(changes).length) throw fieldError('form', 'Вы ничего не изменили');
      const renamed = NAME_FIELDS.some((f) => f in changes);
      if (renamed && !input.nameReason)
        throw fieldError('nameReason', 'Укажите причину смены ФИО (например, вступление в брак)');
      return inTransaction(db, async (trx) => {
        const requestId = await insertMemberRequest(trx, {
          memberId: member.id,
          kind: 'correction',
          changes,
          reason: renamed ? input.nameReason : null,
          leaveOn: null,
          proposedBy: ctx.actorUserId,
        });
        await recordAudit(trx, asMember(ctx), {
          action: 'member.correction_proposed',
          entity: 'member',
          entityId: member.id,
          organizationId: member.organizationId,
          newValues: { requestId, ...changes, ...(renamed ? { reason: input.nameReason } : {}) },
        });
        await tellChair(
          trx,
          member,
          'исправление данных',
          'Примите или отклоните исправление: карточка изменится после вашего решения.',
        );
        return requestId;
      });
    },

    /** A request to leave the union on a date, with the member's reason; the chair records the exit on approval. */
    async requestLeave(ctx: AuditContext, memberId: number, input: LeaveInput): Promise<number> {
      const member = await cardOf(memberId);
      if (member.leftOn) throw fieldError('reason', 'Вы уже выбыли из Профсоюза');
      if (input.on < dates.today()) throw fieldError('on', 'Дата выхода — не раньше сегодняшнего дня');
      dates.check('on', input.on, []);
      if (await hasPendingLeave(db, member.id))
        throw fieldError('reason', 'Заявление о выходе уже подано и ждёт решения организации');
      return inTransaction(db, async (trx) => {
        const requestId = await insertMemberRequest(trx, {
          memberId: member.id,
          kind: 'leave',
          changes: {},
          reason: input.reason,
          leaveOn: input.on,
          proposedBy: ctx.actorUserId,
        });
        await recordAudit(trx, asMember(ctx), {
          action: 'member.leave_requested',
          entity: 'member',
          entityId: member.id,
          organizationId: member.organizationId,
          newValues: { requestId, reason: input.reason, on: input.on },
        });
        await tellChair(
          trx,
          member,
          'заявление о выходе из Профсоюза',
          `С ${formatDate(input.on)}. Причина: ${input.reason}`,
        );
        return requestId;
      });
    },

    /**
     * Everything the registry holds about the person (152-ФЗ art. 14), table by table. The download is
     * audited first, in the same transaction, so the file lists its own audit row too.
     */
    async ownData(ctx: AuditContext, memberId: number, format: 'json' | 'pdf' = 'json') {
      const member = await cardOf(memberId);
      return inTransaction(db, async (trx) => {
        await recordAudit(trx, asMember(ctx), {
          action: 'member.own_data_exported',
          entity: 'member',
          entityId: member.id,
          organizationId: member.organizationId,
          newValues: { format },
        });
        return { generatedAt: new Date().toISOString(), memberId: member.id, tables: await ownRows(trx, member.id) };
      });
    },

    /** The same as a PDF (DejaVu Sans embedded), for a person who reads rather than parses it. */
    async ownDataPdf(ctx: AuditContext, memberId: number): Promise<Buffer> {
      const data = await this.ownData(ctx, memberId, 'pdf');
      const member = data.tables.members!.find((m) => Number(m.id) === memberId)!;
      return renderOwnDataPdf(member, data.tables, data.generatedAt);
    },
  };
}

export type MeService = ReturnType<typeof createMeService>;
