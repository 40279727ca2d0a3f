import type { Knex } from 'knex';

export interface TransferRequestRow {
  id: number;
  memberId: number;
  fromOrganizationId: number;
  toOrganizationId: number;
  transferOn: string;
  status: 'pending' | 'accepted' | 'declined';
  requestedBy: number | null;
}

const REQUEST_COLUMNS = {
  id: 'r.id',
  memberId: 'r.member_id',
  fromOrganizationId: 'r.from_organization_id',
  toOrganizationId: 'r.to_organization_id',
  transferOn: 'r.transfer_on',
  status: 'r.status',
  requestedBy: 'r.requested_by',
};

export async function hasPendingRequest(trx: Knex, memberId: number): Promise<boolean> {
  return Boolean(await trx('transfer_requests').where({ member_id: memberId, status: 'pending' }).first('id'));
}

export async function insertRequest(
  trx: Knex,
  request: {
    memberId: number;
    fromOrganizationId: number;
    toOrganizationId: number;
    on: string;
    requestedBy: number | null;
  },
) {
  const [row] = await trx('transfer_requests')
    .insert({
      member_id: request.memberId,
      from_organization_id: request.fromOrganizationId,
      to_organization_id: request.toOrganizationId,
      transfer_on: request.on,
      requested_by: request.requestedBy,
    })
    .returning('id');
  return row.id as number;
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
    .select({
      id: 'r.id',
      on: 'r.transfer_on',
      surname: 'm.surname',
      name: 'm.name',
      patronymic: 'm.patronymic',
      birthDate: 'm.birth_date',
      fromName: 'f.name',
      toName: 't.name',
    });
}

/** How many pending requests are addressed to organizations of a subtree: what `incomingRequests` lists. */
export async function countIncomingRequests(db: Knex, rootPath: string): Promise<number> {
  const row = await db('transfer_requests as r')
    .join('organizations as t', 't.id', 'r.to_organization_id')
    .where('r.status', 'pending')
    .whereRaw('t.path <@ ?::ltree', [rootPath])
    .count({ n: '*' })
    .first();
  return Number(row?.n ?? 0);
}

/** A request with the organization it is addressed to (the one that decides it). */
export async function findRequest(
  db: Knex,
  id: number,
): Promise<(TransferRequestRow & { receiver: { id: number; path: string; level: string } }) | undefined> {
  const row = await db('transfer_requests as r')
    .join('organizations as t', 't.id', 'r.to_organization_id')
    .where('r.id', id)
    .first({ ...REQUEST_COLUMNS, receiverPath: 't.path', receiverLevel: 't.level' });
  return row && { ...row, receiver: { id: row.toOrganizationId, path: row.receiverPath, level: row.receiverLevel } };
}

/** The request locked until the transaction ends, as it is now. */
export async function lockRequest(trx: Knex, id: number): Promise<TransferRequestRow | undefined> {
  return trx('transfer_requests as r').where('r.id', id).forUpdate().first(REQUEST_COLUMNS);
}

export async function settleRequest(
  trx: Knex,
  id: number,
  decision: { accept: boolean; reason: string | null; decidedBy: number | null },
) {
  await trx('transfer_requests')
    .where({ id })
    .update({
      status: decision.accept ? 'accepted' : 'declined',
      decided_by: decision.decidedBy,
      decided_at: trx.fn.now(),
      decline_reason: decision.accept ? null : decision.reason,
    });
}
