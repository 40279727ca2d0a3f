import type { Knex } from 'knex';
import { selectOrg, type OrgRow } from '../registry/orgs.repo';

/** Who files at an organization and is reminded of its deadline. */
export const FILER_ROLES = ['chair', 'statistician', 'coordinator'];

/**
 * The organizations existing on the reporting date, with someone holding a filer's grant, whose report of
 * the form on the date is not filed (none, a draft or returned); which of them file the form is the
 * form's own rule, applied by the caller.
 */
export async function organizationsNotFiled(db: Knex, formCode: string, date: string): Promise<OrgRow[]> {
  return selectOrg(db)
    .where('o.created_on', '<=', date)
    .where((q) => q.whereNull('o.liquidated_on').orWhere('o.liquidated_on', '>', date))
    .whereExists(db('role_grants as g').whereRaw('g.organization_id = o.id').whereIn('g.role', FILER_ROLES))
    .whereNotExists(
      db('reports as r')
        .whereRaw('r.organization_id = o.id')
        .where({ 'r.form_code': formCode, 'r.report_date': date })
        .whereIn('r.status', ['submitted', 'accepted']),
    );
}
