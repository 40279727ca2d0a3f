// Every line of every form, computed from the model (model.ts) by the rules of shared/spec/forms.md and
// the agreed semantics of issue 12 — plain JavaScript over the test's own record, never the product's SQL.
import { age, type Officer, type OrgModel, type UnionModel } from './model';

export type Values = Record<string, number | null>;
export interface ExpectedLine {
  values?: Values;
  text?: string;
}
export type ExpectedForm = Record<string, ExpectedLine>;
export interface ExpectedRow {
  inpo: string;
  hasAgreement: boolean;
  staffCovered: number | null;
  membersCovered: number | null;
}

export const CONSOLIDATED = ['2-SP', '1-SP'];
const PEOPLE_COLS = ['total', 'women', 'youth'] as const;
type Cols = { total: number; women: number; youth: number };
const none = (): Cols => ({ total: 0, women: 0, youth: 0 });
const add = (c: Cols, sex: string, birth: string, on: string) => {
  c.total++;
  if (sex === 'f') c.women++;
  if (age(birth, on) < 35) c.youth++;
};
const sumCols = (...cs: Cols[]) =>
  cs.reduce((a, c) => ({ total: a.total + c.total, women: a.women + c.women, youth: a.youth + c.youth }), none());
const round1 = (v: number) => Math.round(v * 10) / 10;
const pct = (a: number | null, b: number | null) => (a == null || b == null || b === 0 ? null : round1((a / b) * 100));
const total = (v: number | null): ExpectedLine => ({ values: { total: v } });
const people = (c: Cols): ExpectedLine => ({ values: { ...c } });
/** Adds up amounts that may be missing: missing only when every one is. */
const sumPresent = (vs: (number | null | undefined)[]) =>
  vs.some((v) => v != null) ? vs.reduce<number>((a, v) => a + (v ?? 0), 0) : null;

/** The previous reporting date of a form strictly before `date`: the start of the period. */
export function periodStart(reportingDates: string[], date: string): string {
  const year = Number(date.slice(0, 4));
  const candidates = [year, year - 1]
    .flatMap((y) => reportingDates.map((md) => `${y}-${md}`))
    .filter((d) => d < date)
    .sort();
  return candidates.at(-1) ?? `${year - 1}${date.slice(4)}`;
}

const ACTIVIST = ['chair', 'deputy', 'committee', 'audit', 'commission', 'group_organizer', 'safety_rep'];
const UNIT = ['primary', 'subdivision', 'group'];

/** Officer posts counted on lines 22–32, by the post and the level of the organization that holds it. */
const OFFICER_LINES: Record<string, (post: string, level: string, o: Officer) => boolean> = {
  '22': (p, l) => p === 'chair' && l === 'primary',
  '23': (p, l, o) => p === 'chair' && l === 'primary' && !!o.salaried,
  '24': (p, l) => p === 'deputy' && l === 'primary',
  '25': (p, l) => p === 'committee' && l === 'primary',
  '26': (p, l) => p === 'audit' && l === 'primary',
  '27': (p, l) => p === 'commission' && (l === 'primary' || l === 'subdivision'),
  '28': (p, l) => (p === 'group_organizer' && UNIT.includes(l)) || (p === 'chair' && l === 'group'),
  '29': (p, l) => p === 'chair' && l === 'subdivision',
  '30': (p, l) => p === 'safety_rep' && UNIT.includes(l),
};

