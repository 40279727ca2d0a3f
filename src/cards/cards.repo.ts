import type { Knex } from 'knex';
import { LIVE_STATUSES, type CardStatus } from './card-statuses';

export interface CardRow {
  id: number;
  number: string;
  memberId: number;
  kind: 'plastic' | 'virtual';
  status: CardStatus;
  statusOn: string;
}

const CARD_COLUMNS = {
  id: 'c.id',
  number: 'c.number',
  memberId: 'c.member_id',
  kind: 'c.kind',
  status: 'c.status',
  statusOn: 'c.status_on',
};

/** Cards of a subtree's members by status: what the union tracks ("delivered but not issued", "refused"). */
export async function cardCountsByStatus(db: Knex, rootPath: string): Promise<Partial<Record<CardStatus, number>>> {
  const rows = await db('union_cards as c')
    .join('members as m', 'm.id', 'c.member_id')
    .join('organizations as o', 'o.id', 'm.organization_id')
    .whereRaw('o.path <@ ?::ltree', [rootPath])
    .groupBy('c.status')
    .select('c.status')
    .count<{ status: CardStatus; count: number }[]>('* as count');
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.count)]));
}

/** The live cards of members who leave are blocked (called inside the exit's transaction; set-based). */
export async function blockLiveCards(
  trx: Knex.Transaction,
  memberIds: number[],
  on: string,
  actorUserId: number | null,
) {
  await trx.raw(
    `WITH live AS (SELECT id, status FROM union_cards WHERE member_id = ANY(:ids::bigint[]) AND status = ANY(:live) FOR UPDATE),
          blocked AS (UPDATE union_cards c SET status = 'blocked', status_on = :on FROM live WHERE c.id = live.id RETURNING c.id)
     INSERT INTO union_card_events (card_id, from_status, to_status, happened_on, reason, actor_user_id)
     SELECT live.id, live.status, 'blocked', :on::date, 'Выход из Профсоюза', :actor FROM live`,
    { ids: memberIds, live: LIVE_STATUSES as unknown as string[], on, actor: actorUserId },
  );
}

/** Moves the members' cards in status `from` on to `to` with an event each (set-based); returns how many moved. */
export async function moveCards(
  trx: Knex.Transaction,
  memberIds: number[],
  from: CardStatus,
  to: CardStatus,
  on: string,
  actorUserId: number | null,
): Promise<number> {
  // the members first, in id order, as an exit takes them (see lockedCardWithMember)
  await trx.raw(
    `SELECT 1 FROM members WHERE id IN (
       SELECT member_id FROM union_cards WHERE member_id = ANY(:ids::bigint[]) AND status = :from AND status_on <= :on::date)
     ORDER BY id FOR NO KEY UPDATE`,
    { ids: memberIds, from, on },
  );
  const { rows } = await trx.raw(
    `WITH moved AS (
       UPDATE union_cards SET status = :to, status_on = :on WHERE member_id = ANY(:ids::bigint[]) AND status = :from AND status_on <= :on::date RETURNING id)
     INSERT INTO union_card_events (card_id, from_status, to_status, happened_on, reason, actor_user_id)
     SELECT id, :from, :to, :on::date, 'Массовое изменение', :actor FROM moved RETURNING card_id`,
    { to, on, ids: memberIds, from, actor: actorUserId },
  );
  return rows.length;
}

/**
 * The card's member, then the card, locked alone (a lock that waited re-checks a join against stale rows), then read
 * with its member as they are now. The member first: a card change writes the member's row too (its live card,
 * kept by a trigger), and an exit locks the member before its cards — the other order deadlocks with it.
 */
export async function lockedCardWithMember(trx: Knex, cardId: number) {
  await trx.raw('SELECT 1 FROM members WHERE id = (SELECT member_id FROM union_cards WHERE id = ?) FOR NO KEY UPDATE', [
    cardId,
  ]);
  await trx('union_cards').where({ id: cardId }).forUpdate().first('id');
  return trx('union_cards as c')
    .join('members as m', 'm.id', 'c.member_id')
    .join('organizations as o', 'o.id', 'm.organization_id')
    .where('c.id', cardId)
    .first({ ...CARD_COLUMNS, orgId: 'o.id', orgPath: 'o.path', orgLevel: 'o.level', leftOn: 'm.left_on' });
}

/** The member locked alone (simultaneous requests take turns), then read with their organization as it is now. */
export async function lockedMemberForCard(trx: Knex, memberId: number) {
  await trx('members').where({ id: memberId }).forNoKeyUpdate().first('id');
  return trx('members as m').join('organizations as o', 'o.id', 'm.organization_id').where('m.id', memberId).first({
    id: 'm.id',
    leftOn: 'm.left_on',
    birthDate: 'm.birth_date',
    orgId: 'o.id',
    orgPath: 'o.path',
    orgLevel: 'o.level',
    regionCode: 'o.region_code',
  });
}

/** A member's cards, newest first, locked until the transaction ends. */
export async function lockCardsOf(
  trx: Knex,
  memberId: number,
): Promise<{ id: number; number: string; status: CardStatus }[]> {
  return trx('union_cards')
    .where({ member_id: memberId })
    .orderBy('id', 'desc')
    .forUpdate()
    .select('id', 'number', 'status');
}

export async function nextCardSequence(trx: Knex): Promise<number> {
  const { rows } = await trx.raw("SELECT nextval('union_card_number_seq') AS seq");
  return Number(rows[0].seq);
}

/** A requested card with its first event. */
export async function insertCard(
  trx: Knex,
  card: {
    number: string;
    memberId: number;
    kind: 'plastic' | 'virtual';
    on: string;
    replacesCardId: number | null;
    reason: string | null;
    actorUserId: number | null;
  },
) {
  const [row] = await trx('union_cards')
    .insert({
      number: card.number,
      member_id: card.memberId,
      kind: card.kind,
      status: 'requested',
      status_on: card.on,
      replaces_card_id: card.replacesCardId,
    })
    .returning('id');
  await trx('union_card_events').insert({
    card_id: row.id,
    to_status: 'requested',
    happened_on: card.on,
    reason: card.reason,
    actor_user_id: card.actorUserId,
  });
}

/** A card's new status with the event that records it. */
export async function setCardStatus(
  trx: Knex,
  cardId: number,
  change: { from: CardStatus; to: CardStatus; on: string; reason: string | null; actorUserId: number | null },
) {
  await trx('union_cards').where({ id: cardId }).update({ status: change.to, status_on: change.on });
  await trx('union_card_events').insert({
    card_id: cardId,
    from_status: change.from,
    to_status: change.to,
    happened_on: change.on,
    reason: change.reason,
    actor_user_id: change.actorUserId,
  });
}

/** Every member card id registered in a subtree. */
export async function memberIdsIn(trx: Knex, rootPath: string): Promise<number[]> {
  return (
    await trx('members as m')
      .join('organizations as o', 'o.id', 'm.organization_id')
      .whereRaw('o.path <@ ?::ltree', [rootPath])
      .pluck('m.id')
  ).map(Number);
}
