import type { Knex } from 'knex';
import { authorize } from '../access/access';
import type { Principal } from '../access/principal';
import { recordAudit, type AuditContext } from '../audit/audit';
import { inTransaction } from '../db/transaction';
import { ValidationError } from '../http/errors';
import type { OrgRow } from '../registry/orgs.repo';
import { eventDates, since14, type EventDates } from '../shared/event-dates';
import { CARD_STATUS_LABELS, LIVE_STATUSES, mayMove, type CardStatus } from './card-statuses';
import {
  cardCountsByStatus,
  insertCard,
  lockCardsOf,
  lockedCardWithMember,
  lockedMemberForCard,
  memberIdsIn,
  moveCards,
  nextCardSequence,
  setCardStatus,
} from './cards.repo';

export { blockLiveCards } from './cards.repo';

const fieldError = (field: string, message: string) => new ValidationError([{ field, message }]);

/** A move many cards may make at once (a refusal needs each card's reason); checked before it is offered for confirmation too. */
export function checkBatchMove(from: CardStatus, to: CardStatus) {
  if (!mayMove(from, to) || to === 'refused')
    throw new ValidationError([
      {
        field: 'to',
        message: `Из состояния «${CARD_STATUS_LABELS[from]}» нельзя массово перейти в «${CARD_STATUS_LABELS[to]}»`,
      },
    ]);
}

/** Moves the cards of the given members that are in status `from` on to `to` (set-based); returns how many moved. */
export async function moveCardsOf(
  trx: Knex.Transaction,
  memberIds: number[],
  from: CardStatus,
  to: CardStatus,
  on: string,
  actorUserId: number | null,
): Promise<number> {
  checkBatchMove(from, to);
  return moveCards(trx, memberIds, from, to, on, actorUserId);
}

/** Card changes lock what they check: the member for a new card (one live card each), the card for a move (one move at a time). */
export function createCardsService(db: Knex, dates: EventDates = eventDates()) {
  return {
    /** Cards of the subtree's members by status. */
    countsByStatus: (org: OrgRow) => cardCountsByStatus(db, org.path),

    /** A new card (or the replacement of a lost one) for an active member without a live card. */
    async request(principal: Principal, ctx: AuditContext, memberId: number, kind: 'plastic' | 'virtual', on: string) {
      return inTransaction(db, async (trx) => {
        const member = await lockedMemberForCard(trx, memberId);
        authorize(
          principal,
          'member.edit',
          member ? { id: member.orgId, path: member.orgPath, level: member.orgLevel } : undefined,
        );
        if (member.leftOn) throw fieldError('kind', 'Член Профсоюза выбыл: карта не выдаётся');
        dates.check('on', on, [since14(member.birthDate)]);
        const cards = await lockCardsOf(trx, memberId);
        if (cards.some((c) => LIVE_STATUSES.includes(c.status)))
          throw fieldError('kind', 'У члена Профсоюза уже есть действующая карта');
        const lost = cards.find((c) => c.status === 'lost');
        // the number: the region's code, then the union-wide sequence
        const number = `${String(member.regionCode).padStart(2, '0')}${String(await nextCardSequence(trx)).padStart(8, '0')}`;
        await insertCard(trx, {
          number,
          memberId,
          kind,
          on,
          replacesCardId: lost?.id ?? null,
          reason: lost ? `Перевыпуск взамен ${lost.number}` : null,
          actorUserId: ctx.actorUserId,
        });
        await recordAudit(trx, ctx, {
          action: 'card.requested',
          entity: 'member',
          entityId: memberId,
          organizationId: member.orgId,
          newValues: { number, kind },
        });
        return number;
      });
    },

    /** `memberId` is the card page's member: a card of somebody else is not found there. */
    async move(
      principal: Principal,
      ctx: AuditContext,
      memberId: number,
      cardId: number,
      to: CardStatus,
      on: string,
      reason: string | null,
    ) {
      await inTransaction(db, async (trx) => {
        const found = Number.isSafeInteger(cardId) ? await lockedCardWithMember(trx, cardId) : undefined;
        const card = found && Number(found.memberId) === memberId ? found : undefined;
        authorize(
          principal,
          'member.edit',
          card ? { id: card.orgId, path: card.orgPath, level: card.orgLevel } : undefined,
        );
        if (!mayMove(card.status, to))
          throw fieldError(
            'to',
            `Из состояния «${CARD_STATUS_LABELS[card.status as CardStatus]}» нельзя перейти в «${CARD_STATUS_LABELS[to]}»`,
          );
        if (to === 'refused' && !reason) throw fieldError('reason', 'Укажите причину отказа');
        dates.check('on', on, [{ on: card.statusOn, what: 'предыдущего изменения карты' }]);
        await setCardStatus(trx, cardId, { from: card.status, to, on, reason, actorUserId: ctx.actorUserId });
        await recordAudit(trx, ctx, {
          action: 'card.moved',
          entity: 'member',
          entityId: card.memberId,
          organizationId: card.orgId,
          oldValues: { status: card.status },
          newValues: { status: to, on, reason },
        });
      });
    },

    /** "A region receives a box of 3,000 cards": every card of the subtree in one status moves on. */
    async batchMove(ctx: AuditContext, org: OrgRow, from: CardStatus, to: CardStatus, on: string) {
      dates.check('on', on, []);
      return inTransaction(db, async (trx) => {
        const moved = await moveCardsOf(trx, await memberIdsIn(trx, org.path), from, to, on, ctx.actorUserId);
        await recordAudit(trx, ctx, {
          action: 'card.batch_moved',
          entity: 'organization',
          entityId: org.id,
          organizationId: org.id,
          newValues: { from, to, on, cards: moved },
        });
        return moved;
      });
    },
  };
}
