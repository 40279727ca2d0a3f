import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { changeCategory, endMemberships, transferMembers } from '../../src/membership/membership';
import { fileReport } from '../../src/reports/filing';
import { findActiveForm } from '../../src/reports/forms/forms.repo';
import { listCards } from '../../src/reports/indicators/behind';
import { computeIndicators } from '../../src/reports/indicators/engine';
import { rootOnDate } from '../../src/reports/indicators/tree-on-date';
import { buildReport, type ReportResult } from '../../src/reports/report-builder';
import { createReportsService } from '../../src/reports/reports.service';
import type { TestDatabase } from '../support/db';
import {
  D,
  S,
  SUBTREES,
  admitBackDated,
  createReportDatabase,
  expectedMembershipLines,
  expectedStructureLines,
  headcountAt,
  stateAt,
  type OrgKey,
  type ReportFixture,
} from '../support/report-fixture';

// Every line of 5-СП, 4-СП, 3-СП, 2-СП, 1-СП, КДК-1 and КДК-2 against values computed in the test
// from the fixture's specification (test/support/report-fixture.ts), not from the product's SQL.

let database: TestDatabase;
let db: Knex;
let fx: ReportFixture;
const noActor = { actorUserId: null, requestId: null, ip: null };

beforeAll(async () => {
  ({ database, db, fx } = await createReportDatabase());
});
afterAll(async () => database.drop());

async function formOf(code: string) {
  return (await findActiveForm(database.db, code))!;
}
async function report(code: string, key: OrgKey, date = D): Promise<ReportResult> {
  return buildReport(database.db, await formOf(code), fx.orgs[key], date);
}
const lines = (r: ReportResult) => Object.fromEntries(r.sections.flatMap((s) => s.lines).map((l) => [l.no, l]));

function expectLines(
  r: ReportResult,
  expected: Record<string, Partial<Record<'total' | 'women' | 'youth', number | null>>>,
) {
  const got = lines(r);
  const actual: Record<string, unknown> = {};
  for (const [no, cols] of Object.entries(expected)) {
    actual[no] = Object.fromEntries(
      Object.keys(cols).map((col) => [col, got[no] ? got[no].values[col as 'total'] : 'no such line']),
    );
  }
  expect(actual).toEqual(expected);
}

describe('5-СП, 4-СП and 3-СП of primary organizations', () => {
  it('5-СП: every line of sections I and II, as computed from the cards and the passport', async () => {
    const r = await report('5-SP', 'A');
    const expected = expectedMembershipLines(SUBTREES.A!);
    expect(Object.keys(expected)).toHaveLength(32);
    expectLines(r, expected);
    // a few figures counted by hand, which also checks the independent computation
    expect(expected['02']).toEqual({ total: 9, women: 6, youth: 6 });
    expect(expected['11']).toEqual({ total: 2, women: 1, youth: 1 }); // Зайцева, and Романов admitted on the reporting date itself
    expect(expected['12']).toEqual({ total: 1, women: 0, youth: 1 }); // Кузнецов from another region
    expect([
      expected['13']!.total,
      expected['14']!.total,
      expected['15']!.total,
      expected['16']!.total,
      expected['17']!.total,
    ]).toEqual([6, 1, 1, 3, 1]);
    expect(expected['10']).toEqual({ total: 1, women: 1, youth: 1 }); // Давыдова
    expect(expected['31']!.total).toBe(7); // Алексеева, Васильев (two posts), Борисова, Григорьева, Егоров, Сидоров, Жукова
    expect(expected['32']!.total).toBe(2); // Алексеева and Егоров trained in the quarter
    expect(lines(r)['18']!.values.total).toBe(22.5); // 9 of 40
  });

  it('5-СП of another ППО, 4-СП of a university and 3-СП of its students', async () => {
    expectLines(await report('5-SP', 'B'), expectedMembershipLines(SUBTREES.B!));
    expectLines(await report('4-SP', 'C'), expectedMembershipLines(SUBTREES.C!));
    const students = await report('3-SP', 'C');
    const all = expectedMembershipLines(SUBTREES.C!);
    expect(students.sections.flatMap((x) => x.lines.map((l) => l.no))).toEqual([
      '05',
      '06',
      '09',
      '11',
      '12',
      '13',
      '14',
      '15',
      '16',
      '17',
      '19',
      '22',
      '23',
      '24',
      '25',
      '26',
      '27',
      '28',
      '29',
      '30',
      '31',
      '32',
    ]);
    expectLines(students, {
      '05': all['05']!,
      '06': all['06']!,
      '09': stateAt(SUBTREES.C!, D),
      '13': all['13']!,
      '19': all['19']!,
    });
  });
});

