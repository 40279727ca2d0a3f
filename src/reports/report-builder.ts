import type { Knex } from 'knex';
import type { ReadPlace } from '../db/read-place';
import type { OrgRow } from '../registry/orgs.repo';
import { REGISTRATION_LEVELS } from '../registry/levels';
import { CHANGES_SINCE_FILING, compiledForm, type CompiledForm } from './forms/compile';
import {
  evaluateForm,
  type ControlFailure,
  type LineOverride,
  type LineResult,
  type UncheckedControl,
} from './forms/evaluate';
import type { ColumnKey, LinesForm } from './forms/form-schema';
import { countsOwnUnits, isPrimaryForm, type FormVersion } from './forms/forms.repo';
import { cardsQuery, listCards, listChangedSinceFiling, toCardRefs, type CardRef } from './indicators/behind';
import { computeIndicators, type ColumnValues, type IndicatorRequest } from './indicators/engine';
import { computeLiveWith } from './indicators/live';
import { readEach, readTogether } from './indicators/rows-query';
import { personKeysOf, type PersonKeys } from './indicators/person-keys';
import { agreementTexts, primaryAgreementRows, type AgreementRow } from './indicators/texts';
import { frameSince, rootOnDate, type RootOnDate } from './indicators/tree-on-date';
import { activePrimaryForms, ownFormsOverride } from './own-forms';
import { periodStart } from './periods';
import { gapReads, gapsOf, headcountGaps, type DataGap, type GapRows } from './report-gaps';

// A report is the evaluated form for (organization, date) as a plain JSON document: what the draft
// page shows, what filing freezes and what the downloads render.

export interface ReportResult {
  form: { code: string; name: string; title: string; version: number; formVersionId: number; kind: 'lines' | 'list' };
  organization: { id: number; inpo: string; name: string; level: string };
  date: string;
  periodStart: string;
  /** computed from the registry, or consolidated from the children's filed reports */
  source: 'live' | 'filed';
  columns: { key: ColumnKey; label: string }[];
  sections: { title: string; lines: LineResult[] }[];
  controls: (ControlFailure & { cards: CardRef[]; cardsTotal: number })[];
  /** controls that compare an absent value: not checked (absent in reports filed before it was recorded) */
  unchecked?: UncheckedControl[];
  gaps: DataGap[];
  listColumns?: { key: string; label: string }[];
  rows?: AgreementRow[];
  /** a filed version: who its distinct-person lines count, by line and column (ids only: person-keys.ts) */
  personKeys?: Record<string, PersonKeys>;
  computedAt: string;
  /** where a page's or download's computation read (set only when a standby is configured: db/replica.ts) */
  readFrom?: ReadPlace;
}

export type { DataGap } from './report-gaps';

export type OrgRef = Pick<OrgRow, 'id' | 'inpo' | 'name' | 'level' | 'path'>;

export interface BuildOptions {
  /** the line the form carries forward (carriedForward) of the report filed at the previous reporting date */
  previousFiled?: { values: ColumnValues; filedAt: Date } | null;
  /** consolidation from filed reports: summed children's lines */
  override?: LineOverride;
  /** keep who the distinct-person lines count (for filing: a consolidation from filed reports needs them) */
  personKeys?: boolean;
  /** with override: the filed children that lack a line others have (instead of the registry's headcount gaps) */
  filedGaps?: DataGap[];
}

function header(fv: FormVersion, org: OrgRef, date: string) {
  const def = fv.definition;
  return {
    form: {
      code: def.code,
      name: def.name,
      title: def.title,
      version: def.version,
      formVersionId: fv.id,
      kind: def.kind,
    },
    organization: { id: org.id, inpo: org.inpo, name: org.name, level: org.level },
    date,
    periodStart: periodStart(def, date),
    computedAt: new Date().toISOString(),
  };
}

export async function buildReport(
  db: Knex,
  fv: FormVersion,
  org: OrgRef,
  date: string,
  options: BuildOptions = {},
): Promise<ReportResult> {
  const base = header(fv, org, date);
  const def = fv.definition;
  const root = await rootOnDate(db, org.id, date);
  if (def.kind === 'list') {
    const [rows, gaps] = await Promise.all([primaryAgreementRows(db, root), headcountGaps(db, root, false)]);
    return {
      ...base,
      source: 'live',
      columns: [],
      sections: [],
      controls: [],
      unchecked: [],
      gaps,
      listColumns: def.listColumns,
      rows,
    };
  }
  const form = compiledForm(def);
  const request: IndicatorRequest = {
    rootIds: [org.id],
    date,
    periodStart: base.periodStart,
    names: form.indicators,
    own: countsOwnUnits(def),
    tree: root.frame.tree,
  };
  const gapLists = gapReads(form, root, !options.override);
  // a ППО's figures are small queries over a few units: one round trip with the lists of its gaps, and no
  // count of its subtree
  const computed = REGISTRATION_LEVELS.has(org.level)
    ? await computeLiveWith(db, { ...request, oneStatement: true }, 'subtree', gapLists)
    : { values: await computeIndicators(db, request), rows: undefined };
  const values = computed.values.get(org.id)!;
  const carried = def.carriedForward;
  const counted = carried && values[carried.indicator];
  if (options.previousFiled && counted) {
    const start = { ...counted };
    for (const column of carried.columns) start[column] = options.previousFiled.values[column];
    values[carried.indicator] = start;
  }
  const texts = hasTextLines(def) ? await agreementTexts(db, org.id, date) : {};
  const evaluation = evaluateForm(
    form,
    values,
    texts,
    options.override ?? (await (await byOwnForms(db, form))(root, base.periodStart, values)),
  );
  const behind = await cardsBehindFailures(
    db,
    evaluation.failures.map((f) => f.cardsIndicator),
    org,
    root,
    base.periodStart,
    countsOwnUnits(def),
    options.previousFiled?.filedAt,
  );
  const controls = evaluation.failures.map((f, i) => ({ ...f, cards: behind[i]!.cards, cardsTotal: behind[i]!.total }));
  const personKeys =
    options.personKeys && !options.override ? await personKeysOf(db, form, root, base.periodStart) : undefined;
  const gapRows: GapRows = computed.rows ?? (await readEach(db, gapLists));
  const gaps = [...(options.filedGaps ?? []), ...gapsOf(form, gapRows, values)];
  return {
    ...base,
    source: options.override ? 'filed' : 'live',
    columns: def.columns,
    sections: evaluation.sections,
    controls,
    unchecked: evaluation.unchecked,
    gaps,
    ...(personKeys && Object.keys(personKeys).length ? { personKeys } : {}),
  };
}

