import type { Knex } from 'knex';
import type { OrgRow } from '../registry/org-row';
import type { ColumnKey } from './forms/form-schema';
import { appliesTo, isPrimaryForm, listActiveForms, type FormVersion } from './forms/forms.repo';
import type { ColumnValues } from './indicators/engine';
import { distinctOverFiled } from './indicators/person-keys';
import { childrenOn } from './indicators/tree-on-date';
import { compiledForm } from './forms/compile';
import { FILED_STATUSES, diffReports, filedLine } from './filing';
import { findReportsOf, latestVersion, listDepartedOrganizations, listFilingOrganizations } from './filing.repo';
import { dueDate, periodStart } from './periods';
import { noFiledLine, sumFiledLines } from './filed-sums';
import { buildReport, buildReportsForRoots, type ReportResult } from './report-builder';

// The computations behind the report pages and downloads, over one database handle: the primary's pool
// for a filing (which must count what was just written), a standby's for the pages and downloads
// (db/replica.ts) — the service chooses.

/** A report's organization, form and date, resolved from a URL for an organization already authorized. */
export interface ReportTarget {
  org: OrgRow;
  form: FormVersion;
  date: string;
}

export function reportComputations(db: Knex) {
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

  /** The organizations that file to this one: its direct regional, okrug, territorial and ППО children on the date (in the tree of that date). */
  async function filingChildren(org: OrgRow, date: string): Promise<OrgRow[]> {
    return listFilingOrganizations(db, await childrenOn(db, org.id, date), date);
  }

  /** The active forms this one consolidates, in the order of its definition (the first that applies to a child is its form). */
  async function consolidatedForms(t: ReportTarget): Promise<FormVersion[]> {
    const codes = t.form.definition.kind === 'lines' ? (t.form.definition.consolidates ?? []) : [];
    const active = await listActiveForms(db);
    return codes.flatMap((c) => active.filter((f) => f.code === c));
  }

  /** Each child's filing; `versions: false` leaves out the filed versions (their figures), for counts of statuses. */
  async function childFilings(t: ReportTarget, { versions = true }: { versions?: boolean } = {}) {
    const codes = t.form.definition.kind === 'lines' ? (t.form.definition.consolidates ?? []) : [];
    const itself = codes.length && t.org.level === 'primary' ? [t.org] : [];
    const children = [...itself, ...(await filingChildren(t.org, t.date))];
    const forms = await consolidatedForms(t);
    const formOf = new Map(
      children.map((org) => [
        org,
        forms.find((f) => appliesTo(f.definition, org) && (org !== t.org || isPrimaryForm(f.code))),
      ]),
    );
    // every child's report in one query
    const reports = await findReportsOf(
      db,
      children.map((c) => c.id),
      forms.map((f) => f.code),
      t.date,
    );
    const reportOf = new Map(reports.map((r) => [`${r.organizationId}|${r.formCode}`, r]));
    return Promise.all(
      children.map(async (org) => {
        const form = formOf.get(org);
        const report = form ? reportOf.get(`${org.id}|${form.code}`) : undefined;
        const filed =
          versions && report && FILED_STATUSES.includes(report.status) ? await latestVersion(db, report.id) : undefined;
        return { org, form, report, filed, due: form ? dueDate(form.definition, t.date) : t.date };
      }),
    );
  }

  /**
   * The consolidated form two ways — live from the registry and summed from the children's filed
   * reports — and, for every line that differs, the children whose filed figures differ from the live ones.
   */
  async function compare(t: ReportTarget) {
    const [{ filings, fromFiled }, live, departed] = await Promise.all([
      consolidateFiled(t),
      draft(t),
      departedFilings(t),
    ]);
    return compareWith(filings, departed, live, fromFiled, await liveChildren([...filings, ...departed], t.date));
  }

  /**
   * The children that filed to this organization at the start of the period and were merged or liquidated
   * before its date: they file nothing, yet the live consolidation counts their movement until they left
   * (a merged ППО's members leaving by transfer), so the comparison must name them as what differs.
   */
  async function departedFilings(t: ReportTarget) {
    const since = periodStart(t.form.definition, t.date);
    const gone = await listDepartedOrganizations(db, await childrenOn(db, t.org.id, since), since, t.date);
    const forms = await consolidatedForms(t);
    return gone.map((org) => ({
      org,
      form: forms.find((f) => appliesTo(f.definition, org)),
      report: undefined,
      filed: undefined,
      departedOn: org.liquidatedOn!,
    }));
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
    departed: Awaited<ReturnType<typeof departedFilings>>,
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
      children: [...filings, ...departed]
        .map((f) => {
          const liveLine = childLive
            .get(f.org.id)
            ?.sections.flatMap((s) => s.lines)
            .find((l) => l.no === d.no);
          const filedLine = f.filed?.result.sections.flatMap((s) => s.lines).find((l) => l.no === d.no);
          const lv = liveLine?.values[d.column as ColumnKey] ?? null;
          // a line the child's form lacks contributes 0; a value its report lacks (no headcount) stays absent
          const fv = f.filed ? (filedLine ? (filedLine.values[d.column as ColumnKey] ?? null) : 0) : null;
          return {
            org: f.org,
            live: lv,
            filed: fv,
            hasFiled: !!f.filed,
            status: f.report?.status ?? 'missing',
            departedOn: 'departedOn' in f ? f.departedOn : undefined,
          };
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

  return { draft, filingChildren, childFilings, compare, consolidateFiled, liveChildren, childReports };
}

export type ReportComputations = ReturnType<typeof reportComputations>;
