import type { Knex } from 'knex';
import { latestFiledFigures } from './filed-figures.repo';
import type { NotificationsService } from '../notifications/notifications.service';
import { filingNotices } from './filing-notices';
import { authorize, can } from '../access/access';
import type { Principal } from '../access/principal';
import type { AuditContext } from '../audit/audit';
import { primaryReads, type ReadPlace, type Reads } from '../db/replica';
import { NotFoundError, ValidationError, type FieldError } from '../http/errors';
import { eventDates, type EventDates } from '../shared/event-dates';
import { findOrgById, findOrgByInpo, findUnionRoot, type OrgRow } from '../registry/organizations.service';
import { INPO_PATTERN } from '../shared/inpo';
import { todayIso } from '../shared/dates';
import { FORM_CODE_PATTERN } from './forms/form-schema';
import { appliesTo, findActiveForm, findFormVersion, listActiveForms, type FormVersion } from './forms/forms.repo';
import { FILED_STATUSES, decide, fileReport, isOverdue, type Decision } from './filing';
import {
  findReport,
  findReportsOf,
  latestVersion,
  listEvents,
  listReturnedReports,
  listVersions,
  type ReturnedReport,
  type ReportRow,
  type VersionRow,
} from './filing.repo';
import { buildUnionStats, builtUnionTotal } from './indicators/union-stats';
import { cachedMembersOn } from './indicators/member-state-cache';
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
import { buildReport, type ReportResult } from './report-builder';
import { reportComputations, type ReportComputations, type ReportTarget } from './report-computations';
import { readableReport } from './readable-cards';

export type { ReportTarget } from './report-computations';

/** A child's report in a filing campaign: filed (submitted or accepted), accepted, returned, overdue — each 0 or 1, or summed. */
export interface FilingCounts {
  filed: number;
  accepted: number;
  returned: number;
  overdue: number;
}
const FILING_KEYS = ['filed', 'accepted', 'returned', 'overdue'] as const;

export interface Campaign {
  form: string;
  formName: string;
  formVersion: FormVersion;
  date: string;
  due: string;
  /** the children that must file */
  children: number;
  byChild: Map<number, FilingCounts>;
  totals: FilingCounts;
  boardHref: string;
}

/** The form a board consolidates by default: 1-СП for the union and a region, 2-СП below. */
export const boardFormOf = (org: Pick<OrgRow, 'level'>) =>
  org.level === 'regional' || org.level === 'union' ? '1-SP' : '2-SP';

/** A computed report says where it was read when a standby is configured (the page shows its data time). */
const placed = (result: ReportResult, place: ReadPlace, reads: Reads): ReportResult =>
  reads.hasReplica ? { ...result, readFrom: place } : result;

/**
 * Reports of the registry. `db` is the primary's pool: filings, decisions and statuses (what a user has just
 * written must show on the next page); the drafts, consolidations and downloads are computed where `reads`
 * says — on a streaming standby when one is configured and answering (db/replica.ts).
 */
