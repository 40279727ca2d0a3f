import { beforeAll, describe, expect, it } from 'vitest';
import { findActiveForm } from '../../src/reports/forms/forms.repo';
import { INDICATORS } from '../../src/reports/indicators/catalog';
import { listCards } from '../../src/reports/indicators/behind';
import { computeIndicators, type Scope } from '../../src/reports/indicators/engine';
import { findOrgById, type OrgRow } from '../../src/registry/orgs.repo';
import { createReportsService } from '../../src/reports/reports.service';
import { dateTreeChanges } from '../../src/registry/tree-history.repo';
import { rootOnDate } from '../../src/reports/indicators/tree-on-date';
import { loggedInAgent, type Agent } from '../support/agents';
import { useTestApp } from '../support/app';
import { createOrg, createUser, unionRoot } from '../support/factories';
import { age, insertPeople, type PersonSpec } from '../support/report-fixture';

// Reports at a past date count the tree of that date. A ППО moved from one territory to another (and a
// ППО merged into one of another territory) leaves the past reports of both territories as they were and
// counts in the new territory from the move on, its whole period included: a consolidated report adds up
// the primary forms of the ППО it holds on its date, so a moved ППО brings its start figure and its own
// movement, and the move itself is neither a transfer nor an admission or exit.
// Every figure is compared with the one computed here from the test's own model of the tree and cards.

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;

type Key = 'R' | 'T1' | 'T2' | 'P' | 'PG' | 'Q' | 'QG' | 'U';
const D0 = '2026-01-01';
const D1 = '2026-04-01';
const MOVE = '2026-05-15';
const D3 = '2026-07-01';
const MERGE = '2026-08-10';
const D5 = '2026-10-01';

/** The tree the test expects: each organization's parent from a date on (the move and the merge included). */
const PARENTS: Record<Key, [string, Key | null][]> = {
  R: [['-infinity', null]],
  T1: [['-infinity', 'R']],
  T2: [['-infinity', 'R']],
  U: [['-infinity', 'T2']],
  Q: [['-infinity', 'T1']],
  P: [
    ['-infinity', 'T1'],
    [MOVE, 'T2'],
  ],
  PG: [['-infinity', 'P']],
  QG: [
    ['-infinity', 'Q'],
    [MERGE, 'U'],
  ],
};
const LEVELS: Record<Key, string> = {
  R: 'regional',
  T1: 'territorial',
  T2: 'territorial',
  P: 'primary',
  Q: 'primary',
  U: 'primary',
  PG: 'group',
  QG: 'group',
};
const LIQUIDATED: Partial<Record<Key, string>> = { Q: MERGE };

const parentOn = (k: Key, d: string) => PARENTS[k].filter(([from]) => from <= d).at(-1)![1];
function inSubtree(k: Key, root: Key, d: string): boolean {
  for (let x: Key | null = k; x; x = parentOn(x, d)) if (x === root) return true;
  return false;
}

const person = (
  surname: string,
  sex: 'm' | 'f',
  birth: string,
  periods: PersonSpec<Key>['periods'],
  exits?: Record<string, string>,
): PersonSpec<Key> => ({ surname, sex, birth, periods, exits });
const PEOPLE: PersonSpec<Key>[] = [
  person('Акимова', 'f', '1990-02-02', [{ org: 'P', category: 'working', from: '2015-01-01' }]),
  person('Белов', 'm', '1995-03-03', [{ org: 'P', category: 'working', from: '2020-01-01', to: '2026-06-10' }], {
    '2026-06-10': 'voluntary',
  }),
  person('Волкова', 'f', '2000-04-04', [{ org: 'P', category: 'working', from: '2026-02-10' }]),
  person('Гусев', 'm', '1980-05-05', [{ org: 'P', category: 'working', from: '2026-05-01' }]), // admitted in T1 before the move
  person('Дьячкова', 'f', '1999-06-06', [{ org: 'P', category: 'working', from: '2026-06-01' }]), // admitted in T2 after it
  person('Ершов', 'm', '1970-07-07', [{ org: 'PG', category: 'working', from: '2010-01-01' }]), // in the ППО's group: moves along
  person('Жаров', 'm', '1985-08-08', [{ org: 'Q', category: 'working', from: '2012-01-01' }]),
  person('Зуева', 'f', '1997-09-09', [
    { org: 'Q', category: 'working', from: '2014-01-01', to: '2026-03-01' },
    { org: 'P', category: 'working', from: '2026-03-01' },
  ]),
  person('Исаев', 'm', '1992-10-10', [
    { org: 'Q', category: 'working', from: '2016-01-01', to: '2026-06-20' },
    { org: 'P', category: 'working', from: '2026-06-20' },
  ]),
  person('Климова', 'f', '2001-11-11', [{ org: 'QG', category: 'student', from: '2022-01-01' }]),
  person('Лаптев', 'm', '1975-12-12', [{ org: 'U', category: 'pensioner', from: '2005-01-01' }]),
  // transferred into the moved ППО on the day of the move: inside the new territory on both sides
  person('Миронова', 'f', '1993-01-15', [
    { org: 'U', category: 'working', from: '2018-01-01', to: MOVE },
    { org: 'P', category: 'working', from: MOVE },
  ]),
];
/** After the merge Q's member on record passes to U on the merge date (the registry writes that period itself). */
const AFTER_MERGE: PersonSpec<Key>[] = PEOPLE.map((p) =>
  p.surname === 'Жаров'
    ? {
        ...p,
        periods: [
          { org: 'Q', category: 'working', from: '2012-01-01', to: MERGE },
          { org: 'U', category: 'working', from: MERGE },
        ],
      }
    : p,
);

