import type { Knex } from 'knex';
import { authorize } from '../access/access';
import type { Principal } from '../access/principal';
import { recordAudit, type AuditContext } from '../audit/audit';
import { inTransaction } from '../db/transaction';
import { ValidationError } from '../http/errors';
import type { OrgRow } from '../registry/orgs.repo';
import { eventDates, since14, type EventDates } from '../shared/event-dates';
import { CARD_STATUS_LABELS, LIVE_STATUSES, mayMove, type CardStatus } from './card-statuses';

const fieldError = (field: string, message: string) => new ValidationError([{ field, message }]);

export interface CardRow {
  id: number;
  number: string;
  memberId: number;
  kind: 'plastic' | 'virtual';
  status: CardStatus;
  statusOn: string;
}

const CARD_COLUMNS = { id: 'c.id', number: 'c.number', memberId: 'c.member_id', kind: 'c.kind', status: 'c.status', statusOn: 'c.status_on' };

export async function cardsOfMember(db: Knex, memberId: number) {
  const cards: CardRow[] = await db('union_cards as c').where('c.member_id', memberId).orderBy('c.id', 'desc').select(CARD_COLUMNS);
  const events = cards.length
    ? await db('union_card_events as e').leftJoin('users as u', 'u.id', 'e.actor_user_id').whereIn('e.card_id', cards.map((c) => c.id)).orderBy('e.id')
        .select({ cardId: 'e.card_id', to: 'e.to_status', on: 'e.happened_on', reason: 'e.reason', actor: 'u.full_name' })
    : [];
  return cards.map((c) => ({ ...c, id: Number(c.id), events: events.filter((e) => Number(e.cardId) === Number(c.id)) }));
}

/** Cards of a subtree's members by status: what the union tracks ("delivered but not issued", "refused"). */
export async function cardCountsByStatus(db: Knex, rootPath: string): Promise<Partial<Record<CardStatus, number>>> {
  const rows = await db('union_cards as c').join('members as m', 'm.id', 'c.member_id').join('organizations as o', 'o.id', 'm.organization_id')
    .whereRaw('o.path <@ ?::ltree', [rootPath]).groupBy('c.status').select('c.status').count<{ status: CardStatus; count: number }[]>('* as count');
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.count)]));
}

/** The live cards of members who leave are blocked (called inside the exit's transaction; set-based). */
export async function blockLiveCards(trx: Knex.Transaction, memberIds: number[], on: string, actorUserId: number | null) {
  await trx.raw(
    `WITH live AS (SELECT id, status FROM union_cards WHERE member_id = ANY(:ids::bigint[]) AND status = ANY(:live) FOR UPDATE),
          blocked AS (UPDATE union_cards c SET status = 'blocked', status_on = :on FROM live WHERE c.id = live.id RETURNING c.id)
     INSERT INTO union_card_events (card_id, from_status, to_status, happened_on, reason, actor_user_id)
     SELECT live.id, live.status, 'blocked', :on::date, 'Выход из Профсоюза', :actor FROM live`,
    { ids: memberIds, live: LIVE_STATUSES as unknown as string[], on, actor: actorUserId },
  );
}

/** Moves the cards of the given members that are in status `from` on to `to` (set-based); returns how many moved. */
export async function moveCardsOf(trx: Knex.Transaction, memberIds: number[], from: CardStatus, to: CardStatus, on: string, actorUserId: number | null): Promise<number> {
  if (!mayMove(from, to) || to === 'refused') throw new ValidationError([{ field: 'to', message: `Из состояния «${CARD_STATUS_LABELS[from]}» нельзя массово перейти в «${CARD_STATUS_LABELS[to]}»` }]);
  const { rows } = await trx.raw(
    `WITH moved AS (
       UPDATE union_cards SET status = :to, status_on = :on WHERE member_id = ANY(:ids::bigint[]) AND status = :from AND status_on <= :on::date RETURNING id)
     INSERT INTO union_card_events (card_id, from_status, to_status, happened_on, reason, actor_user_id)
     SELECT id, :from, :to, :on::date, 'Массовое изменение', :actor FROM moved RETURNING card_id`,
    { to, on, ids: memberIds, from, actor: actorUserId },
  );
  return rows.length;
}

