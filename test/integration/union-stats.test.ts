import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import type { Principal } from '../../src/access/principal';
import { changeCategory, endMemberships, transferMembers } from '../../src/membership/membership';
import { findOrgById, type OrgRow } from '../../src/registry/orgs.repo';
import { createRestructureService } from '../../src/registry/restructure.service';
import { INDICATORS } from '../../src/reports/indicators/catalog';
import { computeIndicators, type Scope } from '../../src/reports/indicators/engine';
import { MAINTAINED_GROUPS, refreshUnionStats } from '../../src/reports/indicators/union-stats';
import { createReportsService } from '../../src/reports/reports.service';
import type { TestDatabase } from '../support/db';
import { createOrg } from '../support/factories';
import {
  D,
  S,
  createReportDatabase,
  insertPeople,
  movement,
  officersAt,
  periodEndedOn,
  type OrgKey,
  type PersonSpec,
  type ReportFixture,
} from '../support/report-fixture';

// The maintained statistics of the whole union (blocks of 512 organization ids) must give exactly what the
// live union-wide queries give — at several dates, and after every kind of change that can touch them —
// including what crosses blocks: transfers between organizations of different blocks (no movement of the
// union), a ППО whose group lies in another block (its size), a person with posts in two blocks (counted once).

let database: TestDatabase;
let db: Knex;
let fx: ReportFixture;
let union: OrgRow;
let extra: Record<'X' | 'XG' | 'AG' | 'Y', OrgRow>;
const noActor = { actorUserId: null };
const MAINTAINED = Object.entries(INDICATORS)
  .filter(([, i]) => MAINTAINED_GROUPS.has(i.group))
  .map(([n]) => n);
const DATES = [
  [D, S],
  [S, '2025-10-01'],
  ['2026-07-01', D],
] as const;
const BLOCKS = 50;
const ALL_BLOCKS = Array.from({ length: BLOCKS }, (_, b) => b);

/** The next organization gets an id of this block (512 ids each). */
const intoBlock = (block: number, offset = 5) =>
  db.raw("SELECT setval(pg_get_serial_sequence('organizations', 'id'), ?)", [block * 512 + offset]);
const union_ = async (date: string, start: string, how: { scope?: Scope; maintained?: boolean } = {}) =>
  (
    await computeIndicators(database.db, { rootIds: [union.id], date, periodStart: start, names: MAINTAINED, ...how })
  ).get(union.id)!;
/** The maintained figures, built first if the date is new (a report would answer that one live). */
const maintained_ = async (date: string, start: string) => {
  await refreshUnionStats(database.db, date, start);
  return union_(date, start);
};

async function expectEqualToLive() {
  for (const [date, start] of DATES) {
    const maintained = await maintained_(date, start);
    expect(maintained, `maintained = live union-wide on ${date}`).toEqual(
      await union_(date, start, { scope: 'union', maintained: false }),
    );
    expect(maintained, `maintained = live over the subtree on ${date}`).toEqual(
      await union_(date, start, { scope: 'subtree', maintained: false }),
    );
  }
}
const freshBlocks = async (date: string) =>
  (await db('union_stats_fresh').where({ as_of: date }).distinct('block').pluck('block'))
    .map(Number)
    .sort((a, b) => a - b);