interface Cols {
  total: number;
  women: number;
  youth: number;
}
const none = (): Cols => ({ total: 0, women: 0, youth: 0 });
const add = (c: Cols, p: PersonSpec<Key>, on: string) => {
  c.total++;
  if (p.sex === 'f') c.women++;
  if (age(p.birth, on) < 35) c.youth++;
};
const periodAt = (p: PersonSpec<Key>, d: string) => p.periods.find((x) => x.from <= d && (!x.to || x.to > d));

function ppoOn(k: Key, d: string): Key {
  for (let x: Key | null = k; x; x = parentOn(x, d)) if (LEVELS[x] === 'primary') return x;
  throw new Error(`${k} has no ППО`);
}
/**
 * The ППО a member on `org` was on record in on `day`, when that ППО lies in the root's subtree as it stands
 * on `treeOn` (a report reads its whole period in the tree of its date, a member in the ППО of the day).
 */
function ppoIn(org: Key | undefined, day: string, root: Key, treeOn: string): Key | null {
  const ppo = org && ppoOn(org, day);
  return ppo && inSubtree(ppo, root, treeOn) ? ppo : null;
}

/** Members on d in the ППО of the root's subtree as it stands on `treeOn`. */
function stateAt(people: PersonSpec<Key>[], root: Key, d: string, category?: string, treeOn = d): Cols {
  const c = none();
  for (const p of people) {
    const at = periodAt(p, d);
    if (at && ppoIn(at.org, d, root, treeOn) && (!category || at.category === category)) add(c, p, d);
  }
  return c;
}

const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/**
 * Movement day by day as the primary forms count it, summed over the ППО of the subtree on the report
 * date (the ППО of each day, placed by the tree of `end`): whenever a member comes onto a ППО's record or leaves it, and
 * whether from or to elsewhere in the union (another ППО, in the subtree or not).
 */
function movementIn(people: PersonSpec<Key>[], root: Key, start: string, end: string): Record<string, Cols> {
  const out: Record<string, Cols> = {};
  for (let before = start, day = nextDay(start); day <= end; before = day, day = nextDay(day)) {
    for (const p of people) {
      const [was, is] = [periodAt(p, before), periodAt(p, day)];
      const [from, to] = [ppoIn(was?.org, before, root, end), ppoIn(is?.org, day, root, end)];
      if (to && from !== to) add((out[was ? 'transferred_in' : 'admitted'] ??= none()), p, day);
      if (from && from !== to) add((out[is ? 'transferred_out' : (p.exits?.[day] ?? 'other')] ??= none()), p, day);
    }
  }
  return out;
}

const sum = (...cs: (Cols | undefined)[]) =>
  cs.reduce<Cols>(
    (a, c) => ({
      total: a.total + (c?.total ?? 0),
      women: a.women + (c?.women ?? 0),
      youth: a.youth + (c?.youth ?? 0),
    }),
    none(),
  );
const orgsBelow = (root: Key, d: string, level: string) =>
  (Object.keys(LEVELS) as Key[]).filter(
    (k) => k !== root && LEVELS[k] === level && inSubtree(k, root, d) && !(LIQUIDATED[k] && LIQUIDATED[k]! <= d),
  ).length;

