import { beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { mergeCards } from '../../src/members/card-merge';
import { changeCategory, endMemberships, openMembership, transferMembers } from '../../src/membership/membership';
import { depersonaliseExpired } from '../../src/members/retention';
import type { OrgRow } from '../../src/registry/orgs.repo';
import { countMembersUpTo, listMembers } from '../../src/members/members.repo';
import { loggedInAgent, type Agent } from '../support/agents';
import { useTestApp } from '../support/app';
import { createMembers, createOrg, createRegionTree, createUser, unionRoot } from '../support/factories';

// A region's list walks the cards by their region, the union's merges one page per region, and the
// totals come from counters kept by triggers: each is compared here with the plain answer computed
// from the organization tree and the cards (ordering and counting in SQL over the paths, as before).

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;
const meta = { actorUserId: null };
let r1: Awaited<ReturnType<typeof createRegionTree>>;
let r2: Awaited<ReturnType<typeof createRegionTree>>;
let union: OrgRow;
let coordinator: Agent;
let admin: Agent;

const SURNAMES = [
  'Яковлева',
  'Абрамов',
  'Ёлкина',
  'Борисов',
  'Жукова',
  'Иванов',
  'Эминова',
  'Ушаков',
  'Ильина',
  'Щукин',
];

async function people(org: OrgRow, n: number, seed: number) {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = seed + i;
    ids.push(
      ...(await createMembers(db(), org, 1, {
        surname: SURNAMES[k % SURNAMES.length],
        name: ['Анна', 'Борис', 'Вера'][k % 3],
        sex: k % 3 === 1 ? 'm' : 'f',
        birth_date: `19${60 + (k % 40)}-0${1 + (k % 9)}-1${k % 10}`,
        category: ['working', 'working', 'student', 'pensioner'][k % 4],
        is_pedagogical: k % 2 === 0,
        joined_on: `20${10 + (k % 15)}-0${1 + (k % 9)}-0${1 + (k % 9)}`,
        left_on: k % 7 === 0 ? '2025-06-01' : null,
      })),
    );
  }
  return ids;
}

beforeAll(async () => {
  r1 = await createRegionTree(db(), 21);
  r2 = await createRegionTree(db(), 22);
  union = await unionRoot(db());
  const second = await createOrg(db(), r1.territory, 'primary', { employerKind: 'research' });
  const group = await createOrg(db(), r1.primary, 'group');
  await people(r1.primary, 40, 0);
  await people(second, 35, 40);
  await people(group, 6, 75);
  // enough cards in the second region for its school ППО to be walked in sort order (member-counted.repo RegionPlan)
  await people(r2.primary, 90, 81);
  coordinator = (await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: r1.region }]))).agent;
  admin = (await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'admin', org: union }]))).agent;
});

/** Every page of a list, following «Следующие»: the card ids in order and the total shown. */
async function readList(agent: Agent, url: string) {
  const ids: number[] = [];
  let total = '';
  for (let next: string | null = url; next;) {
    const page = await agent.get(next).expect(200);
    total = /Найдено: <strong>([^<]+)<\/strong>/.exec(page.text)![1]!.replace(/\s/g, '');
    ids.push(...[...page.text.matchAll(/<a href="\/members\/(\d+)">/g)].map((m) => Number(m[1])));
    const link = /href="([^"]+)">Следующие/.exec(page.text);
    next = link ? link[1]!.replace(/&amp;/g, '&') : null;
  }
  return { ids, total: Number(total) };
}

const ORDER: Record<string, string> = {
  name: 'm.surname, m.name, m.id',
  birth: 'm.birth_date, m.id',
  joined: 'm.joined_on, m.id',
};

/** The same list the plain way: the subtree by its path, every matching card sorted in SQL. */
async function expectedList(root: OrgRow, sort: string, where = 'true') {
  const ids = await db()('members as m')
    .join('organizations as o', 'o.id', 'm.organization_id')
    .whereRaw(`o.path <@ ?::ltree AND m.merged_into_id IS NULL AND ${where}`, [root.path])
    .orderByRaw(ORDER[sort]!)
    .pluck('m.id');
  return ids.map(Number);
}

