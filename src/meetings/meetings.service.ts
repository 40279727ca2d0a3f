import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { recordAudit, type AuditContext } from '../audit/audit';
import { CARD_STATUS_LABELS } from '../cards/card-statuses';
import { inTransaction } from '../db/transaction';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from '../http/errors';
import type { MailService } from '../mail/mail.service';
import type { OrgRow } from '../registry/org-row';
import { startOfDay } from '../shared/dates';
import { formatDate, formatDateTime } from '../shared/format';
import { parseId } from '../shared/numbers';
import { pruneHits, reserveHit, type SlidingWindow } from '../shared/sliding-window';
import type { TemplatesService } from '../templates/templates.service';
import {
  addMembersAsParticipants,
  agendaOf,
  cancelMeeting,
  cardForScan,
  chairNameOf,
  countCodeFailure,
  findMeeting,
  findRemoteLink,
  insertAgendaItems,
  insertMeeting,
  inviteByCards,
  linkMembershipEvents,
  listMeetings,
  membershipDecisionsFor,
  minutesOf,
  participantsOf,
  registerParticipant,
  remoteLinkExpiries,
  removeInvited,
  replaceUndecidedAgenda,
  revokeRemoteLinks,
  saveDecision,
  setMeetingStatus,
  setRemoteCodes,
  storeMinutes,
  updateMeeting,
  type AgendaItem,
  type MeetingRow,
} from './meetings.repo';
import { BODY_LABELS, quorumNeeded, quorumText, type MeetingForm } from './meetings.schemas';

/** A remote participant's personal link and code work this long after the letter, and survive this many wrong codes. */
export const REMOTE_CODE_HOURS = 24;
export const REMOTE_CODE_ATTEMPTS = 5;
/** Codes tried from one address: a guesser with many links is stopped by the address. */
export const REMOTE_CODE_WINDOW: SlidingWindow = {
  bucket: 'meeting-code',
  limit: 20,
  windowSeconds: 15 * 60,
  message: (minutes) => `Слишком много попыток ввести код. Попробуйте через ${minutes} мин.`,
};

/** The hourly housekeeping forgets the remote codes' tries older than their window. */
export async function pruneMeetingHits(db: Knex): Promise<void> {
  await pruneHits(db, [REMOTE_CODE_WINDOW]);
}

export type { MeetingRow };

/** Participants per page of a meeting's list, and the unregistered ones a manual registration offers at once. */
export const PARTICIPANTS_PAGE = 100;
const CHOICES_LIMIT = 50;

/** The levels whose meetings may be of all members; above them a conference or plenum of delegates meets. */
const MEMBERS_MEETING_LEVELS: OrgRow['level'][] = ['primary', 'subdivision', 'group'];
const MEMBERS_MEETING_REFUSAL =
  'Собрание всех членов проводится в первичной организации, подразделении или группе; на более высоком уровне пригласите делегатов';

const sha256 = (value: string) => crypto.createHash('sha256').update(value).digest();

/** The quorum of a meeting as its pages show it: participants, registered, needed, and whether it is reached. */
export function quorumOf(
  m: Pick<MeetingRow, 'participantCount' | 'registeredCount' | 'quorumNum' | 'quorumDen' | 'quorumStrict'>,
) {
  const needed = quorumNeeded(m.participantCount, m);
  return {
    participants: m.participantCount,
    registered: m.registeredCount,
    needed,
    reached: m.participantCount > 0 && m.registeredCount >= needed,
    rule: quorumText(m),
  };
}
export type Quorum = ReturnType<typeof quorumOf>;

/** What a scan answered: the participant registered, or why not (a Russian sentence for the chair). */
export type ScanOutcome = { ok: true; name: string; quorum: Quorum } | { ok: false; reason: string; quorum: Quorum };

/** A scanner types the card's number, or the address of its QR code (`…/card/{token}`). */
function scannedCard(text: string): { number: string } | { token: string } {
  const token = /\/card\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/i.exec(text)?.[1];
  return token ? { token: token.toLowerCase() } : { number: text.trim() };
}