/** The lines of 2-СП / 1-СП that the tree decides, computed from the model. */
function expectedLines(people: PersonSpec<Key>[], root: Key, d: string, start: string) {
  const m = movementIn(people, root, start, d);
  const left = [m.voluntary, m.expelled, sum(m.dismissed, m.graduated, m.transferred_out), sum(m.died, m.other)];
  return {
    '02': stateAt(people, root, d, 'working'),
    '06': stateAt(people, root, d, 'student'),
    '07': stateAt(people, root, d, 'pensioner'),
    '09': stateAt(people, root, d),
    '11': sum(m.admitted),
    '12': sum(m.transferred_in),
    '13': sum(...left),
    '14': sum(left[0]),
    '16': left[2]!,
    '17': left[3]!,
    '40': { total: orgsBelow(root, d, 'primary') },
    '50': { total: orgsBelow(root, d, 'group') },
  };
}

type Json = {
  lines: { no: string; values?: Record<string, number | null> }[];
  gaps: { orgs: { inpo: string }[] }[];
  rows?: { inpo: string }[];
};
let admin: { agent: Agent; csrf: string };
let orgs: Record<Key, OrgRow>;
const fresh = async (k: Key) => (await findOrgById(db(), orgs[k].id))!;

async function draft(form: string, k: Key, date: string): Promise<Record<string, Record<string, number | null>>> {
  const res = await admin.agent.get(`/reports/${form}/${orgs[k].inpo}/${date}.json?source=live`).expect(200);
  return Object.fromEntries((res.body as Json).lines.map((l) => [l.no, l.values ?? {}]));
}
const pickLines = (all: Record<string, Record<string, number | null>>, expected: Record<string, object>) =>
  Object.fromEntries(
    Object.entries(expected).map(([no, cols]) => [
      no,
      Object.fromEntries(Object.keys(cols).map((c) => [c, all[no]?.[c]])),
    ]),
  );

async function expectModel(form: string, k: Key, d: string, start: string, people = PEOPLE) {
  const expected = expectedLines(people, k, d, start);
  const got = await draft(form, k, d);
  expect(pickLines(got, expected), `${form} of ${k} on ${d}`).toEqual(expected);
  // the movement identity: 09 now = 09 at the start + 11 + 12 − 13, the move included
  expect(got['09']!.total).toBe(
    stateAt(people, k, start, undefined, d).total + got['11']!.total! + got['12']!.total! - got['13']!.total!,
  );
  return got;
}

const board = async (k: Key, date: string) => {
  const t = { org: await fresh(k), form: (await findActiveForm(ctx.deps.db, k === 'R' ? '1-SP' : '2-SP'))!, date };
  return (await createReportsService(ctx.deps.db).board(t)).map((row) => row.org.id).sort();
};
const ids = (...keys: Key[]) => keys.map((k) => orgs[k].id).sort();
const post = (path: string, body: Record<string, string>) =>
  admin.agent
    .post(path)
    .type('form')
    .send({ _csrf: admin.csrf, ...body });

beforeAll(async () => {
  const union = await unionRoot(db());
  admin = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'admin', org: union }]));
  const R = await createOrg(db(), union, 'regional', { regionCode: 61, name: 'Регион (история дерева)' });
  const T1 = await createOrg(db(), R, 'territorial', { name: 'Первая территория' });
  const T2 = await createOrg(db(), R, 'territorial', { name: 'Вторая территория' });
  const P = await createOrg(db(), T1, 'primary', { name: 'ППО, которая переходит' });
  const PG = await createOrg(db(), P, 'group');
  const Q = await createOrg(db(), T1, 'primary', { name: 'ППО, которая присоединяется' });
  const QG = await createOrg(db(), Q, 'group');
  const U = await createOrg(db(), T2, 'primary', { name: 'ППО второй территории' });
  orgs = { R, T1, T2, P, PG, Q, QG, U };
  await insertPeople(db(), orgs, PEOPLE);
});

