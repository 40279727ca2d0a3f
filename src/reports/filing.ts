import type { Knex } from 'knex';
import { recordAudit, type AuditContext } from '../audit/audit';
import { inTransaction } from '../db/transaction';
import { ConflictError, ValidationError } from '../http/errors';
import type { ColumnValues } from './indicators/engine';
import type { ReportResult } from './report-builder';

// The filing workflow: a draft is computed on demand; filing freezes a version
// (submitted); the higher organization accepts it or returns it with a comment; an accepted report
// is reopened only by the higher level. Every version and every move is kept.

export type ReportStatus = 'draft' | 'submitted' | 'accepted' | 'returned';
export const REPORT_STATUS_LABELS: Record<ReportStatus | 'missing', string> = {
  missing: 'не начат',
  draft: 'черновик',
  submitted: 'сдан, на проверке',
  accepted: 'принят',
  returned: 'возвращён на доработку',
};
export const FILED_STATUSES: readonly ReportStatus[] = ['submitted', 'accepted'];

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

const REPORT_COLUMNS = { id: 'id', organizationId: 'organization_id', formCode: 'form_code', reportDate: 'report_date', status: 'status', updatedAt: 'updated_at' };

export async function findReport(db: Knex, organizationId: number, formCode: string, date: string): Promise<ReportRow | undefined> {
  return db('reports').where({ organization_id: organizationId, form_code: formCode, report_date: date }).first(REPORT_COLUMNS);
}

export async function listVersions(db: Knex, reportId: number): Promise<VersionRow[]> {
  return db('report_versions as v')
    .leftJoin('users as u', 'u.id', 'v.filed_by')
    .where('v.report_id', reportId)
    .orderBy('v.number', 'desc')
    .select({ id: 'v.id', number: 'v.number', formVersionId: 'v.form_version_id', result: 'v.result', filedBy: 'u.full_name', filedAt: 'v.filed_at' });
}

export async function latestVersion(db: Knex, reportId: number): Promise<VersionRow | undefined> {
  return (await listVersions(db, reportId))[0];
}

export async function listEvents(db: Knex, reportId: number) {
  return db('report_events as e')
    .leftJoin('users as u', 'u.id', 'e.actor_user_id')
    .where('e.report_id', reportId)
    .orderBy('e.id', 'desc')
    .select({ action: 'e.action', versionNumber: 'e.version_number', comment: 'e.comment', actor: 'u.full_name', at: 'e.happened_at' });
}

/** The report the previous reporting date's movement starts from, if it was filed. */
export async function filedLine(db: Knex, organizationId: number, formCode: string, date: string, lineNo: string): Promise<{ values: ColumnValues; filedAt: Date } | null> {
  const report = await findReport(db, organizationId, formCode, date);
  if (!report || !FILED_STATUSES.includes(report.status)) return null;
  const version = await latestVersion(db, report.id);
  const line = version?.result.sections.flatMap((s) => s.lines).find((l) => l.no === lineNo);
  return version && line ? { values: line.values, filedAt: version.filedAt } : null;
}

/**
 * The report's row, created by its first filing in the filing's transaction. Opening a draft does not
 * create it (a GET never writes): until filed, a report is "не начат" on the board, whoever looked at it.
 */
async function lockReport(trx: Knex.Transaction, organizationId: number, formCode: string, date: string): Promise<ReportRow> {
  await trx('reports').insert({ organization_id: organizationId, form_code: formCode, report_date: date, status: 'draft' }).onConflict(['organization_id', 'form_code', 'report_date']).ignore();
  return trx('reports').where({ organization_id: organizationId, form_code: formCode, report_date: date }).forUpdate().first(REPORT_COLUMNS);
}

async function addEvent(trx: Knex.Transaction, ctx: AuditContext, report: ReportRow, action: string, status: ReportStatus, comment: string | null, versionNumber: number | null) {
  await trx('reports').where({ id: report.id }).update({ status, updated_at: trx.fn.now() });
  await trx('report_events').insert({ report_id: report.id, action, comment, version_number: versionNumber, actor_user_id: ctx.actorUserId });
  await recordAudit(trx, ctx, {
    action: `report.${action}`, entity: 'report', entityId: report.id, organizationId: report.organizationId,
    oldValues: { status: report.status }, newValues: { status, formCode: report.formCode, date: report.reportDate, versionNumber, comment },
  });
}