beforeAll(async () => {
  ({ database, db, fx } = await createReportDatabase());
  union = (await findOrgById(db, fx.orgs.R.parentId!))!;
  await intoBlock(1);
  const X = await createOrg(db, fx.orgs.T, 'primary', { name: 'ППО в другом блоке' });
  await intoBlock(2);
  const XG = await createOrg(db, X, 'group');
  const AG = await createOrg(db, fx.orgs.A, 'group', { name: 'Группа ППО школы в другом блоке' });
  await intoBlock(3);
  const Y = await createOrg(db, fx.orgs.T2, 'primary', { name: 'ППО, которую ничто не касается' });
  extra = { X, XG, AG, Y };
  // groups of the university's ППО spread over many more blocks: the first build takes the whole-union path
  for (let block = 4; block < BLOCKS; block++) {
    await intoBlock(block);
    const group = await createOrg(db, fx.orgs.C, 'group');
    if (block % 10 === 0)
      await insertPeople(db, { group }, [
        {
          surname: `Группов${block}`,
          sex: 'f',
          birth: '2004-04-04',
          periods: [{ org: 'group', category: 'student', from: '2025-02-01' }],
        },
      ]);
  }
  const people: PersonSpec<'A' | 'X' | 'XG' | 'AG' | 'Y'>[] = [
    {
      surname: 'Орехов',
      sex: 'm',
      birth: '1990-01-01',
      periods: [
        { org: 'A', category: 'working', from: '2010-01-01', to: '2026-02-10' },
        { org: 'X', category: 'working', from: '2026-02-10' },
      ],
    },
    {
      surname: 'Петрова',
      sex: 'f',
      birth: '1999-09-09',
      periods: [{ org: 'XG', category: 'working', from: '2020-01-01' }],
    },
    {
      surname: 'Рябова',
      sex: 'f',
      birth: '1985-05-05',
      periods: [{ org: 'AG', category: 'working', from: '2015-01-01' }],
    },
    {
      surname: 'Савин',
      sex: 'm',
      birth: '2001-01-01',
      periods: [{ org: 'X', category: 'working', from: '2026-03-01' }],
    },
    {
      surname: 'Тарасов',
      sex: 'm',
      birth: '1970-01-01',
      periods: [{ org: 'Y', category: 'pensioner', from: '2001-01-01' }],
    },
  ];
  const ids = await insertPeople(db, { A: fx.orgs.A, X, XG, AG, Y }, people);
  Object.assign(fx.members, ids);
  // a person outside the registry with posts in two blocks, and a member with posts in two blocks
  await db('org_officers').insert([
    {
      organization_id: X.id,
      post: 'safety_rep',
      surname: 'Сидоров',
      name: 'Тест',
      person_id: fx.persons['Сидоров'],
      elected_on: '2023-01-01',
      trained_on: '2026-02-01',
    },
    {
      organization_id: XG.id,
      post: 'group_organizer',
      surname: 'Петрова',
      name: 'Тест',
      member_id: ids['Петрова'],
      elected_on: '2024-01-01',
    },
    {
      organization_id: fx.orgs.A.id,
      post: 'commission',
      surname: 'Петрова',
      name: 'Тест',
      member_id: ids['Петрова'],
      elected_on: '2024-01-01',
    },
  ]);
});
afterAll(async () => database.drop());

describe('maintained statistics of the whole union', () => {
  it('equal the live union-wide computation at several dates, with everything that crosses blocks', async () => {
    expect([extra.X.id >> 9, extra.XG.id >> 9, extra.AG.id >> 9, extra.Y.id >> 9]).toEqual([1, 2, 2, 3]);
    // the first build of 50 stale blocks reads the member state of every organization (built for it)
    await maintained_(D, S);
    expect(Number((await db('member_state_cached_orgs').where({ as_of: D }).count('* as n'))[0]!.n)).toBe(
      Number((await db('organizations').count('* as n'))[0]!.n),
    );
    await expectEqualToLive();
    const at = await union_(D, S);
    // counted by hand from the fixture: its activists, plus Петрова (two posts, two blocks); Сидоров's second post adds no one
    const activist = (o: { post: string }, level: string) =>
      ['chair', 'deputy', 'committee', 'audit', 'commission', 'group_organizer', 'safety_rep'].includes(o.post) &&
      ['primary', 'subdivision', 'group'].includes(level);
    const all = Object.keys(fx.orgs) as OrgKey[];
    expect(at.activists!.total).toBe(officersAt(all, D, activist, true).total + 1);
    // the union adds up its ППО (forms.md): every transfer inside it arrives in one ППО and leaves another —
    // the fixture's (Ильина, Кузнецов, Тихонов) and Орехов's from block 0 to block 1
    expect(at.transferred_in!.total).toBe(movement(all, S, D).transferred_in!.total + 1);
    expect(at.transferred_out).toEqual(at.transferred_in);
    expect(await freshBlocks(D)).toEqual(ALL_BLOCKS);
  });

  it('are built for a date they do not know yet before its first report answers from them, once for reports arriving together', async () => {
    const [date, start] = ['2026-04-15', '2026-01-01'];
    expect(await freshBlocks(date)).toEqual([]);
    const builds = async () => Number((await db.raw('SELECT last_value FROM statistics_build_seq')).rows[0].last_value);
    const before = await builds();
    const [first, second] = await Promise.all([union_(date, start), union_(date, start)]);
    // one build of the blocks and of the member state of its two dates, no background work left to wait for
    expect(await builds()).toBe(before + 3);
    expect(await freshBlocks(date)).toEqual(ALL_BLOCKS);
    expect(second).toEqual(first);
    expect(first).toEqual(await union_(date, start, { scope: 'union', maintained: false }));
  });

  it('forget only the blocks a change touches (its organizations, their parents, the other periods and posts of the same people), and equal the live computation after every kind of change', async () => {
    await union_(D, S);
    const m = fx.members;
    const steps: [string, () => Promise<unknown>, number[]][] = [
      // [what changes, the change, the blocks it makes stale for D]
      [
        'a transfer across blocks',
        () =>
          db.transaction((trx) => transferMembers(trx, [m['Фомина']!], extra.XG.id, { on: '2026-03-20', ...noActor })),
        [0, 1, 2],
      ],
      [
        'an exit, then its reason corrected',
        async () => {
          await db.transaction((trx) =>
            endMemberships(trx, [m['Петрова']!], 'voluntary', { on: '2026-03-25', ...noActor }),
          );
          await union_(D, S);
          await db('membership_events').where({ member_id: m['Петрова'], kind: 'left' }).update({ reason: 'expelled' });
        },
        [0, 1, 2],
      ],
      [
        'a category change',
        () =>
          db.transaction((trx) =>
            changeCategory(trx, m['Рябова']!, 'unemployed', false, { on: '2026-02-01', ...noActor }),
          ),
        [0, 2],
      ],
      [
        'an officer leaves a post',
        () =>
          db('org_officers')
            .where({ organization_id: extra.X.id, surname: 'Сидоров' })
            .update({ ended_on: '2026-03-01' }),
        [0, 1],
      ],
      [
        'a member officer corrects her sex',
        () => db('members').where({ id: m['Петрова'] }).update({ sex: 'm' }),
        [0, 1, 2],
      ],
      [
        'a non-member officer corrects his birth date',
        () => db('persons').where({ id: fx.persons['Сидоров'] }).update({ birth_date: '1995-01-01' }),
        [0, 1],
      ],
      [
        'a headcount',
        () =>
          db('org_headcounts').insert({
            organization_id: extra.X.id,
            as_of: '2026-02-01',
            employees_total: 50,
            employees_pedagogical: 30,
            students_total: 0,
          }),
        [1],
      ],
      [
        'an agreement and an annex',
        async () => {
          await db('collective_agreements').insert({
            organization_id: extra.X.id,
            status: 'active',
            signed_on: '2026-02-01',
            valid_from: '2026-02-01',
            valid_to: '2028-01-31',
          });
          await db('agreement_annexes').insert({ organization_id: extra.X.id, title: 'Соглашение по охране труда' });
        },
        [1],
      ],
      [
        'a filed report',
        () =>
          db('reports').insert({ organization_id: extra.X.id, form_code: '5-SP', report_date: D, status: 'submitted' }),
        [1],
      ],
      [
        'a group moved to another ППО',
        () =>
          createRestructureService(db).move(
            admin(),
            { actorUserId: null, requestId: null, ip: null },
            extra.AG,
            extra.X,
            '2026-02-15',
          ),
        [0, 1, 2],
      ],
      [
        'a new organization and a liquidation',
        async () => {
          await intoBlock(3, 100);
          await createOrg(db, fx.orgs.T2, 'primary', { createdOn: '2026-02-01' });
          await db('organizations').where({ id: extra.Y.id }).update({ liquidated_on: '2026-03-01' });
        },
        [0, 3],
      ],
    ];
    for (const [what, change, touched] of steps) {
      await union_(D, S);
      await change();
      expect(await freshBlocks(D), what).toEqual(ALL_BLOCKS.filter((b) => !touched.includes(b)));
      await expectEqualToLive();
    }
  });
});