/** Why a meeting takes no registration now: a cancelled one says its reason. */
const notOpenReason = (m: Pick<MeetingRow, 'status' | 'cancelReason'>) =>
  m.status === 'cancelled'
    ? `Собрание отменено: ${m.cancelReason}. Регистрация не ведётся`
    : 'Регистрация идёт только на открытом собрании';

/** «01.12.2026, 15:00» — the date and, when set, the time a meeting starts. */
const whenText = (m: Pick<MeetingRow, 'heldOn' | 'startsAt'>) =>
  `${formatDate(m.heldOn)}${m.startsAt ? `, ${m.startsAt}` : ''}`;

/**
 * The instant a personal link must still work at for the meeting: its start, or — without a time — the end of
 * its day (the participant may come at any hour of it).
 */
function linkNeededUntil(m: Pick<MeetingRow, 'heldOn' | 'startsAt'>): Date {
  const day = startOfDay(m.heldOn).getTime();
  if (!m.startsAt) return new Date(day + 24 * 3600_000);
  const [h, min] = m.startsAt.split(':').map(Number);
  return new Date(day + (h! * 60 + min!) * 60_000);
}

/** The fields of a meeting the audit compares when it is edited. */
const auditedFields = (m: Pick<MeetingRow, keyof MeetingForm & keyof MeetingRow>) => ({
  body: m.body,
  heldOn: m.heldOn,
  startsAt: m.startsAt,
  place: m.place,
  remoteUrl: m.remoteUrl,
  participants: m.participants,
  quorumNum: m.quorumNum,
  quorumDen: m.quorumDen,
  quorumStrict: m.quorumStrict,
});

/** «1. Вопрос» per line. */
const agendaText = (items: AgendaItem[]) => items.map((i) => `${i.position}. ${i.title}`).join('\n');

function decisionsText(items: AgendaItem[]): string {
  return items
    .map((i) =>
      [
        `${i.position}. СЛУШАЛИ: ${i.title}`,
        `ПОСТАНОВИЛИ: ${i.decision ?? 'решение не принято'}`,
        i.decision
          ? `Голосовали: «за» — ${i.votesFor}, «против» — ${i.votesAgainst}, «воздержались» — ${i.votesAbstained}.`
          : '',
      ]
        .filter(Boolean)
        .join('\n'),
    )
    .join('\n\n');
}

/**
 * Meetings of an organization's bodies (issue 21, item 3): the agenda and the participants, attendance by
 * union card (the cards' own validity rule), by hand with a reason or by a personal link with a one-time
 * code, the decisions with their votes, and the minutes generated from the `meeting-minutes` template.
 * Every change is audited; a participant's registration on the member's row (it is their personal data).
 */
