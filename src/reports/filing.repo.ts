import type { Knex } from 'knex';
import { selectOrg, type OrgRow } from '../registry/orgs.repo';
import type { ReportResult } from './report-builder';

export type ReportStatus = 'draft' | 'submitted' | 'accepted' | 'returned';

export interface ReportRow {
  id: number;
  organizationId: number;
  formCode: string;
  reportDate: string;
  status: ReportStatus;
  updatedAt: Date;
}

export interface VersionRow {
  id: number;
  number: number;
  formVersionId: number;
  result: ReportResult;
  filedBy: string | null;
  filedAt: Date;
}

const REPORT_COLUMNS = {
  id: 'id',
  organizationId: 'organization_id',
  formCode: 'form_code',
  reportDate: 'report_date',
  status: 'status',
  updatedAt: 'updated_at',
};

export async function findReport(
  db: Knex,
  organizationId: number,
  formCode: string,
  date: string,
): Promise<ReportRow | undefined> {
  return db('reports')
    .where({ organization_id: organizationId, form_code: formCode, report_date: date })
    .first(REPORT_COLUMNS);
}

/** The reports of many organizations on one date, of any of the forms: one query (a board's children). */
export async function findReportsOf(
  db: Knex,
  organizationIds: number[],
  formCodes: string[],
  date: string,
): Promise<ReportRow[]> {
  if (!organizationIds.length || !formCodes.length) return [];
  return db('reports')
    .whereIn('organization_id', organizationIds)
    .whereIn('form_code', formCodes)
    .where({ report_date: date })
    .select(REPORT_COLUMNS);
}

export async function listVersions(db: Knex, reportId: number): Promise<VersionRow[]> {
  return db('report_versions as v')
    .leftJoin('users as u', 'u.id', 'v.filed_by')
    .where('v.report_id', reportId)
    .orderBy('v.number', 'desc')
    .select({
      id: 'v.id',
      number: 'v.number',
      formVersionId: 'v.form_version_id',
      result: 'v.result',
      filedBy: 'u.full_name',
      filedAt: 'v.filed_at',
    });
}

export async function latestVersion(db: Knex, reportId: number): Promise<VersionRow | undefined> {
  return (await listVersions(db, reportId))[0];
}

export async function listEvents(db: Knex, reportId: number) {
  return db('report_events as e')
    .leftJoin('users as u', 'u.id', 'e.actor_user_id')
    .where('e.report_id', reportId)
    .orderBy('e.id', 'desc')
    .select({
      action: 'e.action',
      versionNumber: 'e.version_number',
      comment: 'e.comment',
      actor: 'u.full_name',
      at: 'e.happened_at',
    });
}

/**
 * The report's row, created by its first filing in the filing's transaction. Opening a draft does not
 * create it (a GET never writes): until filed, a report is "не начат" on the board, whoever looked at it.
 */
export async function lockReportForFiling(
  trx: Knex.Transaction,
  organizationId: number,
  formCode: string,
  date: string,
): Promise<ReportRow> {
  await trx('reports')
    .insert({ organization_id: organizationId, form_code: formCode, report_date: date, status: 'draft' })
    .onConflict(['organization_id', 'form_code', 'report_date'])
    .ignore();
  return trx('reports')
    .where({ organization_id: organizationId, form_code: formCode, report_date: date })
    .forUpdate()
    .first(REPORT_COLUMNS);
}

/** The report's row locked until the transaction ends, if it exists. */
export async function lockReport(
  trx: Knex.Transaction,
  organizationId: number,
  formCode: string,
  date: string,
): Promise<ReportRow | undefined> {
  return trx('reports')
    .where({ organization_id: organizationId, form_code: formCode, report_date: date })
    .forUpdate()
    .first(REPORT_COLUMNS);
}

/** The report's new status and the event that records the move. */
export async function recordReportEvent(
  trx: Knex.Transaction,
  reportId: number,
  event: {
    status: ReportStatus;
    action: string;
    comment: string | null;
    versionNumber: number | null;
    actorUserId: number | null;
  },
) {
  await trx('reports').where({ id: reportId }).update({ status: event.status, updated_at: trx.fn.now() });
  await trx('report_events').insert({
    report_id: reportId,
    action: event.action,
    comment: event.comment,
    version_number: event.versionNumber,
    actor_user_id: event.actorUserId,
  });
}