/**
 * A version freezes which cards stood behind its controls, not their names: names are personal data that
 * outlive no card (retention clears them) and are shown only to readers who may open the card.
 */
function withoutNames(result: ReportResult): ReportResult {
  return { ...result, controls: result.controls.map((c) => ({ ...c, cards: c.cards.map(({ id, inpo }) => ({ id, inpo })) })) };
}

/** Freezes the computed report as a new version. Failed error-level controls block filing. */
export async function fileReport(db: Knex, ctx: AuditContext, organizationId: number, result: ReportResult): Promise<number> {
  const blocking = result.controls.filter((c) => c.severity === 'error');
  if (blocking.length) {
    throw new ValidationError(blocking.map((c) => ({ field: 'form', message: `Отчёт не сдан: не пройдена проверка «${c.message}»` })));
  }
  return inTransaction(db, async (trx) => {
    const report = await lockReport(trx, organizationId, result.form.code, result.date);
    if (report.status === 'accepted') throw new ConflictError('Отчёт уже принят вышестоящей организацией; изменить его можно только после возврата');
    // a repeat of a filing (a double click, two tabs) freezes nothing new: the same figures are already the filed version
    if (report.status === 'submitted') {
      const latest = await trx('report_versions').where({ report_id: report.id }).orderBy('number', 'desc')
        .first('number', trx.raw(`(result - 'computedAt') = (?::jsonb - 'computedAt') AS same`, [JSON.stringify(result)]));
      if (latest?.same) return Number(latest.number);
    }
    const row = await trx('report_versions').where({ report_id: report.id }).max<{ max: number | null }>('number as max').first();
    const number = Number(row?.max ?? 0) + 1;
    await trx('report_versions').insert({ report_id: report.id, number, form_version_id: result.form.formVersionId, result: JSON.stringify(withoutNames(result)), filed_by: ctx.actorUserId });
    await addEvent(trx, ctx, report, 'filed', 'submitted', null, number);
    return number;
  });
}

const TRANSITIONS = {
  accepted: { from: ['submitted'], status: 'accepted', refusal: 'Принять можно только сданный отчёт' },
  returned: { from: ['submitted'], status: 'returned', refusal: 'Вернуть можно только сданный и ещё не принятый отчёт' },
  reopened: { from: ['accepted'], status: 'returned', refusal: 'Открыть заново можно только принятый отчёт' },
} as const;

/** A decision of the higher organization on a filed report. */
export async function decide(db: Knex, ctx: AuditContext, organizationId: number, formCode: string, date: string, action: keyof typeof TRANSITIONS, comment: string | null) {
  const t = TRANSITIONS[action];
  await inTransaction(db, async (trx) => {
    const report = await trx('reports').where({ organization_id: organizationId, form_code: formCode, report_date: date }).forUpdate().first(REPORT_COLUMNS);
    if (!report || !(t.from as readonly string[]).includes(report.status)) throw new ConflictError(t.refusal);
    const latest = await trx('report_versions').where({ report_id: report.id }).max<{ max: number }>('number as max').first();
    await addEvent(trx, ctx, report, action, t.status, comment, latest?.max ?? null);
  });
}

export interface LineDiff {
  no: string;
  label: string;
  column: string;
  a: number | string | null;
  b: number | string | null;
}

/** Line-by-line differences between two reports of one form (versions, or live and filed). */
export function diffReports(a: ReportResult, b: ReportResult): LineDiff[] {
  const bLines = new Map(b.sections.flatMap((s) => s.lines).map((l) => [l.no, l]));
  const out: LineDiff[] = [];
  for (const line of a.sections.flatMap((s) => s.lines)) {
    const other = bLines.get(line.no);
    if (line.type === 'text') {
      if ((other?.text ?? null) !== (line.text ?? null)) out.push({ no: line.no, label: line.label, column: 'text', a: line.text ?? null, b: other?.text ?? null });
      continue;
    }
    for (const column of line.columns) {
      const av = line.values[column];
      const bv = other?.values[column] ?? null;
      if (av !== bv) out.push({ no: line.no, label: line.label, column, a: av, b: bv });
    }
  }
  return out;
}
