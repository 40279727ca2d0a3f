import crypto from 'node:crypto';
import type { Knex } from 'knex';
import QRCode from 'qrcode';
import type { Principal } from '../access/principal';
import { recordAudit, type AuditContext } from '../audit/audit';
import { createCardsService } from '../cards/cards.service';
import { inTransaction } from '../db/transaction';
import { ConflictError, NotFoundError } from '../http/errors';
import type { MailService } from '../mail/mail.service';
import type { NotificationsService } from '../notifications/notifications.service';
import { giveConsent } from '../members/consents';
import { createMembersService, type MembersService } from '../members/members.service';
import { createMemberLogin, unusablePasswordHash } from '../users/member-logins';
import type { PasswordLinksService } from '../users/password-links.service';
import { INPO_PATTERN } from '../shared/inpo';
import { eventDates, type EventDates } from '../shared/event-dates';
import { pruneHits, reserveHit, type SlidingWindow } from '../shared/sliding-window';
import type { OrgRow } from '../registry/org-row';
import type { Category } from '../membership/membership';
import { JOIN_CONSENT_VERSION } from './consent-text';
import { createFormStamps } from './form-stamp';
import {
  admissionsByChild,
  countWaiting,
  deleteClosedOlderThan,
  deleteUnconfirmedOlderThan,
  findApplication,
  findByTokenHash,
  findJoinOrg,
  insertApplication,
  joinChildren,
  listQueue,
  lockApplication,
  markConfirmed,
  searchOpenPpo,
  settleApplication,
  waitingByChild,
  type ApplicationRow,
} from './join.repo';
import type { ApplicationInput } from './join.schemas';
import { CONFIRM_DAYS, confirmationLetter, rejectionLetter, transferLetter } from './letters';

export { countWaiting as countWaitingApplications, admissionsByChild as onlineAdmissionsByChild } from './join.repo';

// Anti-abuse without a captcha (with the form's honeypot and signed fill time, form-stamp.ts): a school's
// Wi-Fi may carry a whole class applying at once, so the address's limit is generous; an e-mail address
// applies a few times a day at most.
export const JOIN_PER_IP: SlidingWindow = {
  bucket: 'join-ip',
  limit: 20,
  windowSeconds: 3600,
  message: (m) => `Слишком много заявлений с вашего адреса. Повторите через ${m} мин.`,
};
export const JOIN_PER_EMAIL: SlidingWindow = {
  bucket: 'join-email',
  limit: 3,
  windowSeconds: 24 * 3600,
  message: (m) =>
    `С этого адреса электронной почты уже подано несколько заявлений. Повторите через ${Math.ceil(m / 60)} ч или проверьте почту: письмо со ссылкой уже отправлено.`,
};

const QUEUE_PAGE = 50;
const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest();
const fullNameOf = (a: { surname: string; name: string; patronymic: string | null }) =>
  [a.surname, a.name, a.patronymic].filter(Boolean).join(' ');

export interface JoinOptions {
  mail: MailService;
  passwordLinks: PasswordLinksService;
  publicUrl: string;
  /** Signs the form's fill-time stamps. */
  secret: string;
  bcryptCost: number;
  dates?: EventDates;
  members?: MembersService;
  /** Tells the ППО's chair of a confirmed application (the home page's list and, by their choice, e-mail). */
  notifications?: NotificationsService;
}

/** The result of an acceptance: the new card, or the cards the person may already have. */
export type AcceptResult =
  | { accepted: true; memberId: number }
  | { accepted: false; duplicates: Awaited<ReturnType<MembersService['duplicatesFor']>> };