/** The figures of one ППО's own primary form (its own members: itself, its subdivisions and groups, not a child ППО). */
export function primaryFigures(m: UnionModel, ppo: string, d: string, s: string): ExpectedForm {
  const own = (org: string, day: string) => m.ppoOf(org, day) === ppo;
  const state = (pred: (c: string, ped: boolean, parental: boolean) => boolean) => {
    const c = none();
    for (const { person, period } of m.onRecord(d, (org) => own(org, d)))
      if (pred(period.category, !!period.ped, !!period.parental)) add(c, person.sex, person.birth, d);
    return c;
  };
  const moves: Record<string, Cols> = {};
  // youth of a move: under 35 on the day of the move
  for (const mv of m.movement(own, s, d)) add((moves[mv.kind] ??= none()), mv.person.sex, mv.person.birth, mv.day);
  const mv = (...kinds: string[]) => sumCols(...kinds.map((k) => moves[k] ?? none()));
  const working = state((c) => c === 'working');
  const students = state((c) => c === 'student');
  const ped = state((c, p) => c === 'working' && p);
  // a ППО closed by the date has no staff or students then (they count with the organization that received them)
  const hc = m.exists(ppo, d) ? m.headcountOf(ppo, d) : undefined;
  const [employees, pedStaff, studentsTotal] = hc ? [hc.employees, hc.ped, hc.students] : [null, null, null];
  const unitOfficers = (day: string) => m.officersOn(day, (o) => m.exists(o.org, day) && own(o.org, day));
  const out: ExpectedForm = {
    '01': total(employees),
    '02': people(working),
    '03': total(pedStaff),
    '04': people(ped),
    '05': total(studentsTotal),
    '06': people(students),
    '07': people(state((c) => c === 'pensioner')),
    '08': people(state((c) => c === 'unemployed')),
    '09': people(state(() => true)),
    '10': people(state((_c, _p, parental) => parental)),
    '11': people(mv('admitted')),
    '12': people(mv('transferred_in')),
    '13': people(mv('voluntary', 'expelled', 'dismissed', 'graduated', 'transferred_out', 'died', 'other')),
    '14': people(mv('voluntary')),
    '15': people(mv('expelled')),
    '16': people(mv('dismissed', 'graduated', 'transferred_out')),
    '17': people(mv('died', 'other')),
  };
  for (const [no, rule] of Object.entries(OFFICER_LINES)) {
    const c = none();
    for (const o of unitOfficers(d)) if (rule(o.post, m.org(o.org).level, o)) add(c, o.sex, o.birth, d);
    out[no] = people(c);
  }
  out['31'] = people(distinctActivists(m, unitOfficers(d), d));
  out['32'] = people(
    distinctActivists(
      m,
      unitOfficers(d).filter((o) => !!o.trainedOn && o.trainedOn > s && o.trainedOn <= d),
      d,
    ),
  );
  return withPercentages(out);
}

function distinctActivists(m: UnionModel, officers: Officer[], d: string): Cols {
  const c = none();
  const seen = new Set<string>();
  for (const o of officers) {
    if (!ACTIVIST.includes(o.post) || !UNIT.includes(m.org(o.org).level) || seen.has(o.person)) continue;
    seen.add(o.person);
    add(c, o.sex, o.birth, d);
  }
  return c;
}

function withPercentages(out: ExpectedForm): ExpectedForm {
  const v = (no: string) => out[no]!.values!.total ?? null;
  const plus = (a: number | null, b: number | null) => (a == null || b == null ? null : a + b);
  out['18'] = total(pct(v('02'), v('01')));
  out['19'] = total(pct(v('06'), v('05')));
  out['20'] = total(pct(plus(v('02'), v('06')), plus(v('01'), v('05'))));
  out['21'] = total(pct(v('04'), v('03')));
  return out;
}

/**
 * Section I lines 01–30 summed over the ППО of the subtree on d, each on its own form (a line its form lacks
 * gives nothing: a 3-СП ППО has no employees' lines); 31 and 32 distinct persons over the whole subtree.
 */
export function consolidatedFigures(m: UnionModel, root: string, d: string, s: string): ExpectedForm {
  const parts = m.primariesOfPeriod(root, s, d).map((p) => {
    const figures = primaryFigures(m, p.key, d, s);
    return Object.fromEntries(PRIMARY_LINES[p.form!]!.map((no) => [no, figures[no]!]));
  });
  const out: ExpectedForm = {};
  for (const no of ['01', '03', '05']) out[no] = total(sumPresent(parts.map((f) => f[no]?.values!.total)));
  for (const no of [
    '02',
    '04',
    '06',
    '07',
    '08',
    '09',
    '10',
    '11',
    '12',
    '13',
    '14',
    '15',
    '16',
    '17',
    '22',
    '23',
    '24',
    '25',
    '26',
    '27',
    '28',
    '29',
    '30',
  ]) {
    const c = none();
    for (const f of parts) for (const k of PEOPLE_COLS) c[k] += f[no]?.values![k] ?? 0;
    out[no] = people(c);
  }
  const inUnits = m.officersOn(d, (o) => m.exists(o.org, d) && m.inSubtree(o.org, root, d));
  out['31'] = people(distinctActivists(m, inUnits, d));
  // one person trained is one, whatever the number of their posts
  out['32'] = people(
    distinctActivists(
      m,
      inUnits.filter((o) => !!o.trainedOn && o.trainedOn > s && o.trainedOn <= d),
      d,
    ),
  );
  return withPercentages(out);
}

