import type { Knex } from 'knex';
import { authorize } from '../access/access';
import type { Principal } from '../access/principal';
import { recordAudit, type AuditContext } from '../audit/audit';
import { inTransaction } from '../db/transaction';
import { ConflictError, ValidationError } from '../http/errors';
import type { OrgRow } from '../registry/orgs.repo';
import { membersWithLaterEvents, transferMembers } from './membership';

/** Asks the receiving organization to take a member over; nothing moves until it accepts. */
export async function requestTransfer(db: Knex, ctx: AuditContext, member: { id: number; organizationId: number }, to: OrgRow, on: string) {
  await inTransaction(db, async (trx) => {
    if (await trx('transfer_requests').where({ member_id: member.id, status: 'pending' }).first()) {
      throw new ValidationError([{ field: 'toInpo', message: 'Запрос на перевод этого члена Профсоюза уже ждёт ответа' }]);
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
export async function decideRequest(db: Knex, principal: Principal, ctx: AuditContext, requestId: number, accept: boolean, reason: string | null) {
  await inTransaction(db, async (trx) => {
    const request = Number.isSafeInteger(requestId) ? await trx('transfer_requests as r').join('organizations as t', 't.id', 'r.to_organization_id')
      .where('r.id', requestId).forUpdate('r').first('r.*', 't.path', 't.level') : undefined;
    authorize(principal, 'member.edit', request ? { id: request.to_organization_id, path: request.path, level: request.level } : undefined);
    if (request.status !== 'pending') throw new ConflictError('Запрос уже рассмотрен');
    if (accept) {
      const member = await trx('members').where({ id: request.member_id }).first();
      if (!member || member.left_on || member.organization_id !== request.from_organization_id) throw new ConflictError('Член Профсоюза за это время выбыл или переведён: запрос устарел');
      if ((await membersWithLaterEvents(trx, [member.id], request.transfer_on)) > 0) throw new ConflictError('В истории члена Профсоюза есть события позже даты перевода');
      await transferMembers(trx, [Number(member.id)], request.to_organization_id, { on: request.transfer_on, actorUserId: ctx.actorUserId, reason: 'Перевод по запросу' });
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

