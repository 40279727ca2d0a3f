import type { Knex } from 'knex';
import { primaryReads, type Reads } from '../db/replica';
import type { NotificationsService } from '../notifications/notifications.service';
import { authorize, can, memberOrgRef, memberViewPaths } from '../access/access';
import type { Principal } from '../access/principal';
import { pathWithin } from '../shared/org-paths';
import { diffValues, recordAudit, recordAuditForMembers, type AuditContext } from '../audit/audit';
import { blockLiveCards, moveCardsOf } from '../cards/cards.service';
import type { RowSink } from '../db/stream-rows';
import { exportMembers } from './member-export';
import { duplicateGroups } from './duplicates.repo';
import { countIncomingRequests, incomingRequests } from './transfer-requests.repo';
import type { CardStatus } from '../cards/card-statuses';
import { inTransaction } from '../db/transaction';
import { AppError, ValidationError } from '../http/errors';
import type { Seen } from '../http/versioned-forms';
import { findOrgByInpo, type OrgRow } from '../registry/organizations.service';
import { REGISTRATION_LEVELS } from '../registry/levels';
import { INPO_PATTERN } from '../shared/inpo';
import { addDays, eventDates, since14, type EventDates } from '../shared/event-dates';
import { formatDate } from '../shared/format';
import {
  changeCategory,
  endMemberships,
  historyBounds,
  membersWithLaterEvents,
  openMembership,
  transferMembers,
  type LeftReason,
} from '../membership/membership';
import { lockedMember } from './member-versions';
import { lockPerson } from './person-locks';
import { mergeCards } from './card-merge';
import { cardDetailsOf, findMemberWithCardPage, type CardPageDetails } from './card-page.repo';

export type { CardPageDetails };
import { createAuditBatch } from '../audit/audit-batch';
import { decideRequest, requestTransfer } from './transfer-requests';
import { giveConsent, withdrawConsent, type ConsentInput } from './consents';
import {
  activeMembersIn,
  countMembers,
  countMembersUpTo,
  listMembersCountedUpTo,
  filteredMembers,
  findDuplicateCandidates,
  findMember,
  findOwnPrimary,
  insertMember,
  listMembers,
  lockMembers,
  updateMemberCard,
  type DuplicateCandidate,
  type DuplicateProbe,
  type ListReader,
  type ListRoot,
  type MemberCursor,
  type MemberListFilter,
  type MemberRow,
  type MemberSort,
} from './members.repo';
import { MATCH_ELSEWHERE_MESSAGE, assertChecksLeft, spendMatchesElsewhere } from './duplicate-guard';
import { workingOnlyErrors, type AdmissionInput, type PersonInput } from './members.schemas';

/** Folds each change's rows of the member lists' counts per region into one per key (hourly). */
export { compactListCounts } from './member-holding-counted.repo';

export type BulkAction =
  | { kind: 'transfer'; toInpo: string; on: string }
  | { kind: 'exit'; reason: LeftReason; on: string }
  | { kind: 'card'; from: CardStatus; to: CardStatus; on: string };

/** Cards that may be the same person: those the user may open in full; of any other only that one exists. */
export class DuplicateFoundError extends AppError {
  constructor(
    readonly candidates: DuplicateCandidate[],
    readonly elsewhere: boolean,
  ) {
    super(409, 'duplicate', 'Возможно, этот человек уже состоит на учёте');
  }
}

/** What a card edit changes of the person's identity, as a duplicate probe (null when nothing of it changed). */
function changedIdentity(input: PersonInput, changed: Record<string, unknown>): DuplicateProbe | null {
  const person = ['surname', 'name', 'birthDate'].some((k) => k in changed);
  const contact = (key: 'snils' | 'phone' | 'email') => (key in changed ? input[key] : null);
  const probe = {
    surname: person ? input.surname : null,
    name: person ? input.name : null,
    birthDate: person ? input.birthDate : null,
    snils: contact('snils'),
    phone: contact('phone'),
    email: contact('email'),
  };
  return Object.values(probe).some((v) => v !== null) ? probe : null;
}

const fieldError = (field: string, message: string) => new ValidationError([{ field, message }]);

/** The card's own fields as its edit form gives them (a change is a new value of these). */
export function personOfCard(member: MemberRow): PersonInput {
  return {
    surname: member.surname,
    name: member.name,
    patronymic: member.patronymic,
    sex: member.sex,
    birthDate: member.birthDate,
    phone: member.phone,
    email: member.email,
    snils: member.snils,
    position: member.position,
    professionalGroup: member.professionalGroup,
    studyForm: member.studyForm as PersonInput['studyForm'],
    studyYear: member.studyYear,
  };
}