describe('member lists of a region and of the union', () => {
  const ofKind = (kind: string) =>
    `EXISTS (SELECT 1 FROM organizations p WHERE p.path @> o.path AND p.level = 'primary' AND p.employer_kind = '${kind}')`;
  const cases: [string, string, string][] = [
    ['name', '', 'm.left_on IS NULL'],
    ['birth', '&category=working&sex=f', "m.left_on IS NULL AND m.category = 'working' AND m.sex = 'f'"],
    ['joined', '&status=left', 'm.left_on IS NOT NULL'],
    ['name', '&status=all&pedagogical=yes', 'm.is_pedagogical'],
    ['name', '&q=ова', "m.left_on IS NULL AND m.surname ILIKE '%ова%'"],
    ['birth', '&age=under-35', "m.left_on IS NULL AND m.birth_date > current_date - interval '35 years'"],
    // the employer kind of the card's ППО (a group's too), counted from the maintained counters
    ['name', '&kind=research', `m.left_on IS NULL AND ${ofKind('research')}`],
    ['joined', '&kind=school&category=working', `m.left_on IS NULL AND m.category = 'working' AND ${ofKind('school')}`],
    ['name', '&kind=school&consent=no_mailing', `m.left_on IS NULL AND ${ofKind('school')}`],
    // a kind held by most of a root's cards is tested on each card its count reads, a rarer one through its
    // organizations (member-employer-kind.repo), with a union card or consent filter and a card's own field
    [
      'joined',
      '&kind=school&card=none&sex=f',
      `m.left_on IS NULL AND m.sex = 'f' AND ${ofKind('school')} AND NOT EXISTS (SELECT 1 FROM union_cards c WHERE c.member_id = m.id AND c.status NOT IN ('refused', 'lost', 'blocked'))`,
    ],
    [
      'birth',
      '&kind=research&consent=no_processing&tenure=10-plus',
      `m.left_on IS NULL AND ${ofKind('research')} AND m.joined_on <= current_date - interval '10 years'`,
    ],
    // nobody is unemployed: the counters say so and no region's index is walked
    ['name', '&category=unemployed', "m.left_on IS NULL AND m.category = 'unemployed'"],
    ['birth', '&kind=authority&sex=m', `m.left_on IS NULL AND m.sex = 'm' AND ${ofKind('authority')}`],
    // with a filter the counters do not count, what they count still bounds the rows
    ['name', '&category=unemployed&consent=mailing', 'false'],
    ['joined', '&category=student&consent=no_mailing', "m.left_on IS NULL AND m.category = 'student'"],
    // the people on record on a date (those who left in June 2025 included), the union's merged by region too
    [
      'birth',
      '&on=2025-01-01',
      "EXISTS (SELECT 1 FROM member_periods p WHERE p.member_id = m.id AND p.valid_from <= '2025-01-01' AND (p.valid_to IS NULL OR p.valid_to > '2025-01-01'))",
    ],
  ];
  const empty = new Set(['&category=unemployed', '&kind=authority&sex=m', '&category=unemployed&consent=mailing']);

  it('when a coordinator pages through the region, then every sort and filter gives the plain answer, in order, with its total', async () => {
    for (const [sort, params, where] of cases) {
      const expected = await expectedList(r1.region, sort, where);
      expect(expected.length > 3 || empty.has(params)).toBe(true);
      expect({
        sort,
        params,
        ...(await readList(coordinator, `/orgs/${r1.region.inpo}/members?sort=${sort}${params}`)),
      }).toEqual({ sort, params, ids: expected, total: expected.length });
    }
  });

  it('when an administrator pages through the union, then the regions are merged into one order', async () => {
    for (const [sort, params, where] of cases) {
      const expected = await expectedList(union, sort, where);
      expect({ sort, params, ...(await readList(admin, `/orgs/${union.inpo}/members?sort=${sort}${params}`)) }).toEqual(
        { sort, params, ids: expected, total: expected.length },
      );
    }
  });

  it('when a territory or a ППО is listed, then it holds exactly its own subtree', async () => {
    expect((await readList(coordinator, `/orgs/${r1.territory.inpo}/members`)).ids).toEqual(
      await expectedList(r1.territory, 'name', 'm.left_on IS NULL'),
    );
    expect((await readList(coordinator, `/orgs/${r1.primary.inpo}/members?status=all`)).ids).toEqual(
      await expectedList(r1.primary, 'name'),
    );
  });
});