/** The same form evaluated for several organizations with one query per indicator group (sheets per child, comparisons). */
export async function buildReportsForRoots(
  db: Knex,
  fv: FormVersion,
  orgs: OrgRef[],
  date: string,
): Promise<Map<number, ReportResult>> {
  const out = new Map<number, ReportResult>();
  if (!orgs.length) return out;
  const def = fv.definition;
  if (def.kind === 'list') {
    for (const org of orgs) out.set(org.id, await buildReport(db, fv, org, date));
    return out;
  }
  const form = compiledForm(def);
  const start = periodStart(def, date);
  // one tree for all the roots: the dated one if anything under any of them has moved since
  const frame = await frameSince(
    db,
    orgs.map((o) => o.id),
    date,
  );
  const values = await computeIndicators(db, {
    rootIds: orgs.map((o) => o.id),
    date,
    periodStart: start,
    names: form.indicators,
    own: countsOwnUnits(def),
    tree: frame.tree,
  });
  const ownForms = await byOwnForms(db, form);
  for (const org of orgs) {
    const texts = hasTextLines(def) ? await agreementTexts(db, org.id, date) : {};
    const evaluation = evaluateForm(
      form,
      values.get(org.id)!,
      texts,
      await ownForms({ id: org.id, date, frame }, start, values.get(org.id)!),
    );
    out.set(org.id, {
      ...header(fv, org, date),
      source: 'live',
      columns: def.columns,
      sections: evaluation.sections,
      controls: evaluation.failures.map((f) => ({ ...f, cards: [], cardsTotal: 0 })),
      unchecked: evaluation.unchecked,
      gaps: [],
    });
  }
  return out;
}

/** A form that consolidates primary forms adds up its ППО each on its own form (own-forms.ts); the active forms are read once. */
async function byOwnForms(db: Knex, form: CompiledForm) {
  const forms = (form.def as LinesForm).consolidates?.some(isPrimaryForm) ? await activePrimaryForms(db) : undefined;
  return (root: RootOnDate, start: string, values: Record<string, ColumnValues>) =>
    ownFormsOverride(db, forms, form, root, start, values);
}

const hasTextLines = (def: LinesForm) => def.sections.some((s) => s.lines.some((l) => l.type === 'text'));

/**
 * How many cards a failed control keeps: the page lists the first ones and opens the rest on demand;
 * beyond this the chair is told how many more there are (a page of thousands of names helps no one).
 */
const CARDS_KEPT = 200;

async function cardsBehind(
  db: Knex,
  indicator: string | undefined,
  org: OrgRef,
  root: RootOnDate,
  start: string,
  own: boolean,
  filedAt?: Date,
): Promise<{ cards: CardRef[]; total: number }> {
  if (!indicator) return { cards: [], total: 0 };
  if (indicator === CHANGES_SINCE_FILING)
    return filedAt ? listChangedSinceFiling(db, org.id, start, filedAt, CARDS_KEPT) : { cards: [], total: 0 };
  return listCards(db, root, indicator, start, CARDS_KEPT, {
    own,
    regionId: org.level === 'regional' ? org.id : undefined,
  });
}

/**
 * The cards behind each failed control (by its indicator). A ППО's lists of state figures go in one
 * statement, without the transaction that gives a subtree's lists their work_mem (its BEGIN, SET and
 * COMMIT were three of the four round trips of each list; a ППО's few hundred periods need no more memory);
 * the rest, each on its own.
 */
async function cardsBehindFailures(
  db: Knex,
  indicators: (string | undefined)[],
  org: OrgRef,
  root: RootOnDate,
  start: string,
  own: boolean,
  filedAt?: Date,
): Promise<{ cards: CardRef[]; total: number }[]> {
  const apart = (indicator: string | undefined) => cardsBehind(db, indicator, org, root, start, own, filedAt);
  if (!REGISTRATION_LEVELS.has(org.level)) return Promise.all(indicators.map(apart));
  const queries = indicators.map((indicator) =>
    indicator && indicator !== CHANGES_SINCE_FILING
      ? cardsQuery(root, indicator, start, CARDS_KEPT, { own })
      : undefined,
  );
  const together = await readTogether(
    db,
    queries.filter((q) => q !== undefined),
  );
  let next = 0;
  return Promise.all(
    indicators.map((indicator, i) =>
      queries[i] ? toCardRefs(together[next++] as Parameters<typeof toCardRefs>[0]) : apart(indicator),
    ),
  );
}