/** Online admission (issue 18, items 1 and 2): the public application and the chair's queue. */
export function createJoinService(db: Knex, options: JoinOptions) {
  const dates = options.dates ?? eventDates();
  const members = options.members ?? createMembersService(db, dates);
  const stamps = createFormStamps(options.secret);
  const joinUrl = (inpo: string) => `${options.publicUrl}/join/${inpo}`;

  /** The application of `org`'s queue, or 404 (an id of another organization is not told apart from none). */
  async function applicationOf(org: OrgRow, id: number): Promise<ApplicationRow> {
    const found = await findApplication(db, id);
    if (!found || found.organizationId !== org.id) throw new NotFoundError('Заявление не найдено');
    return found;
  }

  /** Locked for a decision: still waiting, or a conflict (another chair decided it meanwhile). */
  async function waitingLocked(trx: Knex.Transaction, org: OrgRow, id: number): Promise<ApplicationRow> {
    const found = await lockApplication(trx, id);
    if (!found || found.organizationId !== org.id) throw new NotFoundError('Заявление не найдено');
    if (found.status !== 'confirmed') throw new ConflictError('Заявление уже рассмотрено');
    return found;
  }

  async function decisionAudit(trx: Knex, ctx: AuditContext, a: ApplicationRow, action: string, values = {}) {
    await recordAudit(trx, ctx, {
      action,
      entity: 'join_application',
      entityId: a.id,
      organizationId: a.organizationId,
      newValues: values,
    });
  }

  return {
    stamps,
    joinUrl,

    /** The way down to a ППО: the regions, then their territories and open ППО. */
    children: (parentInpo: string | null) => joinChildren(db, parentInpo, 500),
    search: (q: string) => searchOpenPpo(db, q.trim().slice(0, 200), 50),

    /** An organization of /join's pages: 404 when there is none; `open` tells whether it takes applications. */
    async organization(inpo: string) {
      const org = INPO_PATTERN.test(inpo) ? await findJoinOrg(db, inpo) : undefined;
      if (!org) throw new NotFoundError('Организация не найдена');
      return org;
    },

    /** The ППО's application link as a QR code (SVG), for its printable page. */
    async qrSvg(inpo: string): Promise<string> {
      return QRCode.toString(joinUrl(inpo), { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    },

    /**
     * A new application, independent of how it came (the page, the API): counted against the address's and
     * the e-mail's limits (429), saved unconfirmed and a confirmation link mailed, all or nothing.
     */
    async createApplication(
      input: ApplicationInput & { organizationInpo: string },
      meta: { ip: string | null },
    ): Promise<{ id: number; organizationName: string }> {
      const org = INPO_PATTERN.test(input.organizationInpo) ? await findJoinOrg(db, input.organizationInpo) : undefined;
      if (!org?.open) throw new NotFoundError('Организация не принимает заявления онлайн');
      if (meta.ip) await reserveHit(db, JOIN_PER_IP, meta.ip);
      await reserveHit(db, JOIN_PER_EMAIL, input.email);
      const token = crypto.randomBytes(32).toString('base64url');
      const id = await inTransaction(db, async (trx) => {
        const id = await insertApplication(trx, {
          organizationId: org.id,
          surname: input.surname,
          name: input.name,
          patronymic: input.patronymic ?? null,
          sex: input.sex,
          birthDate: input.birthDate,
          email: input.email,
          phone: input.phone ?? null,
          snils: input.snils ?? null,
          category: input.category,
          workplace: input.workplace ?? null,
          position: input.position ?? null,
          consentVersion: JOIN_CONSENT_VERSION,
          mailingConsent: input.consentMailing,
          confirmTokenHash: hashToken(token),
          ip: meta.ip,
        });
        await recordAudit(
          trx,
          { actorUserId: null, requestId: null, ip: meta.ip },
          {
            action: 'join.applied',
            entity: 'join_application',
            entityId: id,
            organizationId: org.id,
            newValues: { actor: 'applicant', consentVersion: JOIN_CONSENT_VERSION, mailing: input.consentMailing },
          },
        );
        await options.mail.send(confirmationLetter(input, org.name, `${options.publicUrl}/join/confirm/${token}`), {
          trx,
        });
        return id;
      });
      return { id, organizationName: org.name };
    },

    /** The application a confirmation link names (still in its week), or 404. */
    async byConfirmLink(token: string): Promise<ApplicationRow> {
      const found = token.length <= 100 ? await findByTokenHash(db, hashToken(token)) : undefined;
      const expired =
        found?.status === 'unconfirmed' && Date.now() - found.createdAt.getTime() > CONFIRM_DAYS * 86400e3;
      if (!found || expired) throw new NotFoundError('Ссылка не найдена или устарела');
      return found;
    },

    /** Confirms the e-mail: the application enters the chair's queue. False when it already had. */
    async confirm(token: string): Promise<{ confirmed: boolean; application: ApplicationRow }> {
      const application = await this.byConfirmLink(token);
      const confirmed = await inTransaction(db, async (trx) => {
        if (!(await markConfirmed(trx, application.id))) return false;
        await options.notifications?.notify(trx, {
          kind: 'application_waiting',
          to: { organizationId: application.organizationId, roles: ['chair'] },
          title: 'Заявление о вступлении в Профсоюз ждёт решения',
          body: `Организация: ${application.organizationName}.`,
          link: `/orgs/${application.organizationInpo}/applications/${application.id}`,
        });
        return true;
      });
      return { confirmed, application };
    },

    /** A page of the queue (with the escalated applications of the ППО below, for a higher organization). */
    async queue(org: OrgRow, after: number | null) {
      const rows = await listQueue(db, org, { after, limit: QUEUE_PAGE + 1 });
      return { rows: rows.slice(0, QUEUE_PAGE), next: rows.length > QUEUE_PAGE ? rows[QUEUE_PAGE - 1]!.id : null };
    },

    /** An application as its page shows it: a read of personal data, audited like a card's view. */
    async application(ctx: AuditContext, org: OrgRow, id: number): Promise<ApplicationRow> {
      const found = await applicationOf(org, id);
      await recordAudit(db, ctx, {
        action: 'join.viewed',
        entity: 'join_application',
        entityId: found.id,
        organizationId: found.organizationId,
      });
      return found;
    },

    /**
     * Accepts an application in one transaction: the member card with its «admitted» event on today's date
     * (the members service's admission: history, audit, counters), the consents as given with their text's
     * version, the union card's request, and a `member` login linked to the card with its invitation. Unless
     * the chair has said it is another person, the duplicate check runs first; matches are returned instead.
     */
    async accept(principal: Principal, ctx: AuditContext, org: OrgRow, id: number, notDuplicate: boolean) {
      const a = await applicationOf(org, id);
      if (a.status !== 'confirmed') throw new ConflictError('Заявление уже рассмотрено');
      if (!notDuplicate) {
        const probe = {
          surname: a.surname,
          name: a.name,
          birthDate: a.birthDate,
          snils: a.snils,
          phone: a.phone,
          email: a.email,
        };
        const duplicates = await members.duplicatesFor(principal, ctx, probe, 'join');
        if (duplicates.visible.length || duplicates.elsewhere) return { accepted: false, duplicates } as AcceptResult;
      }
      const unusable = await unusablePasswordHash(options.bcryptCost);
      const memberId = await inTransaction(db, async (trx) => {
        const app = await waitingLocked(trx, org, id);
        const today = dates.today();
        const memberId = await createMembersService(trx, dates).admit(principal, ctx, {
          surname: app.surname,
          name: app.name,
          patronymic: app.patronymic,
          sex: app.sex,
          birthDate: app.birthDate,
          phone: app.phone,
          email: app.email,
          snils: app.snils,
          position: app.position,
          professionalGroup: null,
          studyForm: null,
          studyYear: null,
          category: app.category as Category,
          isPedagogical: false,
          organizationInpo: org.inpo,
          joinedOn: today,
          documentNumber: `онлайн-заявление № ${app.id}`,
          documentDate: null,
          notDuplicate: true,
        });
        const consent = { textVersion: app.consentVersion, source: 'online' as const, on: today };
        await giveConsent(trx, ctx, memberId, { kind: 'processing', channel: null, ...consent }, dates);
        if (app.mailingConsent)
          await giveConsent(trx, ctx, memberId, { kind: 'mailing', channel: 'email', ...consent }, dates);
        await createCardsService(trx, dates).request(principal, ctx, memberId, 'plastic', today);
        const actor = { ...ctx, actorUserId: principal.id };
        await createMemberLogin(
          trx,
          actor,
          { links: options.passwordLinks, mail: options.mail },
          {
            id: memberId,
            fullName: fullNameOf(app),
            email: app.email,
            organizationId: org.id,
            organizationInpo: org.inpo,
          },
          unusable,
        );
        await settleApplication(trx, app.id, { status: 'accepted', by: principal.id, memberId });
        await decisionAudit(trx, ctx, app, 'join.accepted', { memberId });
        return memberId;
      });
      return { accepted: true, memberId } as AcceptResult;
    },

    /** Rejects with a reason, which the applicant receives by e-mail. */
    async reject(principal: Principal, ctx: AuditContext, org: OrgRow, id: number, reason: string) {
      await inTransaction(db, async (trx) => {
        const app = await waitingLocked(trx, org, id);
        await settleApplication(trx, app.id, { status: 'rejected', by: principal.id, reason });
        await decisionAudit(trx, ctx, app, 'join.rejected', { reason });
        await options.mail.send(rejectionLetter(app, app.organizationName, reason), { trx });
      });
    },

    /** The person is a member elsewhere: the application closes and the applicant learns how a transfer goes. */
    async routeToTransfer(principal: Principal, ctx: AuditContext, org: OrgRow, id: number) {
      await inTransaction(db, async (trx) => {
        const app = await waitingLocked(trx, org, id);
        await settleApplication(trx, app.id, { status: 'transfer', by: principal.id });
        await decisionAudit(trx, ctx, app, 'join.routed_to_transfer');
        await options.mail.send(transferLetter(app, app.organizationName), { trx });
      });
    },

    /** Confirmed applications waiting at the organization (the chair's home page). */
    waitingCount: (organizationId: number) => countWaiting(db, organizationId),
    /** Online admissions by child organization in a period (monitoring). */
    admissionsByChild: (parent: { path: string }, from: string, to: string) => admissionsByChild(db, parent, from, to),
    /** Confirmed applications not decided yet, by child organization (monitoring). */
    waitingByChild: (parent: { path: string }) => waitingByChild(db, parent),
  };
}

/** How long a rejected application (or one sent to a transfer) is kept: the applicant may ask about it. */
const CLOSED_KEPT_DAYS = 365;

/**
 * Rate-limit rows past their windows, applications nobody confirmed in their week and the personal data of
 * refused ones after a year (hourly housekeeping). Accepted ones stay: the monitoring counts them.
 */
export async function pruneJoin(db: Knex): Promise<void> {
  await pruneHits(db, [JOIN_PER_IP, JOIN_PER_EMAIL]);
  await deleteUnconfirmedOlderThan(db, CONFIRM_DAYS);
  await deleteClosedOlderThan(db, CLOSED_KEPT_DAYS);
}

export type JoinService = ReturnType<typeof createJoinService>;
