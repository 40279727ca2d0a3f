import type { Knex } from 'knex';

/** What an event records besides its kind: its date, grounds and who entered it. */
export interface EventColumns {
  on: string;
  actorUserId: number | null;
  reason?: string | null;
  documentNumber?: string | null;
  documentDate?: string | null;
}

const eventColumns = (m: EventColumns) => ({
  happened_on: m.on,
  reason: m.reason ?? null,
  document_number: m.documentNumber ?? null,
  document_date: m.documentDate ?? null,
  actor_user_id: m.actorUserId,
});

/** One membership event (admission, readmission, change of category) of a member. */
export async function insertEvent(
  trx: Knex.Transaction,
  event: { memberId: number; kind: string; toOrganizationId?: number; category?: string },
  m: EventColumns,
) {
  await trx('membership_events').insert({
    member_id: event.memberId,
    kind: event.kind,
    ...(event.toOrganizationId !== undefined && { to_organization_id: event.toOrganizationId }),
    ...(event.category !== undefined && { category: event.category }),
    ...eventColumns(m),
  });
}

/** A transfer event per moved member, from the organization each was on. */
export async function insertTransferEvents(
  trx: Knex.Transaction,
  moving: { id: number; organizationId: number }[],
  toOrganizationId: number,
  m: EventColumns,
) {
  await trx('membership_events').insert(
    moving.map((r) => ({
      member_id: r.id,
      kind: 'transferred',
      from_organization_id: r.organizationId,
      to_organization_id: toOrganizationId,
      ...eventColumns(m),
    })),
  );
}

/** A «left» event per member, from the organization the card is on. */
export async function insertLeftEvents(trx: Knex.Transaction, memberIds: number[], reason: string, m: EventColumns) {
  await trx.raw(
    `INSERT INTO membership_events (member_id, kind, from_organization_id, happened_on, reason, document_number, document_date, actor_user_id)
     SELECT id, 'left', organization_id, ?, ?, ?, ?, ? FROM members WHERE id = ANY(?::bigint[])`,
    [m.on, reason, m.documentNumber ?? null, m.documentDate ?? null, m.actorUserId, memberIds],
  );
}

export interface PeriodState {
  memberId: number;
  organizationId: number;
  category: string;
  isPedagogical: boolean;
  onParentalLeave: boolean;
}

/** Opens a period from a date on. */
export async function insertPeriods(trx: Knex.Transaction, periods: (PeriodState & { validFrom: string })[]) {
  await trx('member_periods').insert(
    periods.map((p) => ({
      member_id: p.memberId,
      organization_id: p.organizationId,
      category: p.category,
      is_pedagogical: p.isPedagogical,
      on_parental_leave: p.onParentalLeave,
      valid_from: p.validFrom,
    })),
  );
}

/**
 * Ends the open period of each given member on `on` (locked first); a period that began that very day
 * is deleted rather than left empty. Returns the periods as they were, for the next one to continue.
 */
export async function endOpenPeriods(trx: Knex.Transaction, memberIds: number[], on: string): Promise<PeriodState[]> {
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
     SELECT open.member_id AS "memberId", open.organization_id AS "organizationId", open.category,
            open.is_pedagogical AS "isPedagogical", open.on_parental_leave AS "onParentalLeave"
       FROM open`,
    [memberIds, on, on, on, on],
  );
  return (rows as PeriodState[]).map((r) => ({ ...r, memberId: Number(r.memberId) }));
}

/** Open periods that begin after `on` (admitted after a transfer's date) move with the member as a whole. */
export async function moveLaterOpenPeriods(
  trx: Knex.Transaction,
  memberIds: number[],
  on: string,
  organizationId: number,
) {
  await trx('member_periods')
    .whereIn('member_id', memberIds)
    .whereNull('valid_to')
    .where('valid_from', '>', on)
    .update({ organization_id: organizationId });
}

/** The active cards among `memberIds`, locked in id order, with the organization each is on. */
export async function lockActiveMembers(
  trx: Knex.Transaction,
  memberIds: Knex.QueryBuilder | number[],
): Promise<{ id: number; organizationId: number }[]> {
  const rows: { id: number | string; organization_id: number }[] = await trx('members')
    .whereIn('id', memberIds)
    .whereNull('left_on')
    .orderBy('id')
    .forNoKeyUpdate()
    .select('id', 'organization_id');
  return rows.map((r) => ({ id: Number(r.id), organizationId: r.organization_id }));
}

/** The card's current state, the open period's copy kept for fast lists. */
export async function updateCurrentState(
  trx: Knex.Transaction,
  memberIds: number[],
  state: {
    organizationId?: number;
    category?: string;
    isPedagogical?: boolean;
    onParentalLeave?: boolean;
    leftOn?: string | null;
    leftReason?: string | null;
  },
) {
  const columns = {
    organization_id: state.organizationId,
    category: state.category,
    is_pedagogical: state.isPedagogical,
    on_parental_leave: state.onParentalLeave,
    left_on: state.leftOn,
    left_reason: state.leftReason,
  };
  const set = Object.fromEntries(Object.entries(columns).filter(([, v]) => v !== undefined));
  await trx('members')
    .whereIn('id', memberIds)
    .update({ ...set, updated_at: trx.fn.now() });
}

/** The date of the member's last event, or null. */
export async function lastEventDate(db: Knex, memberId: number): Promise<string | null> {
  const row = await db('membership_events').where({ member_id: memberId }).max('happened_on as last').first();
  return (row?.last as string | null) ?? null;
}

/** How many of `memberIds` have an event after `on`. */
export async function countMembersWithEventsAfter(db: Knex, memberIds: number[], on: string): Promise<number> {
  const row = await db('membership_events')
    .whereIn('member_id', memberIds)
    .where('happened_on', '>', on)
    .countDistinct<{ count: number }[]>('member_id as count')
    .first();
  return Number(row?.count ?? 0);
}

/** Members of a subtree as of a date, by category: one range query over the periods. */
export async function countByCategoryAsOf(
  db: Knex,
  rootPath: string,
  on: string,
): Promise<{ category: string; count: number }[]> {
  const rows = await db('member_periods as p')
    .join('organizations as o', 'o.id', 'p.organization_id')
    .whereRaw('o.path <@ ?::ltree', [rootPath])
    .where('p.valid_from', '<=', on)
    .where((q) => q.whereNull('p.valid_to').orWhere('p.valid_to', '>', on))
    .groupBy('p.category')
    .select('p.category')
    .count<{ category: string; count: number }[]>('* as count');
  return rows.map((r) => ({ category: r.category, count: Number(r.count) }));
}
