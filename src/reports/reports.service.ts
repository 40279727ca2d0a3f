import type { Knex } from 'knex';
import { authorize, can } from '../access/access';
import type { Principal } from '../access/principal';
import type { AuditContext } from '../audit/audit';
import { NotFoundError, ValidationError, type FieldError } from '../http/errors';
import { eventDates, type EventDates } from '../shared/event-dates';
import { findOrgById, findOrgByInpo, findUnionRoot, type OrgRow } from '../registry/organizations.service';
import { INPO_PATTERN } from '../shared/inpo';
import { todayIso } from '../shared/dates';
import { FORM_CODE_PATTERN, type ColumnKey } from './forms/form-schema';
import {
  appliesTo,
  isPrimaryForm,
  findActiveForm,
  findFormVersion,
  listActiveForms,
  type FormVersion,
} from './forms/forms.repo';
import type { ColumnValues } from './indicators/engine';
import { distinctOverFiled } from './indicators/person-keys';
import { childrenOn } from './indicators/tree-on-date';
import { compiledForm } from './forms/compile';
import { FILED_STATUSES, decide, diffReports, filedLine, fileReport, isOverdue, type Decision } from './filing';
import {
  findReport,
  latestVersion,
  listEvents,
  listFilingOrganizations,
  listReturnedReports,
  listVersions,
  type ReturnedReport,
  type ReportRow,
  type VersionRow,
} from './filing.repo';
import { buildUnionStats } from './indicators/union-stats';
import { lastUnionStatsFailure } from './indicators/union-stats-failures';
import {
  REPORT_DATE_MESSAGE,
  currentReportingDate,
  dueDate,
  isIsoDate,
  isReportDate,
  isReportingDate,
  nextReportingDate,
  periodStart,
  recentReportingDates,
} from './periods';
import { noFiledLine, sumFiledLines } from './filed-sums';
import { buildReport, buildReportsForRoots, type ReportResult } from './report-builder';
import { readableReport } from './readable-cards';

export interface ReportTarget {
  org: OrgRow;
  form: FormVersion;
  date: string;
}