describe('a period whose end alone changes', () => {
  it('forgets only the reports whose date is on or after its earlier end and whose period starts before its later end', async () => {
    const { endOn } = await periodEndedOn(db, '2025-11-01');
    await expectEqualToLive();
    // the member leaves on 1 December instead of 1 November: the report of S since 1 October counts the exit,
    // the reports since S and since D cannot
    await endOn('2025-12-01');
    expect(await freshBlocks(S)).not.toEqual(ALL_BLOCKS);
    expect(await freshBlocks(D)).toEqual(ALL_BLOCKS);
    expect(await freshBlocks('2026-07-01')).toEqual(ALL_BLOCKS);
    await expectEqualToLive();
    await endOn(db.raw('valid_to'));
    // saved unchanged: the reports since S and since D are kept (the one since 1 October is forgotten, as by any
    // change of an end within its period)
    expect(await freshBlocks(D)).toEqual(ALL_BLOCKS);
    expect(await freshBlocks('2026-07-01')).toEqual(ALL_BLOCKS);
    await expectEqualToLive();
  });
});

describe('the hourly housekeeping', () => {
  it('brings the union statistics of the current reporting dates up to date, equal to the live figures', async () => {
    await db('union_stats_fresh').delete();
    await createReportsService(database.db).warmUnionStats('2026-05-20'); // the quarter's reporting date is D
    expect(await freshBlocks(D)).toEqual(ALL_BLOCKS);
    expect(await union_(D, S)).toEqual(await union_(D, S, { scope: 'union', maintained: false }));
  });
});

function admin(): Principal {
  return {
    id: 0,
    username: 'test',
    fullName: 'Тест',
    mustChangePassword: false,
    secondFactorEnrolled: true,
    memberId: null,
    grants: [
      {
        role: 'admin',
        organizationId: union.id,
        organizationPath: union.path,
        organizationLevel: 'union',
        organizationInpo: union.inpo,
        organizationName: union.name,
      },
    ],
  };
}