/** Sections II (structure) and III (own bodies) of 2-СП / 1-СП. */
export function structureLines(m: UnionModel, root: string, d: string, form: string): ExpectedForm {
  const below = m.subtree(root, d).filter((o) => o.key !== root);
  const primaries = below.filter((o) => o.level === 'primary');
  const count = (pred: (o: OrgModel) => boolean) => total(primaries.filter(pred).length);
  const ownSize = (ppo: string) => m.onRecord(d, (org) => m.ppoOf(org, d) === ppo).length;
  const institutions = sumPresent(
    m
      .subtree(root, d)
      .filter((o) => o.level === 'territorial')
      .map((o) => m.headcountOf(o.key, d)?.institutions),
  );
  const educational = primaries.filter((o) =>
    ['school', 'kindergarten', 'additional', 'college', 'university'].includes(o.kind ?? ''),
  ).length;
  const kinds = ['school', 'kindergarten', 'additional', 'college', 'university', 'research', 'authority'] as const;
  const out: ExpectedForm = { '40': total(primaries.length) };
  kinds.forEach((k, i) => (out[String(41 + i)] = count((o) => o.kind === k)));
  out['48'] = count((o) => !o.kind || o.kind === 'other');
  out['49'] = count((o) => ownSize(o.key) < 15);
  out['50'] = total(below.filter((o) => o.level === 'group').length);
  out['51'] = total(institutions);
  out['52'] = total(educational);
  out['53'] = total(pct(educational, institutions));
  out['54'] = count((o) => ['5-SP', '4-SP', '3-SP'].some((f) => m.filed.has(`${o.key}|${f}|${d}`)));
  if (form === '1-SP') {
    out['55'] = total(below.filter((o) => o.level === 'territorial').length);
    out['56'] = count((o) => m.parentOn(o.key, d) === root);
    out['57'] = count((o) => !!o.rights);
  }
  const own = (post: string, extra: (o: Officer) => boolean = () => true, posts = [post]) => {
    const c = none();
    for (const o of m.officersOn(d, (x) => x.org === root && posts.includes(x.post) && extra(x)))
      add(c, o.sex, o.birth, d);
    return people(c);
  };
  Object.assign(out, {
    '60': own('chair'),
    '61': own('chair', (o) => !!o.salaried),
    '62': own('deputy'),
    '63': own('committee'),
    '64': own('presidium'),
    '65': own('audit'),
    '66': own('staff', () => true, STAFF_POSTS),
    '67': own('volunteer_inspector'),
    '68': own('staff_specialist'),
    '69': own('staff_accountant'),
    '70': own('staff_legal_inspector'),
    '71': own('staff_safety_inspector'),
  });
  return out;
}

/** The own paid staff of a territorial or regional organization: line 66 counts them all, 68–71 by kind. */
export const STAFF_POSTS = [
  'staff',
  'staff_specialist',
  'staff_accountant',
  'staff_legal_inspector',
  'staff_safety_inspector',
];

/** The lines of a 5-СП / 4-СП / 3-СП: the ППО's own figures, the lines the form has. */
export const PRIMARY_LINES: Record<string, string[]> = {
  '5-SP': range(1, 32),
  '4-SP': range(1, 32),
  '3-SP': ['05', '06', '09', '11', '12', '13', '14', '15', '16', '17', '19', ...range(22, 32)],
};
function range(from: number, to: number) {
  return Array.from({ length: to - from + 1 }, (_, i) => String(from + i).padStart(2, '0'));
}

export function expectedLines(m: UnionModel, form: string, org: string, d: string, s: string): ExpectedForm {
  if (PRIMARY_LINES[form]) {
    const all = primaryFigures(m, org, d, s);
    return Object.fromEntries(PRIMARY_LINES[form]!.map((no) => [no, all[no]!]));
  }
  if (CONSOLIDATED.includes(form)) return { ...consolidatedFigures(m, org, d, s), ...structureLines(m, org, d, form) };
  if (form === 'KDK-1') return kdk1(m, org, d, s);
  if (form === 'KDK-2') return kdk2(m, org, d, s);
  throw new Error(`no model of form ${form}`);
}

