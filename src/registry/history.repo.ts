import type { Knex } from 'knex';

/** The organization's own audit trail, newest first, with the actor's name. */
export async function listOrgAudit(db: Knex, organizationId: number, limit = 200) {
  return db('audit_log as a')
    .leftJoin('users as u', 'u.id', 'a.actor_user_id')
    .where('a.organization_id', organizationId)
    .orderBy('a.id', 'desc')
    .limit(limit)
    .select({
      at: 'a.at',
      action: 'a.action',
      entity: 'a.entity',
      oldValues: 'a.old_values',
      newValues: 'a.new_values',
      actor: 'u.full_name',
      username: 'u.username',
    });
}