/** The readmission form's date: today, or the day after the exit when the exit is today or still to come (the form refuses the exit's own day). */
export function readmissionDefault(leftOn: string | null, today: string): string {
  return leftOn && leftOn >= today ? addDays(leftOn, 1) : today;
}

/** Matches outside the user's subtrees that a check inside a transaction found, spent once it has ended. */
interface PendingSpend {
  source: string;
  matches: DuplicateCandidate[];
}

/**
 * Lists that read tens of thousands of cards or more. The smaller ones stay on the primary: a chair who has
 * just admitted a member opens their ППО's list next and must find them there.
 */
const HEAVY_LIST_LEVELS = new Set(['regional', 'okrug', 'union']);

/**
 * Every change of a card runs on the card locked and read again inside its transaction, its conditions
 * checked there (a check before the transaction was stale by the time it acted); `seen`, when a form
 * gives it, refuses a change made from a card that has changed since the form was shown.
 */
export function createMembersService(
  db: Knex,
  dates: EventDates = eventDates(),
  reads: Reads = primaryReads(db),
  notifications?: NotificationsService,
) {
  /** The lists of a region, an okrug or the union read on the standby when there is one (db/replica.ts). */
  const onListPool = async <T>(root: ListRoot, work: (ldb: Knex) => Promise<T>): Promise<T> =>
    HEAVY_LIST_LEVELS.has(root.level) ? (await reads.run(work)).value : work(db);
  /** The card page's read-audit rows, written together with those of concurrent views. */
  const viewAudit = createAuditBatch(db);

  /** Where a member may be registered: a ППО or its unit; inside the user's subtree unless `anywhere`. */
  async function registrationOrg(principal: Principal, inpo: string, field: string, anywhere = false): Promise<OrgRow> {
    const org = INPO_PATTERN.test(inpo) ? await findOrgByInpo(db, inpo) : undefined;
    if (!org || (!anywhere && !can(principal, 'member.edit', org)))
      throw fieldError(field, 'Организация с таким ИНПО не найдена в вашей структуре');
    if (org.liquidatedOn) throw fieldError(field, 'Организация ликвидирована');
    if (!REGISTRATION_LEVELS.has(org.level))
      throw fieldError(field, 'На учёте состоят в первичной организации, её подразделении или профгруппе');
    return org;
  }

  /** A change of one card: the card locked and re-read (and its version compared with `seen`) before `work` runs. */
  function changeCard<T>(
    id: number,
    seen: Seen | undefined,
    work: (trx: Knex.Transaction, member: MemberRow) => Promise<T>,
  ): Promise<T> {
    return inTransaction(db, async (trx) => work(trx, await lockedMember(trx, id, seen)));
  }

  /** The event's date fits the member's history: after the 14th birthday and the last event, not beyond the near future. */
  async function checkEventDate(trx: Knex, member: MemberRow, on: string) {
    dates.check('on', on, await historyBounds(trx, member));
  }

  /**
   * The duplicate check as this user may learn of it, in the caller's transaction under its locks on the
   * person: cards inside the user's member.view subtrees in full; of the others only that one exists. Those
   * are left in `pending`, to be counted against the day's allowance and audited once the transaction has
   * ended (spendingMatches). Refused (429) once the allowance is spent, whatever the input.
   */
  async function duplicatesOf(
    trx: Knex.Transaction,
    principal: Principal,
    probe: DuplicateProbe,
    source: string,
    pending: PendingSpend[],
    options: { excludeId?: number; activeOnly?: boolean } = {},
  ) {
    await assertChecksLeft(trx, principal.id);
    const found = (await findDuplicateCandidates(trx, probe, options.excludeId)).filter(
      (c) => !options.activeOnly || !c.leftOn,
    );
    const paths = memberViewPaths(principal);
    const inside = (c: DuplicateCandidate) => paths.some((p) => pathWithin(c.organizationPath, p));
    const elsewhere = found.filter((c) => !inside(c));
    if (elsewhere.length) pending.push({ source, matches: elsewhere });
    return { visible: found.filter(inside), elsewhere: elsewhere.length > 0 };
  }

  /**
   * Runs a change that may check for duplicates, then spends the matches elsewhere it found — after its
   * transaction has ended, on a connection of its own, so the count and the audit rows stay though the
   * change rolls back. Spent inside, a transaction holding a person's locks waited for a second pooled
   * connection while the other admissions of that person held the rest waiting on those locks: four at
   * once held a pool of four for its 10 s acquire timeout. A refusal (429) replaces the change's answer.
   */
  async function spendingMatches<T>(
    principal: Principal,
    ctx: AuditContext,
    change: (pending: PendingSpend[]) => Promise<T>,
  ): Promise<T> {
    const pending: PendingSpend[] = [];
    try {
      return await change(pending);
    } finally {
      for (const { source, matches } of pending.splice(0)) {
        await spendMatchesElsewhere(
          db,
          { ...ctx, actorUserId: principal.id },
          source,
          matches.length,
          matches.map((c) => ({ memberId: c.id, organizationId: c.organizationId })),
        );
      }
    }
  }

  /** What a card's page offers the reader, and the member's own primary organization on their own card. */
  async function cardSideOf(principal: Principal, member: MemberRow) {
    const ownCard = principal.memberId === member.id;
    return {
      mayEdit: can(principal, 'member.edit', memberOrgRef(member)),
      mayViewJournal: can(principal, 'audit.view', memberOrgRef(member)),
      // a member reading their own card has no grant on its organization: no link to a list that answers 403
      mayOpenList: can(principal, 'member.view', memberOrgRef(member)),
      ownOrganization: ownCard ? await findOwnPrimary(db, member.organizationPath) : undefined,
      readmitOn: readmissionDefault(member.leftOn, dates.today()),
    };
  }

  return {
    /** The card with its timeline; every view of personal data leaves a read-audit row. */
    async card(principal: Principal, ctx: AuditContext, member: MemberRow) {
      await recordAudit(db, ctx, {
        action: 'member.viewed',
        entity: 'member',
        entityId: member.id,
        organizationId: member.organizationId,
      });
      const [details, side] = await Promise.all([
        cardDetailsOf(db, member.id, ['timeline']),
        cardSideOf(principal, member),
      ]);
      return { member, ...details, ...side };
    },

    /**
     * The card page: the card with everything it shows (read with it by the page's loader, or here on a form's
     * re-render), once its read-audit row is committed (written with the concurrent views', audit-batch.ts).
     */
    async cardPage(principal: Principal, ctx: AuditContext, member: MemberRow, read?: CardPageDetails) {
      const [details, side] = await Promise.all([
        read ?? findMemberWithCardPage(db, member.id).then((found) => found!.details),
        cardSideOf(principal, member),
        viewAudit.record(ctx, {
          action: 'member.viewed',
          entity: 'member',
          entityId: member.id,
          organizationId: member.organizationId,
        }),
      ]);
      return { member, ...details, ...side };
    },

    /** The card for its edit form: as much a read of personal data as the card page, and audited the same. */
    async cardForEdit(ctx: AuditContext, member: MemberRow): Promise<MemberRow> {
      await recordAudit(db, ctx, {
        action: 'member.viewed',
        entity: 'member',
        entityId: member.id,
        organizationId: member.organizationId,
      });
      return member;
    },

    async admit(principal: Principal, ctx: AuditContext, input: AdmissionInput) {
      const org = await registrationOrg(principal, input.organizationInpo, 'organizationInpo');
      dates.check('joinedOn', input.joinedOn, [since14(input.birthDate)]);
      return spendingMatches(principal, ctx, (pending) =>
        inTransaction(db, async (trx) => {
          // the check and the insert under the person's locks: a simultaneous admission of them waits and then finds this card
          await lockPerson(trx, input);
          if (!input.notDuplicate) {
            const found = await duplicatesOf(trx, principal, input, 'admission', pending);
            if (found.visible.length || found.elsewhere) throw new DuplicateFoundError(found.visible, found.elsewhere);
          }
          const memberId = await insertMember(trx, input, {
            organizationId: org.id,
            category: input.category,
            isPedagogical: input.isPedagogical,
            joinedOn: input.joinedOn,
          });
          await openMembership(
            trx,
            memberId,
            org.id,
            input.category,
            input.isPedagogical,
            {
              on: input.joinedOn,
              actorUserId: ctx.actorUserId,
              documentNumber: input.documentNumber,
              documentDate: input.documentDate,
            },
            'admitted',
          );
          const { notDuplicate: _ignored, organizationInpo: _inpo, ...values } = input;
          await recordAudit(trx, ctx, {
            action: 'member.admitted',
            entity: 'member',
            entityId: memberId,
            organizationId: org.id,
            newValues: { ...values },
          });
          return memberId;
        }),
      );
    },

    /**
     * The admission's duplicate check alone, as this user may learn of it (an online application before it is
     * accepted): the active cards inside their subtrees in full, of the others only that one exists —
     * counted against the day's allowance and audited like every check.
     */
    async duplicatesFor(principal: Principal, ctx: AuditContext, probe: DuplicateProbe, source: string) {
      return spendingMatches(principal, ctx, (pending) =>
        inTransaction(db, async (trx) => {
          await lockPerson(trx, probe);
          return duplicatesOf(trx, principal, probe, source, pending, { activeOnly: true });
        }),
      );
    },

    /** A changed identity (names and birth date, SNILS, phone, e-mail) is checked for duplicates unless confirmed. */
    async updateCard(
      principal: Principal,
      ctx: AuditContext,
      id: number,
      input: PersonInput,
      seen?: Seen,
      notDuplicate = false,
    ) {
      await spendingMatches(principal, ctx, (pending) =>
        changeCard(id, seen, async (trx, member) => {
          const { oldValues, newValues, changed } = diffValues(personOfCard(member), input);
          if (!changed) return;
          const probe = changedIdentity(input, newValues);
          if (!notDuplicate && probe) {
            await lockPerson(trx, probe);
            const found = await duplicatesOf(trx, principal, probe, 'card_edit', pending, { excludeId: id });
            if (found.visible.length || found.elsewhere) throw new DuplicateFoundError(found.visible, found.elsewhere);
          }
          await updateMemberCard(trx, id, member.version, input);
          await recordAudit(trx, ctx, {
            action: 'member.updated',
            entity: 'member',
            entityId: id,
            organizationId: member.organizationId,
            oldValues,
            newValues,
          });
        }),
      );
    },

    /**
     * Inside the user's subtree the transfer happens at once; to an organization outside it, the
     * receiving side gets a request to accept. Returns which of the two happened.
     */
    async transfer(
      principal: Principal,
      ctx: AuditContext,
      id: number,
      input: {
        toInpo: string;
        on: string;
        reason: string | null;
        documentNumber: string | null;
        documentDate: string | null;
      },
      seen?: Seen,
    ): Promise<'done' | 'requested'> {
      const to = await registrationOrg(principal, input.toInpo, 'toInpo', true);
      if (!can(principal, 'member.edit', to)) {
        await requestTransfer(db, ctx, id, to, input.on, { dates, seen, notify: notifications?.notify });
        return 'requested';
      }
      await changeCard(id, seen, async (trx, member) => {
        if (member.leftOn) throw fieldError('toInpo', 'Член Профсоюза выбыл: перевод невозможен');
        if (to.id === member.organizationId)
          throw fieldError('toInpo', 'Член Профсоюза уже состоит на учёте в этой организации');
        await checkEventDate(trx, member, input.on);
        await transferMembers(trx, [member.id], to.id, { ...input, actorUserId: ctx.actorUserId });
        await recordAudit(trx, ctx, {
          action: 'member.transferred',
          entity: 'member',
          entityId: member.id,
          organizationId: to.id,
          oldValues: { organization: member.organizationInpo },
          newValues: { organization: to.inpo, on: input.on },
        });
      });
      return 'done';
    },

    async exit(
      _principal: Principal,
      ctx: AuditContext,
      id: number,
      input: { reason: LeftReason; on: string; documentNumber: string | null; documentDate: string | null },
      seen?: Seen,
    ) {
      await changeCard(id, seen, async (trx, member) => {
        if (member.leftOn) throw fieldError('reason', 'Член Профсоюза уже выбыл');
        await checkEventDate(trx, member, input.on);
        await endMemberships(trx, [member.id], input.reason, { ...input, actorUserId: ctx.actorUserId });
        await blockLiveCards(trx, [member.id], input.on, ctx.actorUserId);
        await recordAudit(trx, ctx, {
          action: 'member.left',
          entity: 'member',
          entityId: member.id,
          organizationId: member.organizationId,
          newValues: { reason: input.reason, on: input.on },
        });
      });
    },

    /** A member who left comes back: a new period and a 'readmitted' event; the old history stays. */
    async readmit(
      principal: Principal,
      ctx: AuditContext,
      id: number,
      input: {
        organizationInpo: string;
        category: string;
        on: string;
        documentNumber: string | null;
        documentDate: string | null;
        notDuplicate: boolean;
      },
      seen?: Seen,
    ) {
      const org = await registrationOrg(principal, input.organizationInpo, 'organizationInpo');
      await spendingMatches(principal, ctx, (pending) =>
        changeCard(id, seen, async (trx, member) => {
          if (!member.leftOn) throw fieldError('organizationInpo', 'Член Профсоюза состоит на учёте');
          await checkEventDate(trx, member, input.on);
          if (input.on <= member.leftOn)
            throw fieldError(
              'on',
              `Повторный приём — не раньше ${formatDate(addDays(member.leftOn, 1))}, следующего дня после выхода (${formatDate(member.leftOn)})`,
            );
          if (!input.notDuplicate) {
            // the same person may have come back through another organization meanwhile: then it is a transfer
            await lockPerson(trx, member);
            const found = await duplicatesOf(trx, principal, member, 'readmission', pending, {
              excludeId: member.id,
              activeOnly: true,
            });
            const here = found.visible[0];
            if (here)
              throw fieldError(
                'organizationInpo',
                `Этот человек уже состоит на учёте: карточка № ${here.id} (${here.organizationName}) — оформите перевод в ней`,
              );
            if (found.elsewhere) throw fieldError('organizationInpo', MATCH_ELSEWHERE_MESSAGE);
          }
          await openMembership(
            trx,
            member.id,
            org.id,
            input.category,
            false,
            { ...input, actorUserId: ctx.actorUserId },
            'readmitted',
          );
          await recordAudit(trx, ctx, {
            action: 'member.readmitted',
            entity: 'member',
            entityId: member.id,
            organizationId: org.id,
            newValues: { organization: org.inpo, on: input.on, category: input.category },
          });
        }),
      );
    },

    /**
     * One action for many members: the selected ids or everyone the list's filter matches, all inside
     * `root` and editable by the user. One transaction; an audit row per member.
     */
    async bulk(principal: Principal, ctx: AuditContext, root: OrgRow, memberIds: number[], action: BulkAction) {
      if (!memberIds.length) throw fieldError('action', 'Не выбран ни один член Профсоюза');
      dates.check('on', action.on, []);
      return inTransaction(db, async (trx) => {
        // the cards locked, then read as they are now
        await lockMembers(trx, memberIds);
        const active = await activeMembersIn(trx, memberIds, root.path);
        if (active.some((m) => !can(principal, 'member.edit', m.org)))
          throw fieldError('action', 'Среди выбранных есть члены Профсоюза, которых вы не можете изменять');
        const ids = active.map((m) => m.id);
        if (!ids.length) throw fieldError('action', 'Среди выбранных нет состоящих на учёте');
        const meta = {
          on: action.on,
          actorUserId: ctx.actorUserId,
          reason: action.kind === 'exit' ? action.reason : null,
        };
        if (action.kind !== 'card' && (await membersWithLaterEvents(trx, ids, action.on)) > 0) {
          throw fieldError('on', 'У некоторых выбранных в истории есть события позже этой даты');
        }
        let changed = 0;
        if (action.kind === 'transfer') {
          const to = await registrationOrg(principal, action.toInpo, 'toInpo');
          changed = await transferMembers(trx, ids, to.id, meta);
        } else if (action.kind === 'exit') {
          const ended = await endMemberships(trx, ids, action.reason, meta);
          await blockLiveCards(trx, ended, action.on, ctx.actorUserId);
          changed = ended.length;
        } else {
          changed = await moveCardsOf(trx, ids, action.from, action.to, action.on, ctx.actorUserId);
        }
        await recordAuditForMembers(trx, ctx, `member.bulk_${action.kind}`, ids, { ...action });
        return changed;
      });
    },

    /** A page of a list, as its reader may see it (present cards only inside their subtrees). */
    list: (
      root: ListRoot,
      filter: MemberListFilter,
      reader: ListReader,
      sort: MemberSort,
      after: MemberCursor | null,
      pageSize: number,
    ) => onListPool(root, (ldb) => listMembers(ldb, root, filter, reader, sort, after, pageSize)),
    count: (root: ListRoot, filter: MemberListFilter, reader: ListReader) =>
      onListPool(root, (ldb) => countMembers(ldb, root, filter, reader)),
    /** A page and the list's total up to `cap` (a region's search counts while it gathers). */
    listCountedUpTo: (
      root: ListRoot,
      filter: MemberListFilter,
      reader: ListReader,
      sort: MemberSort,
      after: MemberCursor | null,
      pageSize: number,
      cap: number,
    ) => onListPool(root, (ldb) => listMembersCountedUpTo(ldb, root, filter, reader, sort, after, pageSize, cap)),
    /** The list's total up to `cap`: past it, only that there are more (the page's «более N»). */
    countUpTo: (root: ListRoot, filter: MemberListFilter, reader: ListReader, cap: number) =>
      onListPool(root, (ldb) => countMembersUpTo(ldb, root, filter, reader, cap)),
    /** The ids of every card the list's filter matches (a bulk action on the whole list). */
    async idsMatching(root: ListRoot, filter: MemberListFilter, reader: ListReader): Promise<number[]> {
      return (await filteredMembers(db, root, filter, reader).clearSelect().pluck('m.id')).map(Number);
    },
    /** The list as a file, streamed into `sink`; returns the rows written. */
    exportList: (root: ListRoot, filter: MemberListFilter, reader: ListReader, format: 'xlsx' | 'csv', sink: RowSink) =>
      reads.pool().then((rdb) => exportMembers(rdb, root, filter, reader, format, sink)),
    duplicateGroups: (root: OrgRow) => duplicateGroups(db, root.path),
    incomingTransfers: (root: OrgRow) => incomingRequests(db, root.path),
    /** How many transfer requests wait for a decision in the subtree (the home page's task). */
    incomingTransferCount: (root: OrgRow) => countIncomingRequests(db, root.path),
    /** Parts of what the card page shows beside the card (its history, union cards, transfer, consents, posts). */
    cardDetails: <K extends keyof CardPageDetails>(memberId: number, parts: readonly K[]) =>
      cardDetailsOf(db, memberId, parts),

    /** A consent given by the member (one active per kind and channel). */
    giveConsent: (ctx: AuditContext, memberId: number, input: ConsentInput) =>
      giveConsent(db, ctx, memberId, input, dates),
    withdrawConsent: (ctx: AuditContext, member: MemberRow, consentId: number, on: string) =>
      withdrawConsent(db, ctx, member, consentId, on, dates),
    /** The receiving organization's decision on a transfer request (its route has authorized that organization). */
    decideTransfer: (ctx: AuditContext, requestId: number, accept: boolean, reason: string | null) =>
      decideRequest(db, ctx, requestId, accept, reason, dates, notifications?.notify),

    /** Merges the card `duplicateId` into `survivor`; the duplicate, named in a form, must be the user's to edit too. */
    async merge(principal: Principal, ctx: AuditContext, survivor: MemberRow, duplicateId: number) {
      const duplicate = await findMember(db, duplicateId);
      authorize(principal, 'member.edit', duplicate ? memberOrgRef(duplicate) : undefined);
      await mergeCards(db, ctx, survivor, duplicateId);
    },

    async changeCategory(
      _principal: Principal,
      ctx: AuditContext,
      id: number,
      input: {
        category: string;
        isPedagogical: boolean;
        onParentalLeave: boolean;
        on: string;
        documentNumber: string | null;
        documentDate: string | null;
      },
      seen?: Seen,
    ) {
      const notWorking = workingOnlyErrors(input);
      if (notWorking.length) throw new ValidationError(notWorking);
      await changeCard(id, seen, async (trx, member) => {
        if (member.leftOn) throw fieldError('category', 'Член Профсоюза выбыл');
        await checkEventDate(trx, member, input.on);
        await changeCategory(
          trx,
          member.id,
          input.category,
          input.isPedagogical,
          { ...input, actorUserId: ctx.actorUserId },
          input.onParentalLeave,
        );
        await recordAudit(trx, ctx, {
          action: 'member.category_changed',
          entity: 'member',
          entityId: member.id,
          organizationId: member.organizationId,
          oldValues: {
            category: member.category,
            isPedagogical: member.isPedagogical,
            onParentalLeave: member.onParentalLeave,
          },
          newValues: {
            category: input.category,
            isPedagogical: input.isPedagogical,
            onParentalLeave: input.onParentalLeave,
            on: input.on,
          },
        });
      });
    },
  };
}

export type MembersService = ReturnType<typeof createMembersService>;
