import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import {
  buildUnionStatsInBackground,
  retryUnionStatsBuildsAfter,
  unionStatsBuilds,
} from '../../src/reports/indicators/union-stats';
import { logUnionStatsFailuresTo } from '../../src/reports/indicators/union-stats-failures';
import { computeIndicators } from '../../src/reports/indicators/engine';
import { createReportsService } from '../../src/reports/reports.service';
import { loggedInAgent, type Agent } from '../support/agents';
import { useTestApp } from '../support/app';
import { createMembers, createRegionTree, createUser, unionRoot } from '../support/factories';

// The union's statistics are built in the background, where a failure used to be swallowed: now it is
// logged, kept as the last failure and shown to the federal administrator on the forms page, with whether
// a build succeeded after it.

const ctx = useTestApp();
let admin: { agent: Agent };
const logged: { msg: string; err?: { message: string }; date?: string }[] = [];
const [D, S] = ['2026-04-01', '2026-01-01'];

/** The «Статистика союза» section of the forms page. */
const statePanel = async () => {
  const html = (await admin.agent.get('/admin/forms').expect(200)).text;
  const start = html.indexOf('id="union-stats-title"');
  return html.slice(start, html.indexOf('</section>', start));
};
/** The table the build writes goes away and comes back: a failure of the database, not of the code. */
const renameStats = (from: string, to: string) => ctx.database.ownerDb.raw(`ALTER TABLE ${from} RENAME TO ${to}`);

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  const tree = await createRegionTree(db);
  await createMembers(db, tree.primary, 3);
  admin = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'admin', org: await unionRoot(db) }]));
  logUnionStatsFailuresTo(pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) }));
  // a failed build is retried: quickly here, so that a failure's test waits for its retries
  retryUnionStatsBuildsAfter([10, 10]);
});
afterAll(() => retryUnionStatsBuildsAfter());

describe('a background build of the union statistics', () => {
  it('when nothing has failed, the forms page says so', async () => {
    expect(await statePanel()).toContain('сбоев построения не было');
  });

  it('when it fails, it is logged with its error and period, and the forms page shows when and what', async () => {
    await renameStats('union_stats', 'union_stats_away');
    try {
      buildUnionStatsInBackground(ctx.deps.db, D, S);
      await unionStatsBuilds();
    } finally {
      await renameStats('union_stats_away', 'union_stats');
    }
    const failure = logged.find((l) => l.msg === 'building the union statistics failed');
    expect(failure?.err?.message).toContain('union_stats');
    expect(failure?.date).toBe(D);
    const row = await ctx.database.ownerDb('background_failures').where({ job: 'union_stats' }).first();
    expect(row.message).toContain('union_stats');
    expect(row.recovered_at).toBeNull();
    const panel = await statePanel();
    expect(panel).toContain('Последний сбой фонового построения статистики союза');
    expect(panel).toContain('union_stats');
    expect(panel).toContain('С тех пор статистика не построена');
  });

  it('when the hourly housekeeping meets the failure, it records it and goes on instead of stopping', async () => {
    await ctx.database.ownerDb('background_failures').update({ failed_at: new Date('2026-01-01T00:00:00Z') });
    await renameStats('union_stats', 'union_stats_away');
    try {
      await expect(createReportsService(ctx.deps.db).warmUnionStats('2026-05-20')).resolves.toBeUndefined();
    } finally {
      await renameStats('union_stats_away', 'union_stats');
    }
    const row = await ctx.database.ownerDb('background_failures').where({ job: 'union_stats' }).first();
    expect(row.failed_at.getTime()).toBeGreaterThan(new Date('2026-01-01T00:00:00Z').getTime());
  });

  it('when a later build succeeds, the page shows the failure as recovered', async () => {
    buildUnionStatsInBackground(ctx.deps.db, D, S);
    await unionStatsBuilds();
    expect(
      Number((await ctx.database.ownerDb('union_stats_fresh').where({ as_of: D, since: S }).count('* as n'))[0]!.n),
    ).toBeGreaterThan(0);
    const panel = await statePanel();
    expect(panel).toContain('Последний сбой');
    expect(panel).toContain('После него статистика построена успешно');
  });

  it('a report of a new date whose first build fails is answered live, and the build is retried', async () => {
    const [date, start] = ['2026-10-01', '2026-07-01'];
    const db = ctx.database.ownerDb;
    // more blocks than a report refreshes on its own (ids of block 40): the date needs a first build
    await db.raw("SELECT setval(pg_get_serial_sequence('organizations', 'id'), ?)", [40 * 512]);
    const tree = await createRegionTree(db, 78);
    await createMembers(db, tree.primary, 2);
    const figures = (maintained: boolean) =>
      computeIndicators(ctx.deps.db, {
        rootIds: [tree.union.id],
        date,
        periodStart: start,
        names: ['members', 'admitted'],
        maintained,
        scope: 'union',
      }).then((v) => v.get(tree.union.id));
    const failures = () => logged.filter((l) => l.msg === 'building the union statistics failed' && l.date === date);
    // the build claims its blocks first: without the table of claims it fails, the figures it would sum are still there
    retryUnionStatsBuildsAfter([1_000]);
    await renameStats('union_stats_claims', 'union_stats_claims_away');
    let answered;
    try {
      answered = await figures(true);
    } finally {
      await renameStats('union_stats_claims_away', 'union_stats_claims');
    }
    retryUnionStatsBuildsAfter([10, 10]);
    expect(failures().length).toBeGreaterThan(0);
    expect(answered).toEqual(await figures(false));
    expect(answered!.members!.total).toBe(5);
    await unionStatsBuilds();
    expect(
      Number((await db('union_stats_fresh').where({ as_of: date, since: start }).count('* as n'))[0]!.n),
    ).toBeGreaterThan(30);
  });

  it('a failed build is retried after a pause, still logged, and the retry that succeeds marks it recovered', async () => {
    const [date, start] = ['2026-07-01', '2026-04-01'];
    const failedOnce = () =>
      logged.filter((l) => l.msg === 'building the union statistics failed' && l.date === date).length;
    retryUnionStatsBuildsAfter([2_000]);
    await renameStats('union_stats', 'union_stats_away');
    try {
      buildUnionStatsInBackground(ctx.deps.db, date, start);
      // logged, then recorded: the row is written a moment after the log line
      const recorded = async () =>
        (await ctx.database.ownerDb('background_failures').where({ job: 'union_stats' }).first()).recovered_at === null;
      for (let waited = 0; !(failedOnce() && (await recorded())) && waited < 10_000; waited += 20)
        await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await renameStats('union_stats_away', 'union_stats');
    }
    expect(failedOnce()).toBe(1);
    expect(
      (await ctx.database.ownerDb('background_failures').where({ job: 'union_stats' }).first()).recovered_at,
    ).toBeNull();
    await unionStatsBuilds();
    expect(failedOnce()).toBe(1);
    expect(
      Number(
        (await ctx.database.ownerDb('union_stats_fresh').where({ as_of: date, since: start }).count('* as n'))[0]!.n,
      ),
    ).toBeGreaterThan(0);
    expect(
      (await ctx.database.ownerDb('background_failures').where({ job: 'union_stats' }).first()).recovered_at,
    ).not.toBeNull();
  });
});