describe('a list total past its cap', () => {
  it('when the cards are counted for a filter the counters cannot count, then the count stops at the cap and says so', async () => {
    const reader = { viewPaths: [r1.region.path] };
    // nobody of the fixture gave a consent and everyone is of an age: every card of the region on record matches
    const filter = { status: 'active' as const, consent: 'no_processing' as const, age: [0, 150] as [number, number] };
    const { rows } = await db().raw(
      `SELECT count(*)::int AS n FROM members m JOIN organizations o ON o.id = m.organization_id
        WHERE o.path <@ ?::ltree AND m.left_on IS NULL AND m.merged_into_id IS NULL`,
      [r1.region.path],
    );
    const all = rows[0].n as number;
    expect(all).toBe(69); // 81 cards of the region, 12 of them left (every 7th of the fixture's)
    expect(await countMembersUpTo(db(), r1.region, filter, reader, 68)).toEqual({ count: 68, capped: true });
    expect(await countMembersUpTo(db(), r1.region, filter, reader, 69)).toEqual({ count: 69, capped: false });
    expect(await countMembersUpTo(db(), union, filter, { viewPaths: [union.path] }, 100)).toEqual({
      count: 100,
      capped: true,
    });
    // the union's cards of a filter on their own fields are counted region by region, and stop at the cap too
    const young = { status: 'active' as const, age: [0, 60] as [number, number] };
    const { rows: plain } = await db().raw(
      `SELECT count(*)::int AS n FROM members m WHERE m.left_on IS NULL AND m.merged_into_id IS NULL
          AND m.birth_date > current_date - interval '60 years'`,
    );
    expect(plain[0].n).toBeGreaterThan(10);
    expect(await countMembersUpTo(db(), union, young, { viewPaths: [union.path] }, 10)).toEqual({
      count: 10,
      capped: true,
    });
    expect(await countMembersUpTo(db(), union, young, { viewPaths: [union.path] }, 100_000)).toEqual({
      count: plain[0].n,
      capped: false,
    });
    // what the counters count is exact whatever the cap: a consent alone too (region_consent_counts)
    expect(await countMembersUpTo(db(), r1.region, { ...filter, age: undefined }, reader, 1)).toEqual({
      count: 69,
      capped: false,
    });
    expect(await countMembersUpTo(db(), r1.region, { status: 'active', category: 'working' }, reader, 1)).toMatchObject(
      { capped: false },
    );
  });
});

/** The counters, and the same counts made from the cards. */
async function countsNowAndLive(trx: Knex = db()) {
  const kept = await trx.raw(
    `SELECT region_id, organization_id, on_record, category, sex, is_pedagogical, n FROM member_counts WHERE n <> 0 ORDER BY 1, 2, 3, 4, 5, 6`,
  );
  // the region read off the organization's path, not the card's own column
  const live =
    await trx.raw(`SELECT subpath(o.path, 1, 1)::text::int AS region_id, m.organization_id, m.left_on IS NULL AS on_record, m.category, m.sex, m.is_pedagogical, count(*)::int AS n
                               FROM members m JOIN organizations o ON o.id = m.organization_id WHERE m.merged_into_id IS NULL GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6`);
  return { kept: kept.rows, live: live.rows };
}

describe('maintained member counts', () => {
  it('when cards are admitted, transferred across regions, change category, leave, come back, merge, get depersonalised or are deleted, then the counts equal the cards', async () => {
    const check = async (step: string) => {
      const { kept, live } = await countsNowAndLive();
      expect({ step, kept }).toEqual({ step, kept: live });
    };
    await check('fixture');
    const [a, b, c, d] = await people(r1.primary, 4, 200);
    await check('admitted');
    await db().transaction((trx) => transferMembers(trx, [a!, b!], r2.primary.id, { ...meta, on: '2026-02-01' }));
    expect((await db()('members').where({ id: a }).first()).region_id).toBe(r2.region.id);
    await check('transferred to another region');
    await db().transaction((trx) => changeCategory(trx, c!, 'unemployed', false, { ...meta, on: '2026-03-01' }));
    await check('category changed');
    await db().transaction((trx) => endMemberships(trx, [c!, d!], 'voluntary', { ...meta, on: '2026-04-01' }));
    await check('left');
    await db().transaction(async (trx) => {
      await trx('members')
        .where({ id: d })
        .update({ left_on: null, left_reason: null, organization_id: r1.primary.id, category: 'working' });
      await openMembership(trx, d!, r1.primary.id, 'working', true, { ...meta, on: '2026-05-01' }, 'readmitted');
    });
    await check('readmitted');
    await mergeCards(
      db(),
      { actorUserId: null, requestId: null, ip: null },
      { id: a!, organizationId: r2.primary.id },
      b!,
    );
    await check('merged');
    await depersonaliseExpired(db(), '2040-01-01', 5);
    await check('depersonalised');
    const [gone] = await people(r2.primary, 1, 300);
    await db().transaction(async (trx) => {
      await trx('membership_events').where({ member_id: gone }).del();
      await trx('member_periods').where({ member_id: gone }).del();
      await trx('members').where({ id: gone }).del();
    });
    await check('deleted');
  });

  it('when the counters are rebuilt from the cards, then nothing changes', async () => {
    const before = (await countsNowAndLive()).kept;
    await db().raw('SELECT member_counts_rebuild()');
    expect((await countsNowAndLive()).kept).toEqual(before);
  });
});

