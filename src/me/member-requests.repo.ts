import type { Knex } from 'knex';
import type { Changes } from './me.schemas';

export interface MemberRequestRow {
  id: number;
  memberId: number;
  kind: 'correction' | 'leave';
  changes: Changes;
  reason: string | null;
  leaveOn: string | null;
  status: 'pending' | 'approved' | 'rejected';
  proposedBy: number | null;
  createdAt: Date;
  decidedAt: Date | null;
  decisionReason: string | null;
}

const COLUMNS = {
  id: 'r.id',
  memberId: 'r.member_id',
  kind: 'r.kind',
  changes: 'r.changes',
  reason: 'r.reason',
  leaveOn: 'r.leave_on',
  status: 'r.status',
  proposedBy: 'r.proposed_by',
  createdAt: 'r.created_at',
  decidedAt: 'r.decided_at',
  decisionReason: 'r.decision_reason',
};

const typed = (row: MemberRequestRow): MemberRequestRow => ({
  ...row,
  id: Number(row.id),
  memberId: Number(row.memberId),
});

export async function insertMemberRequest(
  db: Knex,
  row: {
    memberId: number;
    kind: 'correction' | 'leave';
    changes: Changes;
    reason: string | null;
    leaveOn: string | null;
    proposedBy: number | null;
  },
): Promise<number> {
  const [inserted] = await db('member_requests')
    .insert({
      member_id: row.memberId,
      kind: row.kind,
      changes: JSON.stringify(row.changes),
      reason: row.reason,
      leave_on: row.leaveOn,
      proposed_by: row.proposedBy,
    })
    .returning('id');
  return Number(inserted.id);
}

/** A member's requests, newest first (a member makes a handful: no paging). */
export async function requestsOfMember(db: Knex, memberId: number): Promise<MemberRequestRow[]> {
  const rows = await db('member_requests as r').where('r.member_id', memberId).orderBy('r.id', 'desc').select(COLUMNS);
  return rows.map(typed);
}

/** The request, locked until the transaction ends (two deciders: the second finds it decided). */
export async function lockRequest(trx: Knex.Transaction, id: number): Promise<MemberRequestRow | undefined> {
  const row = await trx('member_requests as r').where('r.id', id).forUpdate().first(COLUMNS);
  return row ? typed(row) : undefined;
}

export async function decideRequestRow(
  trx: Knex.Transaction,
  id: number,
  status: 'approved' | 'rejected',
  decidedBy: number | null,
  reason: string | null,
): Promise<void> {
  await trx('member_requests')
    .where({ id, status: 'pending' })
    .update({ status, decided_by: decidedBy, decided_at: trx.fn.now(), decision_reason: reason });
}

export async function hasPendingLeave(db: Knex, memberId: number): Promise<boolean> {
  return !!(await db('member_requests').where({ member_id: memberId, kind: 'leave', status: 'pending' }).first('id'));
}

/** Pending requests of the members registered in the subtree: the pending ones are few, read by their partial index. */
function pendingIn(db: Knex, path: string) {
  return db('member_requests as r')
    .join('members as m', 'm.id', 'r.member_id')
    .join('organizations as o', 'o.id', 'm.organization_id')
    .where('r.status', 'pending')
    .whereRaw('o.path <@ ?::ltree', [path]);
}

export interface QueuedRequest extends MemberRequestRow {
  surname: string;
  name: string;
  patronymic: string | null;
  organizationId: number;
  organizationName: string;
  organizationPath: string;
  organizationLevel: string;
  current: Record<string, string | null>;
}

/** The queue of a subtree, oldest first, with each card's present values beside the proposed ones. */
export async function pendingRequestsIn(db: Knex, path: string, limit: number): Promise<QueuedRequest[]> {
  const rows = await pendingIn(db, path)
    .orderBy([{ column: 'r.created_at' }, { column: 'r.id' }])
    .limit(limit)
    .select({
      ...COLUMNS,
      surname: 'm.surname',
      name: 'm.name',
      patronymic: 'm.patronymic',
      phone: 'm.phone',
      email: 'm.email',
      category: 'm.category',
      position: 'm.position',
      professionalGroup: 'm.professional_group',
      organizationId: 'o.id',
      organizationName: 'o.name',
      organizationPath: 'o.path',
      organizationLevel: 'o.level',
    });
  return rows.map((r) => ({
    ...typed(r),
    surname: r.surname,
    name: r.name,
    patronymic: r.patronymic,
    organizationId: r.organizationId,
    organizationName: r.organizationName,
    organizationPath: r.organizationPath,
    organizationLevel: r.organizationLevel,
    current: {
      surname: r.surname,
      name: r.name,
      patronymic: r.patronymic,
      phone: r.phone,
      email: r.email,
      category: r.category,
      position: r.position,
      professionalGroup: r.professionalGroup,
    },
  }));
}

export async function countPendingIn(db: Knex, path: string): Promise<number> {
  const row = await pendingIn(db, path).count<{ n: string }>('r.id as n').first();
  return Number(row?.n ?? 0);
}
