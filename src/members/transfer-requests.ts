import type { Knex } from 'knex';
import { authorize } from '../access/access';
import type { Principal } from '../access/principal';
import { recordAudit, type AuditContext } from '../audit/audit';
import { inTransaction } from '../db/transaction';
import { ConflictError, ValidationError } from '../http/errors';
import type { Seen } from '../http/versioned-forms';
import type { OrgRow } from '../registry/orgs.repo';
import { eventDates, type EventDates } from '../shared/event-dates';
import { historyBounds, membersWithLaterEvents, transferMembers } from '../membership/membership';
import { lockedMember } from './member-versions';

const fieldError = (field: string, message: string) => new ValidationError([{ field, message }]);

/**
 * Asks the receiving organization to take a member over; nothing moves until it accepts. The card is
 * locked while the request is made, so simultaneous requests for one member find each other.
 */
export async function requestTransfer(db: Knex, ctx: AuditContext, memberId: number, to: OrgRow, on: string, options: { dates?: EventDates; seen?: Seen } = {}) {
  await inTransaction(db, async (trx) => {
    const member = await lockedMember(trx, memberId, options.seen);
    if (member.leftOn) throw fieldError('toInpo', 'Член Профсоюза выбыл: перевод невозможен');
    if (to.id === member.organizationId) throw fieldError('toInpo', 'Член Профсоюза уже состоит на учёте в этой организации');
    (options.dates ?? eventDates()).check('on', on, await historyBounds(trx, member));
    if (await trx('transfer_requests').where({ member_id: member.id, status: 'pending' }).first()) {
      throw fieldError('toInpo', 'Запрос на перевод этого члена Профсоюза уже ждёт ответа');
    }
    const [row] = await trx('transfer_requests')
      .insert({ member_id: member.id, from_organization_id: member.organizationId, to_organization_id: to.id, transfer_on: on, requested_by: ctx.actorUserId })
      .returning('id');
    await recordAudit(trx, ctx, { action: 'member.transfer_requested', entity: 'member', entityId: member.id, organizationId: member.organizationId, newValues: { requestId: row.id, to: to.inpo, on } });
  });
}

/** Pending requests addressed to organizations of a subtree. */
export async function incomingRequests(db: Knex, rootPath: string) {
  return db('transfer_requests as r')
    .join('members as m', 'm.id', 'r.member_id')
    .join('organizations as f', 'f.id', 'r.from_organization_id')
    .join('organizations as t', 't.id', 'r.to_organization_id')
    .where('r.status', 'pending')
    .whereRaw('t.path <@ ?::ltree', [rootPath])
    .orderBy('r.id')
    .select({ id: 'r.id', on: 'r.transfer_on', surname: 'm.surname', name: 'm.name', patronymic: 'm.patronymic', birthDate: 'm.birth_date', fromName: 'f.name', toName: 't.name' });
}

export async function pendingRequestOf(db: Knex, memberId: number) {
  return db('transfer_requests as r').join('organizations as t', 't.id', 'r.to_organization_id').where({ 'r.member_id': memberId, 'r.status': 'pending' })
    .first({ id: 'r.id', on: 'r.transfer_on', toName: 't.name' });
}

/** The receiving side decides: accepting performs the transfer (one transaction, visible to both sides). */
export async function decideRequest(
  db: Knex, principal: Principal, ctx: AuditContext, requestId: number, accept: boolean, reason: string | null, dates: EventDates = eventDates(),
) {
  await inTransaction(db, async (trx) => {
    const request = Number.isSafeInteger(requestId) ? await trx('transfer_requests as r').join('organizations as t', 't.id', 'r.to_organization_id')
      .where('r.id', requestId).forUpdate('r').first('r.*', 't.path', 't.level') : undefined;
    authorize(principal, 'member.edit', request ? { id: request.to_organization_id, path: request.path, level: request.level } : undefined);
    if (request.status !== 'pending') throw new ConflictError('Запрос уже рассмотрен');
    if (accept) {
      const member = await lockedMember(trx, Number(request.member_id));
      if (member.leftOn || member.organizationId !== request.from_organization_id) throw new ConflictError('Член Профсоюза за это время выбыл или переведён: запрос устарел');
      if ((await membersWithLaterEvents(trx, [member.id], request.transfer_on)) > 0) throw new ConflictError('В истории члена Профсоюза есть события позже даты перевода');
      const refusal = dates.problem(request.transfer_on, []);
      if (refusal) throw new ConflictError(`Дата перевода в запросе не подходит: ${refusal}`);
      await transferMembers(trx, [member.id], request.to_organization_id, { on: request.transfer_on, actorUserId: ctx.actorUserId, reason: 'Перевод по запросу' });
    } else if (!reason) {
      throw new ValidationError([{ field: 'reason', message: 'Укажите причину отказа' }]);
    }
    await trx('transfer_requests').where({ id: requestId }).update({ status: accept ? 'accepted' : 'declined', decided_by: ctx.actorUserId, decided_at: trx.fn.now(), decline_reason: accept ? null : reason });
    await recordAudit(trx, ctx, {
      action: accept ? 'member.transfer_accepted' : 'member.transfer_declined', entity: 'member', entityId: request.member_id,
      organizationId: request.to_organization_id, newValues: { requestId, reason },
    });
  });
}