describe('reports at a past date after a ППО moves to another territory', () => {
  it('keep the past reports as they were, count the ППО in its new territory after the move, with its members at the start and no transfers', async () => {
    const before = {
      T1: await expectModel('2-SP', 'T1', D1, D0),
      T2: await expectModel('2-SP', 'T2', D1, D0),
      R: await expectModel('1-SP', 'R', D1, D0),
    };
    await post(`/reports/2-SP/${orgs.T1.inpo}/${D1}/file`, {}).expect(303);
    expect(await board('T1', D1)).toEqual(ids('P', 'Q'));

    const moved = await post(`/orgs/${orgs.P.inpo}/move`, { target: orgs.T2.inpo, on: MOVE, confirm: 'yes' });
    expect(moved.status).toBe(303);
    expect((await fresh('PG')).path.startsWith(`${(await fresh('T2')).path}.`)).toBe(true);

    // the drafts at D1 are what they were, line by line, and what the model says
    expect(await expectModel('2-SP', 'T1', D1, D0)).toEqual(before.T1);
    expect(await expectModel('2-SP', 'T2', D1, D0)).toEqual(before.T2);
    expect(await expectModel('1-SP', 'R', D1, D0)).toEqual(before.R);
    const filed = (await admin.agent.get(`/reports/2-SP/${orgs.T1.inpo}/${D1}.json?version=1`).expect(200))
      .body as Json;
    expect(Object.fromEntries(filed.lines.map((l) => [l.no, l.values ?? {}]))).toEqual(before.T1);
    expect(await board('T1', D1)).toEqual(ids('P', 'Q'));
    expect(await board('T2', D1)).toEqual(ids('U'));

    // after the move: the ППО (with its group and the members it had at the start) counts in T2, and its
    // move is no movement: the territories add up their ППО's own primary forms
    const t1 = await expectModel('2-SP', 'T1', D3, D1);
    const t2 = await expectModel('2-SP', 'T2', D3, D1);
    const region = await expectModel('1-SP', 'R', D3, D1);
    expect(t1['16']).toEqual({ total: 1, women: 0, youth: 1 }); // Исаев, from Q to P
    expect(t2['12']).toEqual({ total: 2, women: 1, youth: 2 }); // Исаев, and Миронова from U to P inside T2
    expect(t1['11']).toEqual({ total: 0, women: 0, youth: 0 });
    expect(t2['11']).toEqual({ total: 2, women: 1, youth: 1 }); // Гусев (admitted into P before its move) and Дьячкова
    // inside the region the transfers between its ППО arrive and leave as in the ППО's forms
    expect([region['12']!.total, region['16']!.total]).toEqual([2, 2]);
    // with its ППО filed and nothing changed since, T2's consolidation from their filed reports is the live one
    for (const k of ['P', 'U'] as const) await post(`/reports/5-SP/${orgs[k].inpo}/${D3}/file`, {}).expect(303);
    const fromFiled = (await admin.agent.get(`/reports/2-SP/${orgs.T2.inpo}/${D3}.json?source=filed`).expect(200))
      .body as Json;
    // (the headcounts none of them entered, 01/03/05, are item 7's "missing is not zero": left out here)
    const live = Object.entries(await draft('2-SP', 'T2', D3)).filter(([, v]) => v.total !== null);
    const filedLines = Object.fromEntries(fromFiled.lines.map((l) => [l.no, l.values ?? {}]));
    expect(Object.fromEntries(live.map(([no]) => [no, filedLines[no]]))).toEqual(Object.fromEntries(live));
    expect(live.length).toBeGreaterThan(40);
    expect([t1['40']!.total, t2['40']!.total, t1['50']!.total, t2['50']!.total]).toEqual([1, 2, 1, 1]);
    expect(await board('T1', D3)).toEqual(ids('Q'));
    expect(await board('T2', D3)).toEqual(ids('P', 'U'));
  });

  it('keep the tree of each date in the history: one position per span, the group moved along', async () => {
    const positions = async (k: Key) =>
      (
        await db()('org_tree_history')
          .where({ organization_id: orgs[k].id })
          .orderBy('valid_from')
          .select('path', 'valid_from', 'valid_to')
      ).map((h) => [String(h.path).split('.').at(-2), h.valid_from, h.valid_to]);
    expect(await positions('P')).toEqual([
      [String(orgs.T1.id), '-infinity', MOVE],
      [String(orgs.T2.id), MOVE, 'infinity'],
    ]);
    expect(await positions('PG')).toEqual([
      [String(orgs.P.id), '-infinity', MOVE],
      [String(orgs.P.id), MOVE, 'infinity'],
    ]);
    expect(await positions('Q')).toEqual([[String(orgs.T1.id), '-infinity', 'infinity']]);
  });

  it('list the cards, the ППО without headcount and the agreements of the subtree of the date', async () => {
    const inpos = (...keys: Key[]) => keys.map((k) => orgs[k].inpo).sort();
    const gapsOf = async (k: Key, d: string) =>
      (
        (await admin.agent.get(`/reports/2-SP/${orgs[k].inpo}/${d}.json?source=live`).expect(200)).body as Json
      ).gaps[0]!.orgs.map((o) => o.inpo).sort();
    expect(await gapsOf('T1', D1)).toEqual(inpos('P', 'Q'));
    expect(await gapsOf('T1', D3)).toEqual(inpos('Q'));
    expect(await gapsOf('T2', D1)).toEqual(inpos('U'));
    const kdko = async (k: Key, d: string) =>
      ((await admin.agent.get(`/reports/KDKO/${orgs[k].inpo}/${d}.json`).expect(200)).body as Json)
        .rows!.map((r) => r.inpo)
        .sort();
    expect(await kdko('T1', D1)).toEqual(inpos('P', 'Q'));
    expect(await kdko('T2', D3)).toEqual(inpos('P', 'U'));
    const cards = await listCards(ctx.deps.db, await rootOnDate(ctx.deps.db, orgs.T1.id, D1), 'members', D0, 50);
    expect(cards.total).toBe(stateAt(PEOPLE, 'T1', D1).total);
    expect(cards.cards.map((c) => c.surname)).toContain('Акимова');
    expect(
      (await listCards(ctx.deps.db, await rootOnDate(ctx.deps.db, orgs.T1.id, D3), 'members', D1, 50)).cards.map(
        (c) => c.surname,
      ),
    ).not.toContain('Акимова');
  });

  it('give the same figures whether the periods are narrowed per organization or read whole, at dates on both sides of the move', async () => {
    const names = Object.entries(INDICATORS)
      .filter(([, i]) => ['state', 'start', 'movement', 'structure', 'agreements'].includes(i.group))
      .map(([n]) => n);
    for (const [date, start] of [
      [D1, D0],
      [D3, D1],
      [MOVE, D1],
    ] as const) {
      const run = async (scope: Scope) =>
        Object.fromEntries(
          await computeIndicators(ctx.deps.db, {
            rootIds: ids('R', 'T1', 'T2', 'P'),
            date,
            periodStart: start,
            names,
            scope,
          }),
        );
      expect(await run('everything')).toEqual(await run('subtree'));
    }
  });

  it('refuses a move dated before a later move of the organization or of its new parent', async () => {
    const refused = await post(`/orgs/${orgs.P.inpo}/move`, { target: orgs.T1.inpo, on: '2026-05-01', confirm: 'yes' });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Дата не может быть раньше 15.05.2026');
    expect((await fresh('P')).parentId).toBe(orgs.T2.id);
    // nor into an organization that only came to its place later
    const under = await post(`/orgs/${orgs.QG.inpo}/move`, { target: orgs.P.inpo, on: '2026-05-01', confirm: 'yes' });
    expect(under.status).toBe(422);
    expect(under.text).toContain('Дата не может быть раньше 15.05.2026');
    expect((await fresh('QG')).parentId).toBe(orgs.Q.id);
    // and the database refuses such a history whoever writes the path
    const backDated = db().transaction(async (trx) => {
      await dateTreeChanges(trx, '2026-05-01');
      await trx('organizations')
        .where({ id: orgs.PG.id })
        .update({ path: `${(await fresh('Q')).path}.${orgs.PG.id}` });
    });
    await expect(backDated).rejects.toThrow('precedes a later recorded one');
  });
});