/** Card changes lock what they check: the member for a new card (one live card each), the card for a move (one move at a time). */
export function createCardsService(db: Knex, dates: EventDates = eventDates()) {
  /** The card locked alone (a lock that waited re-checks a join against stale rows), then read with its member as they are now. */
  async function lockedCardWithMember(trx: Knex, cardId: number) {
    await trx('union_cards').where({ id: cardId }).forUpdate().first('id');
    return trx('union_cards as c').join('members as m', 'm.id', 'c.member_id').join('organizations as o', 'o.id', 'm.organization_id')
      .where('c.id', cardId).first({ ...CARD_COLUMNS, orgId: 'o.id', orgPath: 'o.path', orgLevel: 'o.level', leftOn: 'm.left_on' });
  }

  return {
    /** A new card (or the replacement of a lost one) for an active member without a live card. */
    async request(principal: Principal, ctx: AuditContext, memberId: number, kind: 'plastic' | 'virtual', on: string) {
      return inTransaction(db, async (trx) => {
        // the member locked alone: simultaneous requests take turns, and the second sees the first's card
        await trx('members').where({ id: memberId }).forNoKeyUpdate().first('id');
        const member = await trx('members as m').join('organizations as o', 'o.id', 'm.organization_id').where('m.id', memberId)
          .first('m.id', 'm.left_on', 'm.birth_date', 'o.id as org_id', 'o.path', 'o.level', 'o.region_code');
        authorize(principal, 'member.edit', member ? { id: member.org_id, path: member.path, level: member.level } : undefined);
        if (member.left_on) throw fieldError('kind', 'Член Профсоюза выбыл: карта не выдаётся');
        dates.check('on', on, [since14(member.birth_date)]);
        const cards = await trx('union_cards').where({ member_id: memberId }).orderBy('id', 'desc').forUpdate();
        if (cards.some((c) => LIVE_STATUSES.includes(c.status))) throw fieldError('kind', 'У члена Профсоюза уже есть действующая карта');
        const lost = cards.find((c) => c.status === 'lost');
        const { rows } = await trx.raw("SELECT nextval('union_card_number_seq') AS seq");
        const number = `${String(member.region_code).padStart(2, '0')}${String(rows[0].seq).padStart(8, '0')}`;
        const [card] = await trx('union_cards')
          .insert({ number, member_id: memberId, kind, status: 'requested', status_on: on, replaces_card_id: lost?.id ?? null })
          .returning('id');
        await trx('union_card_events').insert({ card_id: card.id, to_status: 'requested', happened_on: on, reason: lost ? `Перевыпуск взамен ${lost.number}` : null, actor_user_id: ctx.actorUserId });
        await recordAudit(trx, ctx, { action: 'card.requested', entity: 'member', entityId: memberId, organizationId: member.org_id, newValues: { number, kind } });
        return number;
      });
    },

    /** `memberId` is the card page's member: a card of somebody else is not found there. */
    async move(principal: Principal, ctx: AuditContext, memberId: number, cardId: number, to: CardStatus, on: string, reason: string | null) {
      await inTransaction(db, async (trx) => {
        const found = Number.isSafeInteger(cardId) ? await lockedCardWithMember(trx, cardId) : undefined;
        const card = found && Number(found.memberId) === memberId ? found : undefined;
        authorize(principal, 'member.edit', card ? { id: card.orgId, path: card.orgPath, level: card.orgLevel } : undefined);
        if (!mayMove(card.status, to)) throw fieldError('to', `Из состояния «${CARD_STATUS_LABELS[card.status as CardStatus]}» нельзя перейти в «${CARD_STATUS_LABELS[to]}»`);
        if (to === 'refused' && !reason) throw fieldError('reason', 'Укажите причину отказа');
        dates.check('on', on, [{ on: card.statusOn, what: 'предыдущего изменения карты' }]);
        await trx('union_cards').where({ id: cardId }).update({ status: to, status_on: on });
        await trx('union_card_events').insert({ card_id: cardId, from_status: card.status, to_status: to, happened_on: on, reason, actor_user_id: ctx.actorUserId });
        await recordAudit(trx, ctx, { action: 'card.moved', entity: 'member', entityId: card.memberId, organizationId: card.orgId, oldValues: { status: card.status }, newValues: { status: to, on, reason } });
      });
    },

    /** "A region receives a box of 3,000 cards": every card of the subtree in one status moves on. */
    async batchMove(ctx: AuditContext, org: OrgRow, from: CardStatus, to: CardStatus, on: string) {
      dates.check('on', on, []);
      return inTransaction(db, async (trx) => {
        const memberIds = await trx('members as m').join('organizations as o', 'o.id', 'm.organization_id').whereRaw('o.path <@ ?::ltree', [org.path]).pluck('m.id');
        const moved = await moveCardsOf(trx, memberIds.map(Number), from, to, on, ctx.actorUserId);
        await recordAudit(trx, ctx, { action: 'card.batch_moved', entity: 'organization', entityId: org.id, organizationId: org.id, newValues: { from, to, on, cards: moved } });
        return moved;
      });
    },
  };
}