/** The number of the latest version when its figures equal `result`'s (the time of computing aside). */
export async function latestVersionIfSame(
  trx: Knex.Transaction,
  reportId: number,
  result: ReportResult,
): Promise<number | undefined> {
  const latest = await trx('report_versions')
    .where({ report_id: reportId })
    .orderBy('number', 'desc')
    .first('number', trx.raw(`(result - 'computedAt') = (?::jsonb - 'computedAt') AS same`, [JSON.stringify(result)]));
  return latest?.same ? Number(latest.number) : undefined;
}

export async function lastVersionNumber(trx: Knex.Transaction, reportId: number): Promise<number | null> {
  const row = await trx('report_versions')
    .where({ report_id: reportId })
    .max<{ max: number | null }>('number as max')
    .first();
  return row?.max == null ? null : Number(row.max);
}

export async function insertVersion(
  trx: Knex.Transaction,
  version: { reportId: number; number: number; formVersionId: number; result: ReportResult; filedBy: number | null },
) {
  await trx('report_versions').insert({
    report_id: version.reportId,
    number: version.number,
    form_version_id: version.formVersionId,
    result: JSON.stringify(version.result),
    filed_by: version.filedBy,
  });
}

export interface ReturnedReport {
  formCode: string;
  reportDate: string;
  comment: string | null;
  actor: string | null;
  at: Date;
}

/** An organization's reports now returned for rework, each with the latest return's comment, newest return first. */
export async function listReturnedReports(db: Knex, organizationId: number): Promise<ReturnedReport[]> {
  return db('reports as r')
    .joinRaw(
      `CROSS JOIN LATERAL (SELECT e.comment, e.happened_at, e.actor_user_id FROM report_events e
        WHERE e.report_id = r.id AND e.action IN ('returned', 'reopened') ORDER BY e.id DESC LIMIT 1) AS e`,
    )
    .leftJoin('users as u', 'u.id', 'e.actor_user_id')
    .where({ 'r.organization_id': organizationId, 'r.status': 'returned' })
    .orderBy('e.happened_at', 'desc')
    .select({
      formCode: 'r.form_code',
      reportDate: 'r.report_date',
      comment: 'e.comment',
      actor: 'u.full_name',
      at: 'e.happened_at',
    });
}

/** Who filed the report's latest version (the person a return or an acceptance concerns first). */
export async function lastFiler(db: Knex, reportId: number): Promise<number | null> {
  const row = await db('report_versions').where({ report_id: reportId }).orderBy('number', 'desc').first('filed_by');
  return row?.filed_by ?? null;
}

/** Every level files to its parent: ППО, territorial and okrug organizations, and the regions to the union. */
const FILING_LEVELS = ['regional', 'okrug', 'territorial', 'primary'];

/** Of these organizations (a parent's children on the date), those that existed on it and file a report, by name. */
export async function listFilingOrganizations(db: Knex, ids: number[], date: string): Promise<OrgRow[]> {
  return selectOrg(db)
    .whereIn('o.id', ids)
    .whereIn('o.level', FILING_LEVELS)
    .where('o.created_on', '<=', date)
    .where((q) => q.whereNull('o.liquidated_on').orWhere('o.liquidated_on', '>', date))
    .orderBy('o.name');
}

/** Of these organizations (a parent's children at the period's start), those that file a report and were merged or liquidated after `since` and by `date`, by name. */
export async function listDepartedOrganizations(
  db: Knex,
  ids: number[],
  since: string,
  date: string,
): Promise<OrgRow[]> {
  return selectOrg(db)
    .whereIn('o.id', ids)
    .whereIn('o.level', FILING_LEVELS)
    .where('o.liquidated_on', '>', since)
    .where('o.liquidated_on', '<=', date)
    .orderBy('o.name');
}