describe('2-СП and 1-СП consolidation', () => {
  it('2-СП: sections I–III of a territorial organization; percentages recomputed from the sums, not averaged', async () => {
    const r = await report('2-SP', 'T');
    expectLines(r, { ...expectedMembershipLines(SUBTREES.T!), ...expectedStructureLines('T') });
    const a = expectedMembershipLines(SUBTREES.A!);
    const b = expectedMembershipLines(SUBTREES.B!);
    const recomputed =
      Math.round(((a['02']!.total! + b['02']!.total!) / (a['01']!.total! + b['01']!.total!)) * 1000) / 10;
    const averaged = Math.round(((a['18']!.total! + b['18']!.total!) / 2) * 10) / 10;
    expect(lines(r)['18']!.values.total).toBe(recomputed);
    expect(recomputed).not.toBe(averaged);
    // section III is the organization's own bodies: not summed from the ППО
    expect(lines(r)['60']!.values).toEqual({ total: 1, women: 1, youth: 0 });
    expect(lines(r)['64']!.values).toEqual({ total: 2, women: 1, youth: 1 });
  });

  it('1-СП: the region, with territorial organizations, ППО on direct record and those with territorial rights', async () => {
    const r = await report('1-SP', 'R');
    expectLines(r, {
      ...expectedMembershipLines(SUBTREES.R!),
      ...expectedStructureLines('R'),
      '55': { total: 1 },
      '56': { total: 1 },
      '57': { total: 0 },
    });
    expect(lines(r)['09']!.values.total).toBe(stateAt(SUBTREES.R!, D).total);
    expect(lines(r)['51']!.values.total).toBe(headcountAt(SUBTREES.R!, D).institutions);
  });

  it('a territorial organization sums exactly its ППО (each member counted once, where registered)', async () => {
    const [t, a, b] = await Promise.all([report('2-SP', 'T'), report('5-SP', 'A'), report('5-SP', 'B')]);
    for (const no of ['02', '06', '07', '08', '09', '10', '11', '12', '13', '14', '15', '16', '17', '22', '31']) {
      for (const col of ['total', 'women', 'youth'] as const) {
        expect({ no, col, v: lines(t)[no]!.values[col] }).toEqual({
          no,
          col,
          v: lines(a)[no]!.values[col]! + lines(b)[no]!.values[col]!,
        });
      }
    }
    // an internal transfer (Ильина, A → B) is an arrival in B and a departure from A: the territory adds them up (forms.md)
    expect(lines(b)['12']!.values.total).toBe(1);
    expect(lines(t)['12']!.values.total).toBe(2); // Ильина, and Кузнецов from the other region into A
  });
});

describe('КДК forms from the collective-agreement tab', () => {
  const Y = '2026-01-01';
  it('КДК-1 of a ППО: the agreement, its term, registration, coverage and annexes', async () => {
    const r = await report('KDK-1', 'A', Y);
    const l = lines(r);
    const working = stateAt(SUBTREES.A!, Y, (p) => p.category === 'working').total;
    expect([
      l['01']!.values.total,
      l['04']!.values.total,
      l['05']!.values.total,
      l['06']!.values.total,
      l['07']!.values.total,
    ]).toEqual([1, 40, working, 1, 0]);
    expect(l['02']!.text).toBe('подписан 15.03.2025, действует с 01.04.2025 по 31.12.2027');
    expect(l['03']!.text).toBe('№ 12 от 10.04.2025');
    expect(l['08']!.text).toBe('Положение об оплате труда; Соглашение по охране труда');
    const b = lines(await report('KDK-1', 'B', Y));
    expect([b['01']!.values.total, b['07']!.values.total, b['04']!.values.total]).toEqual([0, 1, 0]);
  });

  it('КДК-2 of a territorial organization: shares recomputed from the ППО, and its own agreement', async () => {
    const l = lines(await report('KDK-2', 'T', Y));
    const workingA = stateAt(SUBTREES.A!, Y, (p) => p.category === 'working').total;
    const workingB = stateAt(SUBTREES.B!, Y, (p) => p.category === 'working').total;
    expect(['01', '02', '03', '04', '05', '06', '07', '08'].map((no) => l[no]!.values.total)).toEqual([
      2,
      1,
      1,
      1,
      1,
      50,
      Math.round((40 / (40 + 28)) * 1000) / 10,
      Math.round((workingA / (workingA + workingB)) * 1000) / 10,
    ]);
    // line 09 (form version 2): whether the level's own agreement is in force; its term follows on line 10
    expect(l['09']!.values.total).toBe(1);
    expect(l['10']!.text).toBe('подписан 15.01.2024, действует с 01.02.2024 по 31.12.2026');
  });

  it('КДКО lists every ППО with its agreement', async () => {
    const r = await report('KDKO', 'R', Y);
    expect(r.rows!.map((x) => [x.name, x.hasAgreement])).toEqual([
      ['ППО детского сада № 2', false],
      ['ППО университета', false],
      ['ППО школы № 1', true],
    ]);
  });
});

