import type { Knex } from 'knex';
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

export interface EventMeta {
  on: string;
  actorUserId: number | null;
  reason?: string | null;
  documentNumber?: string | null;
  documentDate?: string | null;
}

const meta = (m: EventMeta) => ({
  happened_on: m.on,
  reason: m.reason ?? null,
  document_number: m.documentNumber ?? null,
  document_date: m.documentDate ?? null,
  actor_user_id: m.actorUserId,
});

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
  await trx('member_periods').insert({
    member_id: memberId,
    organization_id: organizationId,
    category,
    is_pedagogical: isPedagogical,
    valid_from: m.on,
  });
  await trx('membership_events').insert({
    member_id: memberId,
    kind,
    to_organization_id: organizationId,
    category,
    ...meta(m),
  });
  await trx('members').where({ id: memberId }).update({
    organization_id: organizationId,
    category,
    is_pedagogical: isPedagogical,
    on_parental_leave: false,
    left_on: null,
    left_reason: null,
    updated_at: trx.fn.now(),
  });
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
  const { rows } = await trx.raw(
    `WITH open AS (
       SELECT p.id, p.member_id, p.organization_id, p.category, p.is_pedagogical, p.on_parental_leave, p.valid_from
         FROM member_periods p WHERE p.valid_to IS NULL AND p.member_id = ANY(?::bigint[])
          AND p.valid_from <= ?::date
          FOR UPDATE),
     ended AS (
       UPDATE member_periods p SET valid_to = ?::date FROM open WHERE p.id = open.id AND open.valid_from < ?::date RETURNING p.id),
     same_day AS (
       DELETE FROM member_periods p USING open WHERE p.id = open.id AND open.valid_from = ?::date RETURNING p.id)
     SELECT open.* FROM open`,
    [memberIds, on, on, on, on],
  );
  if (!change.close && rows.length) {
    await trx('member_periods').insert(
      rows.map(
        (r: {
          member_id: number;
          organization_id: number;
          category: string;
          is_pedagogical: boolean;
          on_parental_leave: boolean;
        }) => ({
          member_id: r.member_id,
          organization_id: change.organizationId ?? r.organization_id,
          category: change.category ?? r.category,
          is_pedagogical: change.isPedagogical ?? r.is_pedagogical,
          on_parental_leave: change.onParentalLeave ?? r.on_parental_leave,
          valid_from: on,
        }),
      ),
    );
  }
  return rows.map((r: { member_id: number | string }) => Number(r.member_id));
}

/** Transfers members (one or a whole organization's list) to another organization on a date. */
export async function transferMembers(
  trx: Knex.Transaction,
  memberIds: Knex.QueryBuilder | number[],
  toOrganizationId: number,
  m: EventMeta,
): Promise<number> {
  // locked in one order: a transfer racing with another change of the same cards waits for it and then sees its result
  const from = await trx('members')
    .whereIn('id', memberIds)
    .whereNull('left_on')
    .orderBy('id')
    .forNoKeyUpdate()
    .select('id', 'organization_id');
  const moving = from.filter((r) => r.organization_id !== toOrganizationId);
  if (!moving.length) return 0;
  const ids = moving.map((r) => Number(r.id));
  await splitOpenPeriods(trx, ids, m.on, { organizationId: toOrganizationId });
  // Admitted after the transfer date: at that date they were not members here, so their whole period moves.
  await trx('member_periods')
    .whereIn('member_id', ids)
    .whereNull('valid_to')
    .where('valid_from', '>', m.on)
    .update({ organization_id: toOrganizationId });
  await trx('membership_events').insert(
    moving.map((r) => ({
      member_id: r.id,
      kind: 'transferred',
      from_organization_id: r.organization_id,
      to_organization_id: toOrganizationId,
      ...meta(m),
    })),
  );
  await trx('members').whereIn('id', ids).update({ organization_id: toOrganizationId, updated_at: trx.fn.now() });
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
  await trx('membership_events').insert({ member_id: memberId, kind: 'category_changed', category, ...meta(m) });
  await trx('members')
    .where({ id: memberId })
    .update({ category, is_pedagogical: isPedagogical, on_parental_leave: onParentalLeave, updated_at: trx.fn.now() });
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
  await trx.raw(
    `INSERT INTO membership_events (member_id, kind, from_organization_id, happened_on, reason, document_number, document_date, actor_user_id)
     SELECT id, 'left', organization_id, ?, ?, ?, ?, ? FROM members WHERE id = ANY(?::bigint[])`,
    [m.on, reason, m.documentNumber ?? null, m.documentDate ?? null, m.actorUserId, ended],
  );
  await trx('members').whereIn('id', ended).update({ left_on: m.on, left_reason: reason, updated_at: trx.fn.now() });
  return ended;
}

/** What a new event of the member may not precede: the 14th birthday and the last event of the history. */
export async function historyBounds(trx: Knex, member: { id: number; birthDate: string }): Promise<EarliestBound[]> {
  const row = await trx('membership_events').where({ member_id: member.id }).max('happened_on as last').first();
  return [
    since14(member.birthDate),
    { on: (row?.last as string | null) ?? null, what: 'последнего события в истории' },
  ];
}

/** Members among `memberIds` whose history already has an event after `on` (a later date cannot be undercut). */
export async function membersWithLaterEvents(trx: Knex, memberIds: number[], on: string): Promise<number> {
  const row = await trx('membership_events')
    .whereIn('member_id', memberIds)
    .where('happened_on', '>', on)
    .countDistinct<{ count: number }[]>('member_id as count')
    .first();
  return Number(row?.count ?? 0);
}

/** Members of a subtree as of a date, by category: one range query over the periods. */
export async function countAsOf(
  db: Knex,
  rootPath: string,
  on: string,
): Promise<Record<Category, number> & { total: number }> {
  const rows = await db('member_periods as p')
    .join('organizations as o', 'o.id', 'p.organization_id')
    .whereRaw('o.path <@ ?::ltree', [rootPath])
    .where('p.valid_from', '<=', on)
    .where((q) => q.whereNull('p.valid_to').orWhere('p.valid_to', '>', on))
    .groupBy('p.category')
    .select('p.category')
    .count<{ category: Category; count: number }[]>('* as count');
  const result = { working: 0, student: 0, pensioner: 0, unemployed: 0, total: 0 };
  for (const r of rows) {
    result[r.category] = Number(r.count);
    result.total += Number(r.count);
  }
  return result;
}