describe('member lists of a past date', () => {
  /** The list of a date the plain way: the periods of the date inside the root, the row's category as the list shows it. */
  async function expectedOn(root: OrgRow, on: string, sort: string, where: string, seen: string) {
    const ids = await db()('members as m')
      .join('organizations as o', 'o.id', 'm.organization_id')
      .joinRaw(
        'JOIN member_periods p ON p.member_id = m.id AND p.valid_from <= ?::date AND (p.valid_to IS NULL OR p.valid_to > ?::date)',
        [on, on],
      )
      .joinRaw('JOIN organizations po ON po.id = p.organization_id')
      .whereRaw(`po.path <@ ?::ltree AND m.merged_into_id IS NULL`, [root.path])
      .whereRaw(where.replace(/:category/g, `CASE WHEN o.path <@ '${seen}' THEN m.category ELSE p.category END`))
      .orderByRaw(ORDER[sort]!)
      .pluck('m.id');
    return ids.map(Number);
  }

  it('when people moved between regions since, then a region and the union list each date from its periods, with every sort and filter', async () => {
    const [away, awayToo, stays] = await people(r1.primary, 3, 500);
    const [came] = await people(r2.primary, 1, 503);
    await db().transaction((trx) =>
      transferMembers(trx, [away!, awayToo!], r2.primary.id, { ...meta, on: '2025-09-01' }),
    );
    await db().transaction((trx) => transferMembers(trx, [came!], r1.primary.id, { ...meta, on: '2025-09-01' }));
    await db().transaction((trx) => changeCategory(trx, awayToo!, 'pensioner', false, { ...meta, on: '2025-10-01' }));
    await db().transaction((trx) => changeCategory(trx, stays!, 'pensioner', false, { ...meta, on: '2025-10-01' }));
    const cases: [string, string, string][] = [
      ['name', '', 'true'],
      ['birth', '&category=working', ":category = 'working'"],
      ['joined', '&category=pensioner', ":category = 'pensioner'"],
      [
        'name',
        '&sex=f&age=50-65',
        "m.sex = 'f' AND m.birth_date > current_date - interval '65 years' AND m.birth_date <= current_date - interval '50 years'",
      ],
      ['birth', '&tenure=10-plus', "m.joined_on <= current_date - interval '10 years'"],
    ];
    for (const on of ['2025-06-01', '2025-09-15', '2026-01-01']) {
      for (const [sort, params, where] of cases) {
        for (const [agent, root] of [
          [coordinator, r1.region],
          [admin, union],
        ] as const) {
          const expected = await expectedOn(root, on, sort, where, root.path);
          const url = `/orgs/${root.inpo}/members?sort=${sort}&on=${on}${params}`;
          // a row of someone registered outside the reader's subtrees now links to no card
          const linked = (
            await db()('members as m')
              .join('organizations as o', 'o.id', 'm.organization_id')
              .whereIn('m.id', expected)
              .whereRaw('o.path <@ ?::ltree', [root.path])
              .pluck('m.id')
          ).map(Number);
          expect({ url, ...(await readList(agent, url)) }).toEqual({
            url,
            ids: expected.filter((id) => linked.includes(id)),
            total: expected.length,
          });
        }
      }
    }
    // those who left the region are on its list of a date before they left (as they were then), and not after
    const listOn = async (on: string) =>
      (await listMembers(db(), r1.region, { status: 'active', on }, { viewPaths: [r1.region.path] }, 'name', null, 500))
        .items;
    const before = await listOn('2025-06-01');
    const after = await listOn('2026-01-01');
    expect(before.find((m) => m.id === away)).toMatchObject({ restricted: true, organizationId: r1.primary.id });
    expect([
      before.some((m) => m.id === came),
      after.some((m) => m.id === away),
      after.some((m) => m.id === came),
    ]).toEqual([false, false, true]);
  });
});