describe('controls', () => {
  it('fire on a crafted inconsistency and list the cards behind it', async () => {
    // A's passport says 2 pedagogical employees; four members hold pedagogical posts
    const r = await report('5-SP', 'A');
    const failed = r.controls.find((c) => c.id === 'ped-members-le-ped-staff');
    expect(failed?.failures).toEqual([{ column: 'total', left: 4, right: 2 }]);
    expect(failed!.cards.map((c) => c.surname).sort()).toEqual(['Алексеева', 'Борисова', 'Давыдова', 'Жукова']);
    expect(failed!.cardsTotal).toBe(4);
    expect(r.controls.find((c) => c.id === 'members-total')).toBeUndefined();
  });

  it('the movement identity holds live, and fails with the back-dated cards after the previous report was filed', async () => {
    const service = createReportsService(database.db);
    const form = await formOf('5-SP');
    const target = (date: string) => ({ org: fx.orgs.B, form, date });
    expect((await service.draft(target(D))).controls.find((c) => c.id === 'movement')).toBeUndefined();
    const atStart = await service.draft(target(S));
    expect(atStart.controls.filter((c) => c.severity === 'error')).toEqual([]);
    await fileReport(database.db, noActor, fx.orgs.B.id, atStart);

    // after filing, someone registers an admission back-dated into the filed quarter
    await db.transaction(async (trx) => {
      await admitBackDated(
        trx,
        fx.orgs.B.id,
        { surname: 'Запоздалова', birthDate: '1990-01-01', isPedagogical: false },
        '2025-12-01',
      );
    });

    const draft = await service.draft(target(D));
    const identity = draft.controls.find((c) => c.id === 'movement');
    expect(identity?.failures).toContainEqual({
      column: 'total',
      left: lines(draft)['09']!.values.total,
      right: lines(draft)['09']!.values.total! - 1,
    });
    expect(identity!.cards.map((c) => c.surname)).toEqual(['Запоздалова']);

    // what starts from the filed report is the form's to say: a version that carries nothing forward counts the start live
    const { carriedForward, ...definition } = form.definition as typeof form.definition & { carriedForward?: unknown };
    expect(carriedForward).toEqual({ line: '09', indicator: 'members_at_start', columns: ['total', 'women'] });
    const live = await service.draft(target(D), { ...form, definition });
    expect(live.controls.find((c) => c.id === 'movement')).toBeUndefined();
  });
});

describe('reports at any date', () => {
  it('a past date is reproduced after later changes to the cards; a later date shows them', async () => {
    const before = await report('5-SP', 'A');
    await db.transaction(async (trx) => {
      const meta = { actorUserId: null };
      await transferMembers(trx, [fx.members['Васильев']!], fx.orgs.B.id, { ...meta, on: '2026-05-10' });
      await endMemberships(trx, [fx.members['Борисова']!], 'voluntary', { ...meta, on: '2026-06-01' });
      await changeCategory(trx, fx.members['Егоров']!, 'working', false, { ...meta, on: '2026-05-01' });
    });
    const after = await report('5-SP', 'A');
    expect(after.sections).toEqual(before.sections);
    const later = lines(await report('5-SP', 'A', '2026-07-01'));
    const then = lines(before);
    expect(later['09']!.values.total).toBe(then['09']!.values.total! - 2);
    expect(later['08']!.values.total).toBe(then['08']!.values.total! - 1);
    expect([later['14']!.values.total, later['16']!.values.total, later['11']!.values.total]).toEqual([1, 1, 0]);
  });
});

