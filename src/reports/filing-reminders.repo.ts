import type { Knex } from 'knex';
import { selectOrg, type OrgRow } from '../registry/orgs.repo';

/** Who files at an organization and is reminded of its deadline. */
export const FILER_ROLES = ['chair', 'statistician', 'coordinator'];

/**
 * The organizations existing on the reporting date whose report of the form on the date is not filed (none,
 * a draft or returned) and where a filer (a valid grant, not blocked) has not yet had the reminder keyed
 * `${reminderKey}${organization id}`. The hourly job reads only those: the tens of thousands of ППО already
 * told today are skipped in SQL (one index probe per filer) instead of being told again and deduplicated
 * row by row. Which of them file the form is the form's own rule, applied by the caller.
 */
export async function organizationsNotFiled(
  db: Knex,
  formCode: string,
  date: string,
  reminderKey: string,
): Promise<OrgRow[]> {
  return selectOrg(db)
    .where('o.created_on', '<=', date)
    .where((q) => q.whereNull('o.liquidated_on').orWhere('o.liquidated_on', '>', date))
    .whereExists(
      db('role_grants as g')
        .join('users as u', 'u.id', 'g.user_id')
        .whereRaw('g.organization_id = o.id')
        .whereIn('g.role', FILER_ROLES)
        .whereNull('u.blocked_at')
        .where((v) => v.whereNull('g.valid_until').orWhere('g.valid_until', '>=', db.raw('CURRENT_DATE')))
        .whereNotExists(
          db('notifications as n')
            .whereRaw('n.user_id = g.user_id')
            .whereRaw('n.dedupe_key = ? || o.id::text', [reminderKey]),
        ),
    )
    .whereNotExists(
      db('reports as r')
        .whereRaw('r.organization_id = o.id')
        .where({ 'r.form_code': formCode, 'r.report_date': date })
        .whereIn('r.status', ['submitted', 'accepted']),
    );
}
