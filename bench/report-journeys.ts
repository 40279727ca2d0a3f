import type { Knex } from 'knex';
import { findOrgById } from '../src/registry/orgs.repo';
import { findActiveForm } from '../src/reports/forms/forms.repo';
import { compiledForm } from '../src/reports/forms/compile';
import { computeIndicators } from '../src/reports/indicators/engine';
import { periodStart } from '../src/reports/periods';
import { buildReport } from '../src/reports/report-builder';
import { createReportsService } from '../src/reports/reports.service';
import { reportJson } from '../src/reports/report-json';
import type { BenchFixtures } from './fixtures';
import type { Journey } from './journeys';
import type { PageWork } from './page-work';
import { pick, randomDate } from './pools';
import { floorOf, recordStatements } from './statements';

// The statistical forms: single-user latencies (a report is one person waiting), the direct column the
// report engine's own call.

const PAST = '2024-01-01';

export function reportJourneys(
  db: Knex,
  fx: BenchFixtures,
  today: string,
  coordinator: PageWork,
  counting: PageWork,
): Journey[] {
  const report = (code: string, org: { id: number }, date: string, on = db) =>
    (async () => {
      const form = (await findActiveForm(on, code))!;
      return buildReport(on, form, (await findOrgById(on, org.id))!, date);
    })();
  // a ППО files the primary form of its kind: the 5-СП of a college's ППО (4-СП) is no page (404: 26 errors of
  // the whole run of 2026-11-29)
  const fiveSp = fx.pools.primaries.filter((p) => p.primaryForm === '5-SP');
  // the page, its direct call and the floor go over the same draws (the floor once timed the statements of
  // ten other ППО and dates than the page's)
  const draws = Array.from({ length: 50 }, () => ({ org: pick(fiveSp), date: randomDate('2022-01-01', today) }));
  const cycle = () => {
    let next = 0;
    return () => draws[next++ % draws.length]!;
  };
  const [pagePick, directPick] = [cycle(), cycle()];
  // what the JSON route does in the database: the session, the :inpo loader, the form, the draft (the previous
  // filing's carried line first), the report row and the cards' names as the reader may see them
  const draftPage = async (work: PageWork, { org, date }: (typeof draws)[number]) => {
    const reports = createReportsService(work.db);
    await work.session();
    const lineage = (await work.lineage(org.inpo))!;
    const t = await reports.target(lineage.at(-1)!, '5-SP', date);
    const result = await reports.draft(t);
    await reports.reportOf(t);
    return reportJson(await reports.readableFor(work.principal, result));
  };
  return [
    {
      name: '5-СП draft of a ППО (random ППО of the biggest region, random date since 2022)',
      target: 'app p50 ≤ 2 × the floor (its statements in one round trip)',
      concurrency: [1, 32],
      limits: { p95Ms: 50, ofFloor: 2 },
      who: 'coordinator',
      path: () => {
        const { org, date } = pagePick();
        return `/reports/5-SP/${org.inpo}/${date}.json?source=live`;
      },
      direct: () => draftPage(coordinator, directPick()),
      // the same statements as the direct call with the same values, all in one round trip: the median over the draws
      floor: async () => {
        const samples: { statements: number; floorMs: number }[] = [];
        for (const draw of draws) {
          const { statements, sql } = await recordStatements(counting.db, () => draftPage(counting, draw));
          samples.push({ statements, floorMs: await floorOf(counting.db, sql, 5) });
        }
        const median = (key: (s: (typeof samples)[number]) => number) =>
          samples.map(key).sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
        return { statements: median((s) => s.statements), floorMs: median((s) => s.floorMs) };
      },
    },
    {
      name: '2-СП live, biggest territorial organization',
      target: '< 1 s',
      concurrency: [1],
      limits: { p95Ms: 1000 },
      who: 'coordinator',
      path: () => `/reports/2-SP/${fx.territory.inpo}/${today}.json?source=live`,
      direct: () => report('2-SP', fx.territory, today),
    },
    {
      name: '1-СП live, biggest region',
      target: '< 300 ms',
      concurrency: [1],
      limits: { p95Ms: 300 },
      runs: 10,
      who: 'coordinator',
      path: () => `/reports/1-SP/${fx.region.inpo}/${today}.json?source=live`,
      direct: () => report('1-SP', fx.region, today),
    },
    {
      name: '1-СП live, biggest region, past date',
      target: '< 300 ms',
      concurrency: [1],
      limits: { p95Ms: 300 },
      runs: 10,
      who: 'coordinator',
      path: () => `/reports/1-SP/${fx.region.inpo}/${PAST}.json?source=live`,
      direct: () => report('1-SP', fx.region, PAST),
    },
    {
      name: 'union-wide consolidation (1-СП of the union, every line), from the maintained statistics',
      target: '< 0.5 s from maintained statistics',
      concurrency: [1],
      limits: { p95Ms: 500 },
      who: 'admin',
      path: () => `/reports/1-SP/${fx.union.inpo}/${today}.json?source=live`,
      direct: () => report('1-SP', fx.union, today),
    },
    {
      name: 'union-wide consolidation, live: every indicator of 1-СП over the registry, the maintained statistics not used (direct call only)',
      target: '< 3 s live',
      concurrency: [],
      limits: { p95Ms: 3000 },
      who: 'admin',
      path: null,
      direct: async () => {
        const def = (await findActiveForm(db, '1-SP'))!.definition;
        return computeIndicators(db, {
          rootIds: [fx.union.id],
          date: today,
          periodStart: periodStart(def, today),
          names: compiledForm(def).indicators,
          maintained: false,
        });
      },
    },
  ];
}
