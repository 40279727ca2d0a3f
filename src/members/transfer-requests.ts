import type { Knex } from 'knex';
import { recordAudit, type AuditContext } from '../audit/audit';
import { inTransaction } from '../db/transaction';
import { ConflictError, NotFoundError, ValidationError } from '../http/errors';
import type { Seen } from '../http/versioned-forms';
import type { NotificationsService } from '../notifications/notifications.service';
import { formatDate } from '../shared/format';
import { findOrgById, type OrgRow } from '../registry/organizations.service';
import { addDays, eventDates, type EventDates } from '../shared/event-dates';
import { historyBounds, membersWithLaterEvents, transferMembers } from '../membership/membership';
import { lockedMember } from './member-versions';
import { hasPendingRequest, insertRequest, lockRequest, settleRequest } from './transfer-requests.repo';

type Notify = NotificationsService['notify'];

const fieldError = (field: string, message: string) => new ValidationError([{ field, message }]);

/**
 * Asks the receiving organization to take a member over; nothing moves until it accepts. The card is
 * locked while the request is made, so simultaneous requests for one member find each other.
 */
export async function requestTransfer(
  db: Knex,
  ctx: AuditContext,
  memberId: number,
  to: OrgRow,
  on: string,
  options: { dates?: EventDates; seen?: Seen; notify?: Notify } = {},
) {
  await inTransaction(db, async (trx) => {
    const member = await lockedMember(trx, memberId, options.seen);
    if (member.leftOn) throw fieldError('toInpo', 'Член Профсоюза выбыл: перевод невозможен');
    if (to.id === member.organizationId)
      throw fieldError('toInpo', 'Член Профсоюза уже состоит на учёте в этой организации');
    (options.dates ?? eventDates()).check('on', on, await historyBounds(trx, member));
    if (await hasPendingRequest(trx, member.id)) {
      throw fieldError('toInpo', 'Запрос на перевод этого члена Профсоюза уже ждёт ответа');
    }
    const requestId = await insertRequest(trx, {
      memberId: member.id,
      fromOrganizationId: member.organizationId,
      toOrganizationId: to.id,
      on,
      requestedBy: ctx.actorUserId,
    });
    await recordAudit(trx, ctx, {
      action: 'member.transfer_requested',
      entity: 'member',
      entityId: member.id,
      organizationId: member.organizationId,
      newValues: { requestId, to: to.inpo, on },
    });
    await options.notify?.(trx, {
      kind: 'transfer_received',
      to: { organizationId: to.id, roles: ['chair', 'coordinator'] },
      title: `Запрос на перевод члена Профсоюза в организацию «${to.name}»`,
      body: `Дата перевода: ${formatDate(on)}. Примите или отклоните запрос.`,
      link: `/orgs/${to.inpo}/transfer-requests`,
    });
  });
}

/**
 * The receiving side decides (its route has authorized the request's receiving organization): accepting
 * performs the transfer (one transaction, visible to both sides).
 */
export async function decideRequest(
  db: Knex,
  ctx: AuditContext,
  requestId: number,
  accept: boolean,
  reason: string | null,
  dates: EventDates = eventDates(),
  notify?: Notify,
) {
  await inTransaction(db, async (trx) => {
    const request = await lockRequest(trx, requestId);
    if (!request) throw new NotFoundError();
    if (request.status !== 'pending') throw new ConflictError('Запрос уже рассмотрен');
    if (accept) {
      const member = await lockedMember(trx, Number(request.memberId));
      if (member.leftOn || member.organizationId !== request.fromOrganizationId)
        throw new ConflictError('Член Профсоюза за это время выбыл или переведён: запрос устарел');
      if ((await membersWithLaterEvents(trx, [member.id], request.transferOn)) > 0)
        throw new ConflictError('В истории члена Профсоюза есть события позже даты перевода');
      const refusal = dates.problem(request.transferOn, []);
      if (refusal) throw new ConflictError(`Дата перевода в запросе не подходит: ${refusal}`);
      await transferMembers(trx, [member.id], request.toOrganizationId, {
        on: request.transferOn,
        actorUserId: ctx.actorUserId,
        reason: 'Перевод по запросу',
      });
    } else if (!reason) {
      throw new ValidationError([{ field: 'reason', message: 'Укажите причину отказа' }]);
    }
    await settleRequest(trx, requestId, { accept, reason, decidedBy: ctx.actorUserId });
    await recordAudit(trx, ctx, {
      action: accept ? 'member.transfer_accepted' : 'member.transfer_declined',
      entity: 'member',
      entityId: request.memberId,
      organizationId: request.toOrganizationId,
      newValues: { requestId, reason },
    });
    // once moved, the card is outside the requester's subtree: their link is their own list on the day
    // before the transfer, where the member still is
    const from = accept ? await findOrgById(trx, Number(request.fromOrganizationId)) : undefined;
    await notify?.(trx, {
      kind: 'transfer_decided',
      to: { userIds: [request.requestedBy] },
      title: accept ? 'Запрос на перевод принят: член Профсоюза переведён' : 'Запрос на перевод отклонён',
      body: accept ? `Дата перевода: ${formatDate(request.transferOn)}.` : `Причина: ${reason}`,
      link: from ? `/orgs/${from.inpo}/members?on=${addDays(request.transferOn, -1)}` : `/members/${request.memberId}`,
    });
  });
}