describe('electronic union cards by status on the date', () => {
  it('counts each card by the status its last move before the date gave it', async () => {
    const card = async (surname: string, kind: 'plastic' | 'virtual', moves: [string, string][]) => {
      const [c] = await db('union_cards')
        .insert({
          number: `T-${surname}-${kind}`,
          member_id: fx.members[surname],
          kind,
          status: moves.at(-1)![1],
          status_on: moves.at(-1)![0],
        })
        .returning('id');
      let from: string | null = null;
      for (const [on, to] of moves) {
        await db('union_card_events').insert({ card_id: c.id, from_status: from, to_status: to, happened_on: on });
        from = to;
      }
    };
    await card('Алексеева', 'plastic', [
      ['2025-01-10', 'requested'],
      ['2025-02-01', 'sent_to_production'],
      ['2025-03-01', 'produced'],
      ['2025-04-01', 'delivered_to_region'],
      ['2026-02-01', 'issued'],
    ]);
    await card('Жукова', 'plastic', [['2026-03-01', 'requested']]);
    await card('Давыдова', 'plastic', [
      ['2025-05-01', 'requested'],
      ['2025-06-01', 'refused'],
    ]);
    await card('Григорьева', 'plastic', [
      ['2025-05-01', 'requested'],
      ['2025-06-01', 'refused'],
    ]);
    await card('Григорьева', 'virtual', [['2025-06-02', 'issued']]);
    const names = [
      'cards_in_production',
      'cards_awaiting_issue',
      'cards_issued',
      'cards_refused',
      'cards_refused_no_virtual',
      'cards_lost',
    ];
    const at = async (date: string) => {
      const v = (await computeIndicators(database.db, { rootIds: [fx.orgs.A.id], date, periodStart: S, names })).get(
        fx.orgs.A.id,
      )!;
      return names.map((n) => v[n]!.total);
    };
    expect(await at(D)).toEqual([1, 0, 2, 2, 1, 0]); // Жукова requested; Алексеева and Григорьева's virtual issued; two refusals, one without a virtual card
    expect(await at(S)).toEqual([0, 1, 1, 2, 1, 0]); // on 1 January Алексеева's card was delivered, not yet issued
  });
});

// Last in the file: it moves a card out of the region after D, which the figures above do not expect.
describe('the cards behind a figure of a region', () => {
  it('when the first cards are walked in the region’s name order, then they are the first of all matching cards, one moved to another region since included', async () => {
    const root = await rootOnDate(database.db, fx.orgs.R.id, D);
    const sorted = (limit: number) => listCards(database.db, root, 'members_working', S, limit);
    // a region with few matches sorts them; one with many walks its cards in name order (forced here)
    const region = (limit: number) =>
      listCards(database.db, root, 'members_working', S, limit, { regionId: fx.orgs.R.id });
    const walked = (limit: number) =>
      listCards(database.db, root, 'members_working', S, limit, { regionId: fx.orgs.R.id, sortAtMost: 0 });
    const all = await sorted(100);
    // as many cards as the region's figure counts (the fixture's, with the back-dated admission above)
    const figure = await computeIndicators(database.db, {
      rootIds: [fx.orgs.R.id],
      date: D,
      periodStart: S,
      names: ['members_working'],
    });
    expect(all.total).toBe(figure.get(fx.orgs.R.id)!.members_working!.total);
    expect(all.total).toBeGreaterThan(3);
    const first = all.cards[0]!;
    await db.transaction((trx) =>
      transferMembers(trx, [first.id], fx.orgs.P2.id, { actorUserId: null, on: '2026-06-01' }),
    );
    expect((await db('members').where({ id: first.id }).first('region_id')).region_id).not.toBe(fx.orgs.R.id);
    for (const limit of [1, 2, 3, 100]) {
      const expected = { total: all.total, cards: all.cards.slice(0, limit) };
      expect({ limit, ...(await sorted(limit)) }).toEqual({ limit, ...expected });
      expect({ limit, ...(await region(limit)) }).toEqual({ limit, ...expected });
      expect({ limit, ...(await walked(limit)) }).toEqual({ limit, ...expected });
    }
  });
});