export function createReportsService(db: Knex, dates: EventDates = eventDates()) {
  /** Resolves (form, date) from a URL for an organization its route has already authorized. */
  async function target(org: OrgRow, code: string, date: string): Promise<ReportTarget> {
    if (!FORM_CODE_PATTERN.test(code) || !isIsoDate(date)) throw new NotFoundError();
    if (!isReportDate(date)) throw new NotFoundError(REPORT_DATE_MESSAGE);
    const form = await findActiveForm(db, code);
    if (!form || !appliesTo(form.definition, org))
      throw new NotFoundError('Эта форма не заполняется организацией такого уровня');
    return { org, form, date };
  }

  /**
   * The live draft: computed from the registry now. A primary form starts its movement from the report it
   * filed at the previous reporting date (the line its definition carries forward; a back-dated change then
   * fails the movement control); a consolidated form adds up its ППО, each from its own start, whatever the
   * territory filed before.
   */
  async function draft(
    t: ReportTarget,
    form: FormVersion = t.form,
    options: { personKeys?: boolean } = {},
  ): Promise<ReportResult> {
    const carried = form.definition.kind === 'lines' ? form.definition.carriedForward : undefined;
    const previous = carried
      ? await filedLine(db, t.org.id, form.code, periodStart(form.definition, t.date), carried.line)
      : null;
    return buildReport(db, form, t.org, t.date, { previousFiled: previous, ...options });
  }

  /** A filed version, rendered with the form version it was made with. */
  async function version(t: ReportTarget, number: number): Promise<VersionRow> {
    const report = await findReport(db, t.org.id, t.form.code, t.date);
    const found = report && (await listVersions(db, report.id)).find((v) => v.number === number);
    if (!found) throw new NotFoundError('Такой версии отчёта нет');
    return found;
  }

  /** What the downloads give by default: the latest filed version when there is one, else the live draft. */
  async function current(
    t: ReportTarget,
  ): Promise<{ result: ReportResult; report: ReportRow | undefined; filed: VersionRow | undefined }> {
    const report = await findReport(db, t.org.id, t.form.code, t.date);
    const filed = report && FILED_STATUSES.includes(report.status) ? await latestVersion(db, report.id) : undefined;
    return { result: filed ? filed.result : await draft(t), report, filed };
  }

  /** The organizations that file to this one: its direct regional, okrug, territorial and ППО children on the date (in the tree of that date). */
  async function filingChildren(org: OrgRow, date: string): Promise<OrgRow[]> {
    return listFilingOrganizations(db, await childrenOn(db, org.id, date), date);
  }

  /**
   * For each child: the form it files among those this form consolidates, and its report on the date. A ППО
   * with territorial rights consolidates itself too: its own members are on its own primary form.
   */
  async function childFilings(t: ReportTarget) {
    const codes = t.form.definition.kind === 'lines' ? (t.form.definition.consolidates ?? []) : [];
    const itself = codes.length && t.org.level === 'primary' ? [t.org] : [];
    const children = [...itself, ...(await filingChildren(t.org, t.date))];
    const active = (await listActiveForms(db)).filter((f) => codes.includes(f.code));
    return Promise.all(
      children.map(async (org) => {
        const formOf = (f: FormVersion | undefined): f is FormVersion =>
          !!f && appliesTo(f.definition, org) && (org !== t.org || isPrimaryForm(f.code));
        const form = codes.map((c) => active.find((f) => f.code === c)).find(formOf);
        const report = form ? await findReport(db, org.id, form.code, t.date) : undefined;
        const filed = report && FILED_STATUSES.includes(report.status) ? await latestVersion(db, report.id) : undefined;
        return { org, form, report, filed, due: form ? dueDate(form.definition, t.date) : t.date };
      }),
    );
  }

  /**
   * The consolidated form two ways — live from the registry and summed from the children's filed
   * reports — and, for every line that differs, the children whose filed figures differ from the live ones.
   */
  async function compare(t: ReportTarget) {
    const [{ filings, fromFiled }, live] = await Promise.all([consolidateFiled(t), draft(t)]);
    return compareWith(filings, live, fromFiled, await liveChildren(filings, t.date));
  }

  /** The consolidation from the children's filed reports alone (what `?source=filed` shows: no live computation). */
  async function consolidateFiled(t: ReportTarget) {
    const filings = await childFilings(t);
    const { sums, gaps } = sumFiledLines(
      filings.flatMap((f) => (f.filed ? [{ org: f.org, result: f.filed.result }] : [])),
    );
    const form = t.form.definition.kind === 'lines' ? compiledForm(t.form.definition) : undefined;
    // distinct persons are counted over the children's kept persons, not added up (person-keys.ts)
    const distinct = form
      ? distinctOverFiled(
          form,
          filings.flatMap((f) => (f.filed ? [{ org: f.org, result: f.filed.result }] : [])),
        )
      : { lines: new Map<string, ColumnValues>(), unkept: [] };
    for (const [no, values] of distinct.lines) sums.set(no, values);
    if (distinct.unkept.length) {
      gaps.push({
        message:
          'Строки «разные лица» сложены по отчётам, сданным до того, как отчёты стали хранить, кого они считают: человек с постами в нескольких из этих организаций посчитан несколько раз',
        orgs: distinct.unkept.map((o) => ({ inpo: o.inpo, name: o.name })),
        total: distinct.unkept.length,
      });
    }
    return {
      filings,
      fromFiled: await buildReport(db, t.form, t.org, t.date, {
        override: (no) => sums.get(no) ?? noFiledLine(form, no),
        filedGaps: gaps,
      }),
    };
  }

  /** The comparison's two sides and the children behind each differing line. */
  async function compareWith(
    filings: Awaited<ReturnType<typeof childFilings>>,
    live: ReportResult,
    fromFiled: ReportResult,
    childLive: Map<number, ReportResult>,
  ) {
    const summable = new Set(
      fromFiled.sections
        .flatMap((s) => s.lines)
        .filter((l) => l.type === 'count')
        .map((l) => l.no),
    );
    const differences = diffReports(live, fromFiled).map((d) => ({
      ...d,
      children: filings
        .map((f) => {
          const liveLine = childLive
            .get(f.org.id)
            ?.sections.flatMap((s) => s.lines)
            .find((l) => l.no === d.no);
          const filedLine = f.filed?.result.sections.flatMap((s) => s.lines).find((l) => l.no === d.no);
          const lv = liveLine?.values[d.column as ColumnKey] ?? null;
          // a line the child's form lacks contributes 0; a value its report lacks (no headcount) stays absent
          const fv = f.filed ? (filedLine ? (filedLine.values[d.column as ColumnKey] ?? null) : 0) : null;
          return { org: f.org, live: lv, filed: fv, hasFiled: !!f.filed, status: f.report?.status ?? 'missing' };
        })
        .filter((c) => summable.has(d.no) && c.live !== c.filed),
    }));
    return { live, fromFiled, filings, differences };
  }

  /** Each child's live draft on the form it files itself (one computation per form). */
  async function liveChildren(
    filings: { org: OrgRow; form?: FormVersion }[],
    date: string,
  ): Promise<Map<number, ReportResult>> {
    const byForm = new Map<number, { form: FormVersion; orgs: OrgRow[] }>();
    for (const f of filings) {
      if (!f.form) continue;
      const entry = byForm.get(f.form.id) ?? { form: f.form, orgs: [] };
      entry.orgs.push(f.org);
      byForm.set(f.form.id, entry);
    }
    const built = new Map<number, ReportResult>();
    for (const { form, orgs } of byForm.values())
      for (const [id, r] of await buildReportsForRoots(db, form, orgs, date)) built.set(id, r);
    return built;
  }

  /**
   * The children's sheets of a consolidated download, following the main sheet's source: the filed
   * versions as they were frozen (each on its own form version; a child that has not filed has none),
   * or the live drafts.
   */
  async function childReports(t: ReportTarget, source: 'live' | 'filed'): Promise<ReportResult[]> {
    const filings = await childFilings(t);
    if (source === 'filed') return filings.flatMap((f) => (f.filed ? [f.filed.result] : []));
    const built = await liveChildren(filings, t.date);
    return filings.map((f) => built.get(f.org.id)).filter((r): r is ReportResult => !!r);
  }

  /** The filing board: each child, its form, status, filing time and whether it is late. */
  async function board(t: ReportTarget) {
    const today = todayIso();
    const filings = await childFilings(t);
    return filings.map((f) => {
      const status = f.report?.status ?? 'missing';
      return { ...f, status, late: isOverdue(f.report, f.due, today) };
    });
  }

  /** The forms an organization files, for its reports page. */
  async function formsOf(org: OrgRow): Promise<FormVersion[]> {
    return (await listActiveForms(db)).filter((f) => appliesTo(f.definition, org));
  }

  /**
   * The reports page: for each form the organization files, the next reporting date first (what is
   * prepared now), then the recent ones, each with its deadline and whether it is overdue.
   */
  async function calendarOf(org: OrgRow) {
    const today = dates.today();
    return Promise.all(
      (await formsOf(org)).map(async (form) => ({
        form,
        dates: await Promise.all(
          [nextReportingDate(form.definition, today), ...recentReportingDates(form.definition, today)].map(
            async (date) => {
              const report = await reportOf({ org, form, date });
              const due = dueDate(form.definition, date);
              return { date, report, due, upcoming: date > today, overdue: isOverdue(report, due, today) };
            },
          ),
        ),
      })),
    );
  }

  /** The higher organization that accepts or returns this organization's reports. */
  async function higher(
    principal: Principal,
    org: OrgRow,
  ): Promise<{ parent: OrgRow | undefined; mayDecide: boolean }> {
    const parent = org.parentId ? await findOrgById(db, org.parentId) : undefined;
    return { parent, mayDecide: !!parent && can(principal, 'report.accept', parent) };
  }

  async function previewVersion(
    id: number,
    principal: Principal,
    inpo: string,
    date: string,
  ): Promise<{ form: FormVersion; result: ReportResult | null; org: OrgRow | null; notApplicable: boolean }> {
    const form = await findFormVersion(db, id);
    if (!form) throw new NotFoundError();
    if (!INPO_PATTERN.test(inpo) || !isReportDate(date)) return { form, result: null, org: null, notApplicable: false };
    const org = await findOrgByInpo(db, inpo);
    authorize(principal, 'report.view', org);
    if (!appliesTo(form.definition, org!)) return { form, result: null, org: org!, notApplicable: true };
    return { form, result: await buildReport(db, form, org!, date), org: org!, notApplicable: false };
  }

  /**
   * Brings the union's maintained statistics up to date for the current reporting date of every form the
   * union files (hourly housekeeping): the union's report then reads sums instead of recomputing blocks.
   * A period that fails is logged and recorded, and the others are still built.
   */
  async function warmUnionStats(today: string) {
    const union = await findUnionRoot(db);
    if (!union) return;
    const periods = new Set<string>();
    for (const form of await formsOf(union)) {
      if (form.definition.kind !== 'lines') continue;
      const date = currentReportingDate(form.definition, today);
      periods.add(`${date}|${periodStart(form.definition, date)}`);
    }
    for (const period of periods) {
      const [date, start] = period.split('|') as [string, string];
      await buildUnionStats(db, date, start);
    }
  }

  /**
   * Files the live draft (with the persons it counts, for consolidations from filed reports): the new
   * version's number, or the messages of what refused it (failed controls), shown above the report.
   * A date the form is not filed on is the request's error.
   */
  async function file(ctx: AuditContext, t: ReportTarget): Promise<{ number: number } | { refused: FieldError[] }> {
    if (!isReportingDate(t.form.definition, t.date)) {
      throw new ValidationError([
        {
          field: 'form',
          message: `Отчёт по форме ${t.form.definition.name} сдаётся на даты: ${t.form.definition.reportingDates.map((d) => d.split('-').reverse().join('.')).join(', ')}`,
        },
      ]);
    }
    dates.checkPast('form', t.date, 'Отчёт сдаётся за прошедшую дату: дата отчёта');
    const result = await draft(t, t.form, { personKeys: true });
    try {
      return { number: await fileReport(db, ctx, t.org.id, result) };
    } catch (err) {
      if (err instanceof ValidationError) return { refused: err.fields };
      throw err;
    }
  }

  /** The higher organization's decision on a filed report (whether this user may decide it is the route's `higher` check). */
  const decideOn = (ctx: AuditContext, t: ReportTarget, decision: Decision, comment: string | null) =>
    decide(db, ctx, t.org.id, t.form.code, t.date, decision, comment);

  /** The report's row (status) at its date, if it has been filed. */
  const reportOf = (t: Pick<ReportTarget, 'org' | 'date'> & { form: { code: string } }) =>
    findReport(db, t.org.id, t.form.code, t.date);

  /** A filed report's versions and workflow events, newest first. */
  async function historyOf(report: ReportRow | undefined) {
    if (!report) return { versions: [], events: [] };
    const [versions, events] = await Promise.all([listVersions(db, report.id), listEvents(db, report.id)]);
    return { versions, events };
  }

  /** The reports returned to this organization for fixing, with the form's name as its chair knows it («5-СП»). */
  async function returnedReports(organizationId: number): Promise<(ReturnedReport & { formName: string })[]> {
    const returned = await listReturnedReports(db, organizationId);
    if (!returned.length) return [];
    const names = new Map((await listActiveForms(db)).map((f) => [f.code, f.definition.name]));
    return returned.map((r) => ({ ...r, formName: names.get(r.formCode) ?? r.formCode }));
  }

  return {
    target,
    draft,
    file,
    decide: decideOn,
    reportOf,
    historyOf,
    version,
    current,
    childFilings,
    childReports,
    compare,
    consolidateFiled,
    board,
    formsOf,
    calendarOf,
    higher,
    previewVersion,
    filingChildren,
    returnedReports,
    /** The report as this reader may see it: the cards behind its controls named only where they may open them. */
    readableFor: (principal: Principal, result: ReportResult) => readableReport(db, principal, result),
    warmUnionStats,
    /** The last failed build of the union's statistics, for the federal administrator's forms page. */
    lastUnionStatsFailure: () => lastUnionStatsFailure(db),
  };
}

export type ReportsService = ReturnType<typeof createReportsService>;