describe('reports at a past date after a merge re-parents the children', () => {
  it("keep the merged ППО and its group in the old territory before the merge, and count its members' transfer after it", async () => {
    const before = { T1: await expectModel('2-SP', 'T1', D3, D1), T2: await expectModel('2-SP', 'T2', D3, D1) };
    expect((await post(`/orgs/${orgs.Q.inpo}/merge`, { target: orgs.U.inpo, on: MERGE, confirm: 'yes' })).status).toBe(
      303,
    );
    expect((await fresh('QG')).parentId).toBe(orgs.U.id);

    expect(await expectModel('2-SP', 'T1', D3, D1, AFTER_MERGE)).toEqual(before.T1);
    expect(await expectModel('2-SP', 'T2', D3, D1, AFTER_MERGE)).toEqual(before.T2);
    const t1 = await expectModel('2-SP', 'T1', D5, D3, AFTER_MERGE);
    const t2 = await expectModel('2-SP', 'T2', D5, D3, AFTER_MERGE);
    await expectModel('1-SP', 'R', D5, D3, AFTER_MERGE);
    // Жаров by the members' transfer, Климова with her group: both leave Q's record and come onto U's
    expect(t1['16']).toEqual({ total: 2, women: 1, youth: 1 });
    expect(t2['12']).toEqual({ total: 2, women: 1, youth: 1 });
    expect(t1['09']!.total).toBe(0);
    expect(await board('T1', D3)).toEqual(ids('Q'));
    expect(await board('T1', D5)).toEqual([]);
  });
});
