import type { Knex } from 'knex';
import { recordAudit, type AuditContext } from '../audit/audit';
import { inTransaction } from '../db/transaction';
import { ConflictError, ValidationError } from '../http/errors';
import type { ColumnValues } from './indicators/engine';
import {
  findReport,
  insertVersion,
  lastVersionNumber,
  latestVersion,
  latestVersionIfSame,
  lockReport,
  lockReportForFiling,
  recordReportEvent,
  type ReportRow,
  type ReportStatus,
} from './filing.repo';
import type { ReportResult } from './report-builder';

// The filing workflow: a draft is computed on demand; filing freezes a version
// (submitted); the higher organization accepts it or returns it with a comment; an accepted report
// is reopened only by the higher level. Every version and every move is kept.

export const REPORT_STATUS_LABELS: Record<ReportStatus | 'missing', string> = {
  missing: 'не начат',
  draft: 'черновик',
  submitted: 'сдан, на проверке',
  accepted: 'принят',
  returned: 'возвращён на доработку',
};
export const FILED_STATUSES: readonly ReportStatus[] = ['submitted', 'accepted'];

/** The higher organization's latest return (or reopening) among a report's events, newest first: what the chair is asked to fix. */
export function lastReturn<E extends { action: string }>(events: E[]): E | undefined {
  return events.find((e) => e.action === 'returned' || e.action === 'reopened');
}

/** A report not filed (or returned) after its deadline has passed. */
export function isOverdue(report: { status: ReportStatus } | undefined, due: string, today: string): boolean {
  return !(report && FILED_STATUSES.includes(report.status)) && today > due;
}

/** The report the previous reporting date's movement starts from, if it was filed. */
export async function filedLine(
  db: Knex,
  organizationId: number,
  formCode: string,
  date: string,
  lineNo: string,
): Promise<{ values: ColumnValues; filedAt: Date } | null> {
  const report = await findReport(db, organizationId, formCode, date);
  if (!report || !FILED_STATUSES.includes(report.status)) return null;
  const version = await latestVersion(db, report.id);
  const line = version?.result.sections.flatMap((s) => s.lines).find((l) => l.no === lineNo);
  return version && line ? { values: line.values, filedAt: version.filedAt } : null;
}

/** A move of the workflow: the report's new status, its event and the audit row. */
async function addEvent(
  trx: Knex.Transaction,
  ctx: AuditContext,
  report: ReportRow,
  action: string,
  status: ReportStatus,
  comment: string | null,
  versionNumber: number | null,
) {
  await recordReportEvent(trx, report.id, { status, action, comment, versionNumber, actorUserId: ctx.actorUserId });
  await recordAudit(trx, ctx, {
    action: `report.${action}`,
    entity: 'report',
    entityId: report.id,
    organizationId: report.organizationId,
    oldValues: { status: report.status },
    newValues: { status, formCode: report.formCode, date: report.reportDate, versionNumber, comment },
  });
}

/**
 * A version freezes which cards stood behind its controls, not their names: names are personal data that
 * outlive no card (retention clears them) and are shown only to readers who may open the card.
 */
function withoutNames(result: ReportResult): ReportResult {
  return {
    ...result,
    controls: result.controls.map((c) => ({ ...c, cards: c.cards.map(({ id, inpo }) => ({ id, inpo })) })),
  };
}

/** A move of the workflow as its followers (notifications) learn of it, inside its transaction. */
export type FilingFollower = (
  trx: Knex.Transaction,
  move: { action: 'filed' | Decision; reportId: number; comment: string | null },
) => Promise<void>;

/** Freezes the computed report as a new version. Failed error-level controls block filing. */
export async function fileReport(
  db: Knex,
  ctx: AuditContext,
  organizationId: number,
  result: ReportResult,
  follow?: FilingFollower,
): Promise<number> {
  const blocking = result.controls.filter((c) => c.severity === 'error');
  if (blocking.length) {
    throw new ValidationError(
      blocking.map((c) => ({ field: 'form', message: `Отчёт не сдан: не пройдена проверка «${c.message}»` })),
    );
  }
  return inTransaction(db, async (trx) => {
    const report = await lockReportForFiling(trx, organizationId, result.form.code, result.date);
    if (report.status === 'accepted')
      throw new ConflictError('Отчёт уже принят вышестоящей организацией; изменить его можно только после возврата');
    // a repeat of a filing (a double click, two tabs) freezes nothing new: the same figures are already the filed version
    if (report.status === 'submitted') {
      const same = await latestVersionIfSame(trx, report.id, result);
      if (same !== undefined) return same;
    }
    const number = ((await lastVersionNumber(trx, report.id)) ?? 0) + 1;
    await insertVersion(trx, {
      reportId: report.id,
      number,
      formVersionId: result.form.formVersionId,
      result: withoutNames(result),
      filedBy: ctx.actorUserId,
    });
    await addEvent(trx, ctx, report, 'filed', 'submitted', null, number);
    await follow?.(trx, { action: 'filed', reportId: report.id, comment: null });
    return number;
  });
}

const TRANSITIONS = {
  accepted: { from: ['submitted'], status: 'accepted', refusal: 'Принять можно только сданный отчёт' },
  returned: {
    from: ['submitted'],
    status: 'returned',
    refusal: 'Вернуть можно только сданный и ещё не принятый отчёт',
  },
  reopened: { from: ['accepted'], status: 'returned', refusal: 'Открыть заново можно только принятый отчёт' },
} as const;

export type Decision = keyof typeof TRANSITIONS;

/** A decision of the higher organization on a filed report. */
export async function decide(
  db: Knex,
  ctx: AuditContext,
  organizationId: number,
  formCode: string,
  date: string,
  action: Decision,
  comment: string | null,
  follow?: FilingFollower,
) {
  const t = TRANSITIONS[action];
  await inTransaction(db, async (trx) => {
    const report = await lockReport(trx, organizationId, formCode, date);
    if (!report || !(t.from as readonly string[]).includes(report.status)) throw new ConflictError(t.refusal);
    await addEvent(trx, ctx, report, action, t.status, comment, await lastVersionNumber(trx, report.id));
    await follow?.(trx, { action, reportId: report.id, comment });
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
      if ((other?.text ?? null) !== (line.text ?? null))
        out.push({ no: line.no, label: line.label, column: 'text', a: line.text ?? null, b: other?.text ?? null });
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