const fmt = (iso?: string) => (iso ? iso.split('-').reverse().join('.') : '');
const STATUS_LABELS: Record<string, string> = {
  active: 'Действует',
  expired: 'Срок действия истёк',
  negotiating: 'Ведутся переговоры',
  none: 'Отсутствует',
};

/** The agreement's text lines as the passport has them (the model's agreements do not change over time). */
function agreementTexts(m: UnionModel, org: string): Record<string, string> {
  const a = m.agreements.get(org);
  if (!a)
    return {
      term: 'нет сведений',
      registration: 'нет сведений',
      annexes: 'нет',
      reason: 'сведения о коллективном договоре не внесены в паспорт',
    };
  return {
    term: a.signedOn
      ? `подписан ${fmt(a.signedOn)}, действует с ${fmt(a.validFrom)} по ${fmt(a.validTo)}`
      : STATUS_LABELS[a.status]!,
    registration: a.regNo ? `№ ${a.regNo}${a.regDate ? ` от ${fmt(a.regDate)}` : ''}` : 'не зарегистрирован',
    annexes: a.annexes.length ? a.annexes.join('; ') : 'нет',
    // the reason recorded for having none in force; «—» when none is recorded
    reason: a.noneReason ?? '—',
  };
}

/** The working members of a ППО's own record on d (those an agreement covers). */
const workingOf = (m: UnionModel, ppo: string, d: string) =>
  m.onRecord(d, (org) => m.ppoOf(org, d) === ppo).filter((x) => x.period.category === 'working').length;
const concluded = (m: UnionModel, org: string, d: string, s: string) => {
  const a = m.agreements.get(org);
  return !!a?.signedOn && a.signedOn > s && a.signedOn <= d;
};

function kdk1(m: UnionModel, org: string, d: string, s: string): ExpectedForm {
  const active = m.agreementActive(org, d);
  const texts = agreementTexts(m, org);
  const out: ExpectedForm = {
    '01': total(active ? 1 : 0),
    '02': { text: texts.term },
    '03': { text: texts.registration },
    // missing is not zero: an agreement in force over a ППО without headcount covers an unknown number
    '04': total(active ? (m.headcountOf(org, d)?.employees ?? null) : 0),
    '05': total(active ? workingOf(m, org, d) : 0),
    '06': total(concluded(m, org, d, s) ? 1 : 0),
    '07': total(m.agreements.get(org)?.status === 'negotiating' ? 1 : 0),
    '08': { text: texts.annexes },
    '09': { text: texts.reason },
  };
  return out;
}

function kdk2(m: UnionModel, root: string, d: string, s: string): ExpectedForm {
  const primaries = m.primariesOf(root, d);
  const active = primaries.filter((o) => m.agreementActive(o.key, d));
  // employees of ППО without a headcount are unknown: the sum of the known ones, none known no sum at all
  const staff = (list: OrgModel[]) =>
    list.length ? sumPresent(list.map((o) => m.headcountOf(o.key, d)?.employees)) : 0;
  const working = (list: OrgModel[]) => list.reduce((a, o) => a + workingOf(m, o.key, d), 0);
  const texts = agreementTexts(m, root);
  return {
    '01': total(primaries.length),
    '02': total(active.length),
    '03': total(primaries.filter((o) => concluded(m, o.key, d, s)).length),
    '04': total(primaries.length - active.length),
    '05': total(
      primaries.filter((o) => !m.agreementActive(o.key, d) && m.agreements.get(o.key)?.status === 'negotiating').length,
    ),
    '06': total(pct(active.length, primaries.length)),
    '07': total(pct(staff(active), staff(primaries))),
    '08': total(pct(working(active), working(primaries))),
    '09': total(m.agreementActive(root, d) ? 1 : 0),
    '10': { text: texts.term },
    '11': { text: texts.registration },
  };
}

/** КДКО: one row per ППО of the subtree on d. */
export function kdkoRows(m: UnionModel, root: string, d: string): ExpectedRow[] {
  return m
    .primariesOf(root, d)
    .map((o) => {
      const active = m.agreementActive(o.key, d);
      return {
        inpo: o.inpo,
        hasAgreement: active,
        staffCovered: active ? (m.headcountOf(o.key, d)?.employees ?? null) : 0,
        membersCovered: active ? workingOf(m, o.key, d) : 0,
      };
    })
    .sort((a, b) => a.inpo.localeCompare(b.inpo));
}