export function createReportsService(
  db: Knex,
  dates: EventDates = eventDates(),
  reads: Reads = primaryReads(db),
  notifications?: NotificationsService,
) {
  const onPrimary = reportComputations(db);
  /** Runs a computation on the reads' pool, with where it read. */
  const computed = <T>(work: (c: ReportComputations) => Promise<T>) =>
    reads.run((rdb) => work(reportComputations(rdb)));

  /** The live draft, computed where reports read (on the form's version of `form` when given). */
  async function draft(
    t: ReportTarget,
    form: FormVersion = t.form,
    options: { personKeys?: boolean } = {},
  ): Promise<ReportResult> {
    const { value, place } = await computed((c) => c.draft(t, form, options));
    return placed(value, place, reads);
  }

  /** The consolidation from the children's filed reports, computed where reports read. */
  async function consolidateFiled(t: ReportTarget) {
    const { value, place } = await computed((c) => c.consolidateFiled(t));
    return { ...value, fromFiled: placed(value.fromFiled, place, reads) };
  }

  /** Live and from filed side by side, computed where reports read. */
  async function compare(t: ReportTarget) {
    const { value, place } = await computed((c) => c.compare(t));
    return { ...value, live: placed(value.live, place, reads), fromFiled: placed(value.fromFiled, place, reads) };
  }

  const childReports = async (t: ReportTarget, source: 'live' | 'filed') =>
    (await computed((c) => c.childReports(t, source))).value;

  /** The report's workflow moves tell those concerned (when the app's notifications are wired in). */
  const noticesFor = (t: ReportTarget) => (notifications ? filingNotices(notifications, t) : undefined);

  /** Resolves (form, date) from a URL for an organization its route has already authorized. */
  async function target(org: OrgRow, code: string, date: string): Promise<ReportTarget> {
    if (!FORM_CODE_PATTERN.test(code) || !isIsoDate(date)) throw new NotFoundError();
    if (!isReportDate(date)) throw new NotFoundError(REPORT_DATE_MESSAGE);
    const form = await findActiveForm(db, code);
    if (!form || !appliesTo(form.definition, org))
      throw new NotFoundError('Эта форма не заполняется организацией такого уровня');
    return { org, form, date };
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

  /** The filing board: each child, its form, status, filing time and whether it is late. */
  async function board(t: ReportTarget, options: { versions?: boolean } = {}) {
    const today = todayIso();
    const filings = await onPrimary.childFilings(t, options);
    return filings.map((f) => {
      const status = f.report?.status ?? 'missing';
      return { ...f, status, late: isOverdue(f.report, f.due, today) };
    });
  }

  /**
   * The current filing campaign an organization's board shows by default (1-СП for the union and a region,
   * 2-СП below): each child's report counted by its state. None when the organization consolidates neither.
   * The monitoring's filings columns and the home page's progress bar are both this.
   */
  async function campaign(org: OrgRow): Promise<Campaign | null> {
    const code = boardFormOf(org);
    const form = (await formsOf(org)).find((f) => f.code === code);
    if (!form) return null;
    const date = currentReportingDate(form.definition, todayIso());
    const rows = await board(await target(org, form.code, date), { versions: false });
    const byChild = new Map<number, FilingCounts>();
    for (const r of rows)
      byChild.set(r.org.id, {
        filed: r.report && FILED_STATUSES.includes(r.report.status) ? 1 : 0,
        accepted: r.status === 'accepted' ? 1 : 0,
        returned: r.status === 'returned' ? 1 : 0,
        overdue: r.late ? 1 : 0,
      });
    const totals = { filed: 0, accepted: 0, returned: 0, overdue: 0 };
    for (const c of byChild.values()) for (const k of FILING_KEYS) totals[k] += c[k];
    return {
      form: form.code,
      formName: form.definition.name,
      date,
      formVersion: form,
      due: dueDate(form.definition, date),
      children: rows.length,
      byChild,
      totals,
      boardHref: `/orgs/${org.inpo}/reports/board?form=${form.code}&date=${date}`,
    };
  }

  /**
   * Members on record in the subtree on a reporting date of the form, as its report counts them, read from
   * the maintained statistics only (the union's blocks, else the member state of the subtree's organizations):
   * null when they are not built for the date — the caller says so rather than wait for a computation.
   */
  async function builtMembersOn(org: OrgRow, form: FormVersion, date: string): Promise<number | null> {
    if (org.level === 'union') return builtUnionTotal(db, date, periodStart(form.definition, date), 'members');
    return cachedMembersOn(db, org, date);
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
    const { value, place } = await reads.run((rdb) => buildReport(rdb, form, org!, date));
    return { form, result: placed(value, place, reads), org: org!, notApplicable: false };
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
    // on the primary: the filing freezes what the registry holds now, writes included
    const result = await onPrimary.draft(t, t.form, { personKeys: true });
    try {
      return { number: await fileReport(db, ctx, t.org.id, result, noticesFor(t)) };
    } catch (err) {
      if (err instanceof ValidationError) return { refused: err.fields };
      throw err;
    }
  }

  /** The higher organization's decision on a filed report (whether this user may decide it is the route's `higher` check). */
  const decideOn = (ctx: AuditContext, t: ReportTarget, decision: Decision, comment: string | null) =>
    decide(db, ctx, t.org.id, t.form.code, t.date, decision, comment, noticesFor(t));

  /** An organization's reports of several forms on one date (their rows, status included), in one query. */
  const reportsOn = (org: Pick<OrgRow, 'id'>, formCodes: string[], date: string) =>
    findReportsOf(db, [org.id], formCodes, date);

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
    reportsOn,
    historyOf,
    version,
    current,
    childFilings: onPrimary.childFilings,
    childReports,
    compare,
    consolidateFiled,
    board,
    campaign,
    builtMembersOn,
    formsOf,
    calendarOf,
    higher,
    previewVersion,
    filingChildren: onPrimary.filingChildren,
    returnedReports,
    /** Each organization's latest filed statistical figures on or before the date (the monitoring's declared figures). */
    filedFigures: (organizationIds: number[], on: string) => latestFiledFigures(db, organizationIds, on),
    /** The report as this reader may see it: the cards behind its controls named only where they may open them. */
    readableFor: (principal: Principal, result: ReportResult) => readableReport(db, principal, result),
    warmUnionStats,
    /** The last failed build of the union's statistics, for the federal administrator's forms page. */
    lastUnionStatsFailure: () => lastUnionStatsFailure(db),
  };
}

export type ReportsService = ReturnType<typeof createReportsService>;