export function createMeetingsService(
  db: Knex,
  opts: { templates: TemplatesService; mail: MailService; publicUrl: string },
) {
  /** The organization's meeting named by the URL, or 404 (another organization's meeting is not found here). */
  async function meetingOf(org: OrgRow, rawId: string, trx: Knex = db): Promise<MeetingRow> {
    const id = parseId(rawId, 2_147_483_647);
    const meeting = id === null ? undefined : await findMeeting(trx, org.id, id, trx !== db);
    if (!meeting) throw new NotFoundError('Собрание не найдено');
    return meeting;
  }

  function requireStatus(meeting: MeetingRow, allowed: MeetingRow['status'][], message: string) {
    if (!allowed.includes(meeting.status)) throw new ConflictError(message);
  }

  const audit = (trx: Knex, ctx: AuditContext, meeting: MeetingRow, action: string, newValues: object = {}) =>
    recordAudit(trx, ctx, {
      action,
      entity: 'meeting',
      entityId: meeting.id,
      organizationId: meeting.organizationId,
      newValues: { ...newValues },
    });

  /** A letter to every participant with an e-mail, queued in the transaction; returns how many were queued. */
  async function mailParticipants(
    trx: Knex.Transaction,
    meeting: MeetingRow,
    subject: string,
    lines: (memberId: number) => string[],
  ): Promise<number> {
    const to = (await participantsOf(trx, meeting.id)).filter((p) => p.email);
    // in two statements, not one pair per participant, while the meeting's row is locked
    await opts.mail.sendMany(
      to.map((p) => ({ to: p.email!, subject, text: lines(p.memberId).join('\n') })),
      { trx },
    );
    return to.length;
  }

  /** The letters of a reschedule; the personal links whose code no longer covers the new date end here. */
  async function noticeOfReschedule(trx: Knex.Transaction, before: MeetingRow, after: MeetingRow): Promise<number> {
    const links = await remoteLinkExpiries(trx, before.id);
    const until = linkNeededUntil(after);
    const ended = [...links].filter(([, expiresAt]) => expiresAt < until).map(([memberId]) => memberId);
    await revokeRemoteLinks(trx, before.id, ended);
    return mailParticipants(trx, after, `Собрание перенесено на ${formatDate(after.heldOn)}`, (memberId) => {
      const expiresAt = links.get(memberId);
      return [
        `${BODY_LABELS[after.body]} «${after.organizationName}» перенесено: было назначено на ${whenText(before)}, теперь — ${whenText(after)}.`,
        ...(after.place ? [`Место: ${after.place}.`] : []),
        ...(after.remoteUrl ? [`Дистанционное участие: ${after.remoteUrl}`] : []),
        ...(expiresAt === undefined
          ? []
          : ended.includes(memberId)
            ? ['Персональная ссылка и код из прежнего письма больше не действуют: председатель пришлёт новые.']
            : [`Персональная ссылка и код из прежнего письма действуют до ${formatDateTime(expiresAt)}.`]),
      ];
    });
  }

  return {
    meetingOf,
    list: (org: OrgRow, held: { from: string; to: string } | null) => listMeetings(db, org, held),

    async create(ctx: AuditContext, org: OrgRow, form: MeetingForm): Promise<number> {
      // all members of a territorial organization and above are tens of thousands to millions of participants
      if (form.participants === 'members' && !MEMBERS_MEETING_LEVELS.includes(org.level))
        throw new ValidationError([
          {
            field: 'participants',
            message: MEMBERS_MEETING_REFUSAL,
          },
        ]);
      return inTransaction(db, async (trx) => {
        const { agenda, ...meeting } = form;
        const id = await insertMeeting(trx, { ...meeting, organizationId: org.id, createdBy: ctx.actorUserId });
        await insertAgendaItems(trx, id, agenda);
        await recordAudit(trx, ctx, {
          action: 'meeting.created',
          entity: 'meeting',
          entityId: id,
          organizationId: org.id,
          newValues: { ...meeting, agenda },
        });
        return id;
      });
    },

    /**
     * The meeting's page: its agenda, a page of its participants, the unregistered ones the manual registration
     * may choose (those named by `search`; all of them while few), the quorum and the admissions and exits it
     * may have decided.
     */
    async page(meeting: MeetingRow, view: { page?: number; search?: string } = {}) {
      const page = view.page ?? 1;
      const few = meeting.participantCount - meeting.registeredCount <= CHOICES_LIMIT;
      const search = view.search?.trim() || (few ? '' : undefined);
      const [agenda, participants, choices, decisions] = await Promise.all([
        agendaOf(db, meeting.id),
        participantsOf(db, meeting.id, { page: { limit: PARTICIPANTS_PAGE, offset: (page - 1) * PARTICIPANTS_PAGE } }),
        search === undefined
          ? []
          : participantsOf(db, meeting.id, {
              unregisteredNamed: search,
              page: { limit: CHOICES_LIMIT, offset: 0 },
            }),
        membershipDecisionsFor(db, meeting),
      ]);
      const pages = Math.max(1, Math.ceil(meeting.participantCount / PARTICIPANTS_PAGE));
      return {
        agenda,
        participants,
        page,
        pages,
        choices,
        search: view.search ?? '',
        decisions,
        quorum: quorumOf(meeting),
      };
    },

    /**
     * What the edit form shows: the agenda, and every invited participant not registered yet (withdrawable) —
     * all of them, where the meeting's page lists the first PARTICIPANTS_PAGE by name.
     */
    async editView(meeting: MeetingRow) {
      const [agenda, unregistered] = await Promise.all([
        agendaOf(db, meeting.id),
        participantsOf(db, meeting.id, { unregisteredNamed: '' }),
      ]);
      return { agenda, withdrawable: unregistered.filter((p) => p.invited) };
    },

    /** Opens the registration; a meeting of all members fixes its participants now (the members on record). */
    async open(ctx: AuditContext, org: OrgRow, rawId: string) {
      await inTransaction(db, async (trx) => {
        const meeting = await meetingOf(org, rawId, trx);
        requireStatus(meeting, ['scheduled'], 'Собрание уже открыто или закрыто');
        if (meeting.participants === 'members' && !MEMBERS_MEETING_LEVELS.includes(org.level))
          throw new ConflictError(MEMBERS_MEETING_REFUSAL);
        if (meeting.participants === 'members') await addMembersAsParticipants(trx, meeting.id, org);
        await setMeetingStatus(trx, meeting.id, 'open');
        await audit(trx, ctx, meeting, 'meeting.opened');
      });
    },

    /** Invited members and delegates by their cards' numbers (members now, in the organization's subtree). */
    async invite(ctx: AuditContext, org: OrgRow, rawId: string, numbers: string[]) {
      return inTransaction(db, async (trx) => {
        const meeting = await meetingOf(org, rawId, trx);
        requireStatus(meeting, ['scheduled', 'open'], 'Собрание закрыто: участников не добавить');
        const result = await inviteByCards(trx, meeting.id, org, numbers);
        await audit(trx, ctx, meeting, 'meeting.participants_invited', { numbers, unknown: result.unknown });
        return result;
      });
    },

    /**
     * One scan of the registration: the card (by number or QR address) must exist and be valid by the cards'
     * rule (issued, its holder a member now), its holder a participant, not registered yet.
     */
    async scan(ctx: AuditContext, org: OrgRow, rawId: string, text: string): Promise<ScanOutcome> {
      return inTransaction(db, async (trx) => {
        const meeting = await meetingOf(org, rawId, trx);
        const refuse = (reason: string): ScanOutcome => ({ ok: false, reason, quorum: quorumOf(meeting) });
        if (meeting.status !== 'open') return refuse(notOpenReason(meeting));
        const by = scannedCard(text);
        const card = await cardForScan(trx, meeting.id, by);
        const label = 'number' in by ? `№ ${by.number}` : 'по QR-коду';
        if (!card) return refuse(`Билет ${label} не найден в реестре`);
        if (card.status !== 'issued')
          return refuse(`Билет № ${card.number} недействителен: ${CARD_STATUS_LABELS[card.status].toLowerCase()}`);
        if (!card.valid) return refuse(`Билет № ${card.number} недействителен: владелец не состоит в Профсоюзе`);
        if (!card.participant)
          return refuse(
            `Владелец билета № ${card.number} не участник собрания: не состоит в организации «${meeting.organizationName}» и не приглашён`,
          );
        if (card.registeredAt)
          return refuse(
            `${card.holder} уже зарегистрирован(а) в ${formatDateTime(card.registeredAt)}: повторно не учитывается`,
          );
        const registered = await registerParticipant(trx, meeting.id, card.memberId, {
          method: 'card',
          cardNumber: card.number,
          userId: ctx.actorUserId,
        });
        // registered meanwhile (by a personal link): the row seen above is no longer unregistered
        if (!registered) return refuse(`${card.holder} уже зарегистрирован(а): повторно не учитывается`);
        await recordAudit(trx, ctx, {
          action: 'meeting.attendance_registered',
          entity: 'member',
          entityId: card.memberId,
          organizationId: meeting.organizationId,
          newValues: { meetingId: meeting.id, method: 'card', cardNumber: card.number },
        });
        const now = { ...meeting, registeredCount: meeting.registeredCount + 1 };
        return { ok: true, name: card.holder, quorum: quorumOf(now) };
      });
    },

    /** A participant registered without a card (forgotten, not yet issued), with the reason written down. */
    async registerManually(ctx: AuditContext, org: OrgRow, rawId: string, memberId: number, reason: string) {
      return inTransaction(db, async (trx) => {
        const meeting = await meetingOf(org, rawId, trx);
        requireStatus(meeting, ['open'], notOpenReason(meeting));
        const registered = await registerParticipant(trx, meeting.id, memberId, {
          method: 'manual',
          reason,
          userId: ctx.actorUserId,
        });
        if (!registered) throw new ConflictError('Этот участник уже зарегистрирован или не участвует в собрании');
        await recordAudit(trx, ctx, {
          action: 'meeting.attendance_registered',
          entity: 'member',
          entityId: memberId,
          organizationId: meeting.organizationId,
          newValues: { meetingId: meeting.id, method: 'manual', reason },
        });
      });
    },

    /**
     * Personal links for a remote meeting: each unregistered participant with an e-mail gets a letter with a
     * link and a one-time code (both kept as SHA-256 only), queued in the transaction that issues them.
     */
    async sendRemoteLinks(ctx: AuditContext, org: OrgRow, rawId: string): Promise<{ sent: number; without: number }> {
      return inTransaction(db, async (trx) => {
        const meeting = await meetingOf(org, rawId, trx);
        requireStatus(meeting, ['open'], 'Ссылки рассылаются на открытое собрание');
        if (!meeting.remoteUrl) throw new ConflictError('У собрания нет ссылки на дистанционное участие');
        const waiting = (await participantsOf(trx, meeting.id)).filter((p) => !p.registeredAt);
        const expiresAt = new Date(Date.now() + REMOTE_CODE_HOURS * 3600_000);
        const letters = waiting.flatMap((p) =>
          p.email
            ? [
                {
                  memberId: p.memberId,
                  email: p.email,
                  token: crypto.randomBytes(32).toString('base64url'),
                  code: String(crypto.randomInt(0, 1_000_000)).padStart(6, '0'),
                },
              ]
            : [],
        );
        // the codes and the letters in one statement each rather than per participant under the meeting's lock
        await setRemoteCodes(
          trx,
          meeting.id,
          letters.map((l) => ({ memberId: l.memberId, tokenHash: sha256(l.token), codeHash: sha256(l.code) })),
          expiresAt,
        );
        await opts.mail.sendMany(
          letters.map((l) => ({
            to: l.email,
            subject: `Регистрация на собрании ${formatDate(meeting.heldOn)}`,
            text: [
              `${BODY_LABELS[meeting.body]} «${meeting.organizationName}», ${formatDate(meeting.heldOn)}.`,
              '',
              'Чтобы зарегистрироваться как участник, откройте ссылку и введите код:',
              `${opts.publicUrl}/meeting-link/${l.token}`,
              `Код: ${l.code}`,
              '',
              `Ссылка и код действуют ${REMOTE_CODE_HOURS} часа и один раз.`,
            ].join('\n'),
          })),
          { trx },
        );
        const sent = letters.length;
        await audit(trx, ctx, meeting, 'meeting.remote_links_sent', { sent });
        return { sent, without: waiting.length - sent };
      });
    },

    /**
     * Edits a scheduled or open meeting. What is already fixed stays: the items that carry a decision (at their
     * places), and — once the registration has started — the quorum rule and who takes part. A new date or time
     * is a reschedule (only before anyone registered): the participants with an e-mail are told through the mail
     * queue; a personal link stays valid if its code still works at the new start, otherwise it ends and the
     * letter says a new one will come. Unregistered invited participants may be withdrawn.
     */
    async update(
      ctx: AuditContext,
      org: OrgRow,
      rawId: string,
      form: MeetingForm,
      withdraw: number[],
    ): Promise<{ rescheduled: boolean; notified: number; withdrawn: number }> {
      return inTransaction(db, async (trx) => {
        const meeting = await meetingOf(org, rawId, trx);
        requireStatus(meeting, ['scheduled', 'open'], 'Закрытое или отменённое собрание не изменяется');
        const agenda = await agendaOf(trx, meeting.id);
        const decided = agenda.filter((i) => i.decision !== null);
        const errors: FieldError[] = [];
        const moved = decided.filter((i) => form.agenda[i.position - 1] !== i.title);
        if (moved.length)
          errors.push({
            field: 'agenda',
            message: `По ${moved.length > 1 ? 'вопросам' : 'вопросу'} ${moved.map((i) => `${i.position} «${i.title}»`).join(', ')} уже принято решение: такой вопрос нельзя изменить, перенести на другое место или удалить`,
          });
        if (meeting.status !== 'scheduled') {
          const sameQuorum =
            form.quorumNum === meeting.quorumNum &&
            form.quorumDen === meeting.quorumDen &&
            form.quorumStrict === meeting.quorumStrict;
          if (!sameQuorum)
            errors.push({
              field: 'quorum',
              message: 'Правило кворума не изменяется: регистрация участников уже началась',
            });
          if (form.participants !== meeting.participants)
            errors.push({
              field: 'participants',
              message: 'Состав участников зафиксирован при открытии собрания и не изменяется',
            });
        }
        const rescheduled = form.heldOn !== meeting.heldOn || form.startsAt !== meeting.startsAt;
        if (rescheduled && (meeting.registeredCount > 0 || decided.length > 0))
          errors.push({
            field: 'heldOn',
            message:
              'Участники уже зарегистрированы: идущее собрание не переносится — отмените его с причиной и назначьте новое',
          });
        if (errors.length) throw new ValidationError(errors);

        const { agenda: titles, ...fields } = form;
        await updateMeeting(trx, meeting.id, fields);
        const agendaChanged = titles.join('\n') !== agenda.map((i) => i.title).join('\n');
        if (agendaChanged) await replaceUndecidedAgenda(trx, meeting.id, titles);
        const withdrawn = withdraw.length ? await removeInvited(trx, meeting.id, withdraw) : [];
        await recordAudit(trx, ctx, {
          action: rescheduled ? 'meeting.rescheduled' : 'meeting.updated',
          entity: 'meeting',
          entityId: meeting.id,
          organizationId: meeting.organizationId,
          oldValues: { ...auditedFields(meeting), ...(agendaChanged ? { agenda: agenda.map((i) => i.title) } : {}) },
          newValues: { ...fields, ...(agendaChanged ? { agenda: titles } : {}), withdrawn },
        });
        const notified = rescheduled ? await noticeOfReschedule(trx, meeting, { ...meeting, ...fields }) : 0;
        return { rescheduled, notified, withdrawn: withdrawn.length };
      });
    },

    /**
     * Cancels a scheduled or open meeting with its reason: no registration any more, the personal links end,
     * the participants with an e-mail are told why, and it is not a meeting held (the monitoring counts closed
     * ones only).
     */
    async cancel(ctx: AuditContext, org: OrgRow, rawId: string, reason: string): Promise<number> {
      return inTransaction(db, async (trx) => {
        const meeting = await meetingOf(org, rawId, trx);
        if (meeting.status === 'cancelled') throw new ConflictError('Собрание уже отменено');
        requireStatus(meeting, ['scheduled', 'open'], 'Собрание закрыто и его протокол составлен: оно не отменяется');
        await cancelMeeting(trx, meeting.id, reason);
        await revokeRemoteLinks(trx, meeting.id, [...(await remoteLinkExpiries(trx, meeting.id)).keys()]);
        await audit(trx, ctx, meeting, 'meeting.cancelled', { reason });
        return mailParticipants(trx, meeting, `Собрание ${formatDate(meeting.heldOn)} отменено`, () => [
          `${BODY_LABELS[meeting.body]} «${meeting.organizationName}», назначенное на ${whenText(meeting)}, отменено.`,
          `Причина: ${reason}.`,
        ]);
      });
    },

    /** What a personal link's page shows (nothing is changed by opening it). */
    async remoteLink(token: string) {
      const link = await findRemoteLink(db, sha256(token));
      if (!link || link.expiresAt < new Date()) throw new NotFoundError('Ссылка не действует');
      return link;
    },

    /**
     * The code of a personal link: counted per address first (429 past the limit); a wrong one counts against
     * the link too (after {@link REMOTE_CODE_ATTEMPTS} it stops working); the right one registers the participant.
     */
    async registerRemote(
      token: string,
      code: string,
      ip: string | null,
    ): Promise<{ ok: true; remoteUrl: string | null } | { ok: false; message: string }> {
      await reserveHit(db, REMOTE_CODE_WINDOW, ip ?? '0.0.0.0');
      return inTransaction(db, async (trx) => {
        // the meeting's row first, as the chair's scans and closing take it: registrations are serialized per meeting
        const seen = await findRemoteLink(trx, sha256(token));
        if (seen) await findMeeting(trx, seen.organizationId, seen.meetingId, true);
        const link = seen && (await findRemoteLink(trx, sha256(token), true));
        if (!link || link.expiresAt < new Date()) throw new NotFoundError('Ссылка не действует');
        if (link.failures >= REMOTE_CODE_ATTEMPTS)
          return {
            ok: false,
            message: 'Код введён неверно слишком много раз: попросите председателя прислать новую ссылку',
          };
        if (link.status !== 'open')
          return { ok: false, message: 'Регистрация на собрание ещё не открыта или уже закрыта' };
        if (!crypto.timingSafeEqual(sha256(code), link.codeHash)) {
          await countCodeFailure(trx, link.meetingId, link.memberId);
          const left = REMOTE_CODE_ATTEMPTS - link.failures - 1;
          return {
            ok: false,
            message: left > 0 ? `Неверный код. Осталось попыток: ${left}` : 'Неверный код. Попытки исчерпаны',
          };
        }
        if (!(await registerParticipant(trx, link.meetingId, link.memberId, { method: 'remote', userId: null })))
          throw new NotFoundError('Ссылка не действует');
        await recordAudit(
          trx,
          { actorUserId: null, requestId: null, ip, extra: { actor: 'member' } },
          {
            action: 'meeting.attendance_registered',
            entity: 'member',
            entityId: link.memberId,
            organizationId: link.organizationId,
            newValues: { meetingId: link.meetingId, method: 'remote' },
          },
        );
        return { ok: true, remoteUrl: link.remoteUrl };
      });
    },

    async decide(
      ctx: AuditContext,
      org: OrgRow,
      rawId: string,
      d: { item: number; decision: string; votesFor: number; votesAgainst: number; votesAbstained: number },
    ) {
      await inTransaction(db, async (trx) => {
        const meeting = await meetingOf(org, rawId, trx);
        requireStatus(meeting, ['open'], 'Решения записываются на открытом собрании');
        // the minutes must not show decisions adopted next to «кворума нет», nor more votes than people present
        const quorum = quorumOf(meeting);
        if (!quorum.reached)
          throw new ConflictError(
            `Кворума нет: зарегистрировано ${quorum.registered}, нужно ${quorum.needed} — решения не принимаются`,
          );
        const votes = d.votesFor + d.votesAgainst + d.votesAbstained;
        if (votes > quorum.registered)
          throw new ValidationError([
            {
              field: 'votesFor',
              message: `Голосов всего ${votes}, а зарегистрировано участников ${quorum.registered}: проверьте подсчёт`,
            },
          ]);
        const saved = await saveDecision(trx, meeting.id, d.item, d);
        if (!saved) throw new NotFoundError('Такого вопроса в повестке нет');
        await audit(trx, ctx, meeting, 'meeting.decision_recorded', d);
      });
    },

    /**
     * Closes the meeting and attaches its minutes: the PDF generated from the newest `meeting-minutes`
     * template, stored with that template's version, in the transaction that closes it.
     */
    async close(ctx: AuditContext, org: OrgRow, rawId: string, minutesNumber: string) {
      await inTransaction(db, async (trx) => {
        const meeting = await meetingOf(org, rawId, trx);
        requireStatus(meeting, ['open'], 'Закрыть можно открытое собрание');
        const agenda = await agendaOf(trx, meeting.id);
        const quorum = quorumOf(meeting);
        const values = {
          'organization.name': meeting.organizationName,
          'organization.inpo': meeting.organizationInpo,
          'organization.chairName': await chairNameOf(trx, meeting.organizationId),
          'meeting.body': BODY_LABELS[meeting.body],
          'meeting.number': minutesNumber,
          'meeting.date': formatDate(meeting.heldOn),
          'meeting.time': meeting.startsAt,
          'meeting.place': [meeting.place, meeting.remoteUrl].filter(Boolean).join('; ') || null,
          'meeting.participants': String(quorum.participants),
          'meeting.present': String(quorum.registered),
          'meeting.quorum': `${quorum.rule} (нужно ${quorum.needed}): ${quorum.reached ? 'кворум есть' : 'кворума нет'}`,
          'meeting.agenda': agendaText(agenda),
          'meeting.decisions': decisionsText(agenda),
        };
        // rendered first, then the short writes; its audit row is on `trx`: no «generated» row for a failed closing
        const doc = await opts.templates.meetingMinutes(ctx, values, meeting, trx);
        await setMeetingStatus(trx, meeting.id, 'closed', minutesNumber);
        await audit(trx, ctx, meeting, 'meeting.closed', { minutesNumber });
        await storeMinutes(trx, meeting.id, {
          kind: 'meeting-minutes',
          version: doc.version,
          pdf: doc.body,
          userId: ctx.actorUserId,
        });
      });
    },

    async minutes(org: OrgRow, rawId: string) {
      const meeting = await meetingOf(org, rawId);
      const stored = await minutesOf(db, meeting.id);
      if (!stored) throw new NotFoundError('Протокол ещё не сформирован: он прикладывается при закрытии собрания');
      return { meeting, ...stored };
    },

    /** Admissions and exits decided at the meeting: linked to it, with its minutes' number and date as their protocol. */
    async linkMembershipEvents(ctx: AuditContext, org: OrgRow, rawId: string, eventIds: number[]) {
      return inTransaction(db, async (trx) => {
        const meeting = await meetingOf(org, rawId, trx);
        // the events take the minutes' number, which only closing gives; a linked event is not linked again
        requireStatus(meeting, ['closed'], 'Связать с протоколом можно после закрытия собрания');
        const candidates = new Set((await membershipDecisionsFor(trx, meeting)).map((d) => d.id));
        const chosen = eventIds.filter((id) => candidates.has(id));
        const linked = await linkMembershipEvents(trx, meeting.id, chosen, {
          number: meeting.minutesNumber,
          date: meeting.heldOn,
        });
        for (const e of linked)
          await recordAudit(trx, ctx, {
            action: 'member.meeting_linked',
            entity: 'member',
            entityId: e.memberId,
            organizationId: meeting.organizationId,
            oldValues: { documentNumber: e.documentNumber, documentDate: e.documentDate },
            newValues: { meetingId: meeting.id, documentNumber: meeting.minutesNumber, documentDate: meeting.heldOn },
          });
        return linked.length;
      });
    },
  };
}

export type MeetingsService = ReturnType<typeof createMeetingsService>;
