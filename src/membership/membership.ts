import type { Knex } from 'knex';
import {
  countByCategoryAsOf,
  countMembersWithEventsAfter,
  endOpenPeriods,
  insertEvent,
  insertLeftEvents,
  insertPeriods,
  insertTransferEvents,
  lastEventDate,
  lockActiveMembers,
  moveLaterOpenPeriods,
  updateCurrentState,
  type EventColumns,
} from './membership.repo';
import { since14, type EarliestBound } from '../shared/event-dates';

// The membership history: every write here adds events and keeps member_periods in step, in the
// caller's transaction. The current state in `members` (organization, category, left_on) is the
// open period, kept for fast lists.

export const CATEGORIES = ['working', 'student', 'pensioner', 'unemployed'] as const;
export type Category = (typeof CATEGORIES)[number];
export const CATEGORY_LABELS: Record<Category, string> = {
  working: 'Работающий',
  student: 'Обучающийся',
  pensioner: 'Неработающий пенсионер',
  unemployed: 'Временно не работающий',
};

export const LEFT_REASONS = ['voluntary', 'expelled', 'dismissed', 'graduated', 'died', 'other'] as const;
export type LeftReason = (typeof LEFT_REASONS)[number];
export const LEFT_REASON_LABELS: Record<LeftReason, string> = {
  voluntary: 'Добровольный выход',
  expelled: 'Исключение',
  dismissed: 'Увольнение',
  graduated: 'Окончание обучения',
  died: 'Смерть',
  other: 'Иная причина',
};

/** The maintained count of the members on record in a subtree (member_counts), for the pages that show it. */
export { countMembersOnRecord } from './member-counts.repo';

/** Folds each change's rows of the per-region counters into one per key (hourly: region_member_counts). */
export { compactRegionCounts } from './member-counts.repo';

/** An event's date, grounds and author. */
export type EventMeta = EventColumns;

/** A new membership (first admission or readmission) opens a period. */
export async function openMembership(
  trx: Knex.Transaction,
  memberId: number,
  organizationId: number,
  category: string,
  isPedagogical: boolean,
  m: EventMeta,
  kind: 'admitted' | 'readmitted',
) {
  const state = { organizationId, category, isPedagogical, onParentalLeave: false };
  await insertPeriods(trx, [{ memberId, ...state, validFrom: m.on }]);
  await insertEvent(trx, { memberId, kind, toOrganizationId: organizationId, category }, m);
  await updateCurrentState(trx, [memberId], { ...state, leftOn: null, leftReason: null });
}

/**
 * Ends the open period of each given member on `on` and opens the next one with `change` applied —
 * set-based, so a transfer of 3,000 members is a handful of statements. A period that began that
 * very day is replaced rather than left empty.
 */
async function splitOpenPeriods(
  trx: Knex.Transaction,
  memberIds: number[],
  on: string,
  change: {
    organizationId?: number;
    category?: string;
    isPedagogical?: boolean;
    onParentalLeave?: boolean;
    close?: boolean;
  },
): Promise<number[]> {
  const open = await endOpenPeriods(trx, memberIds, on);
  if (!change.close && open.length) {
    await insertPeriods(
      trx,
      open.map((p) => ({
        memberId: p.memberId,
        organizationId: change.organizationId ?? p.organizationId,
        category: change.category ?? p.category,
        isPedagogical: change.isPedagogical ?? p.isPedagogical,
        onParentalLeave: change.onParentalLeave ?? p.onParentalLeave,
        validFrom: on,
      })),
    );
  }
  return open.map((p) => p.memberId);
}

/** Transfers members (one or a whole organization's list) to another organization on a date. */
export async function transferMembers(
  trx: Knex.Transaction,
  memberIds: Knex.QueryBuilder | number[],
  toOrganizationId: number,
  m: EventMeta,
): Promise<number> {
  // locked in one order: a transfer racing with another change of the same cards waits for it and then sees its result
  const moving = (await lockActiveMembers(trx, memberIds)).filter((r) => r.organizationId !== toOrganizationId);
  if (!moving.length) return 0;
  const ids = moving.map((r) => r.id);
  await splitOpenPeriods(trx, ids, m.on, { organizationId: toOrganizationId });
  // Admitted after the transfer date: at that date they were not members here, so their whole period moves.
  await moveLaterOpenPeriods(trx, ids, m.on, toOrganizationId);
  await insertTransferEvents(trx, moving, toOrganizationId, m);
  await updateCurrentState(trx, ids, { organizationId: toOrganizationId });
  return ids.length;
}

/** A new category, pedagogical post or parental leave from a date on (the statistics count them as of each date). */
export async function changeCategory(
  trx: Knex.Transaction,
  memberId: number,
  category: string,
  isPedagogical: boolean,
  m: EventMeta,
  onParentalLeave = false,
) {
  await splitOpenPeriods(trx, [memberId], m.on, { category, isPedagogical, onParentalLeave });
  await insertEvent(trx, { memberId, kind: 'category_changed', category }, m);
  await updateCurrentState(trx, [memberId], { category, isPedagogical, onParentalLeave });
}

/** Ends the memberships of the given active members on a date (one or a whole selection, set-based). */
export async function endMemberships(
  trx: Knex.Transaction,
  memberIds: number[],
  reason: LeftReason,
  m: EventMeta,
): Promise<number[]> {
  const ended = await splitOpenPeriods(trx, memberIds, m.on, { close: true });
  if (!ended.length) return ended;
  await insertLeftEvents(trx, ended, reason, m);
  await updateCurrentState(trx, ended, { leftOn: m.on, leftReason: reason });
  return ended;
}

/** What a new event of the member may not precede: the 14th birthday and the last event of the history. */
export async function historyBounds(trx: Knex, member: { id: number; birthDate: string }): Promise<EarliestBound[]> {
  return [since14(member.birthDate), { on: await lastEventDate(trx, member.id), what: 'последнего события в истории' }];
}

/** Members among `memberIds` whose history already has an event after `on` (a later date cannot be undercut). */
export const membersWithLaterEvents = countMembersWithEventsAfter;

/** Members of a subtree as of a date, by category: one range query over the periods. */
export async function countAsOf(
  db: Knex,
  rootPath: string,
  on: string,
): Promise<Record<Category, number> & { total: number }> {
  const result = { working: 0, student: 0, pensioner: 0, unemployed: 0, total: 0 };
  for (const r of await countByCategoryAsOf(db, rootPath, on)) {
    result[r.category as Category] = r.count;
    result.total += r.count;
  }
  return result;
}
