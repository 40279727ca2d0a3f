import type { Knex } from 'knex';
import {
  childrenOn,
  memberFiguresOn,
  orgFiguresOn,
  refreshMemberFigures,
  type Root,
} from '../src/monitoring/monitoring.repo';
import type { BenchFixtures } from './fixtures';
import type { Journey } from './journeys';

// The monitoring table of issue 17 (/orgs/{inpo}/monitoring): the union's 80 regions today and at a past date,
// the biggest region's territorial organizations, and its biggest territory's ППО. The direct call runs the
// page's three aggregate queries (children, members with cards and consents, organizations and passports),
// the members' after bringing their kept figures of the date up to date, as the page does.

async function figuresOf(db: Knex, root: Root, on: string) {
  await refreshMemberFigures(db, root, on);
  return Promise.all([childrenOn(db, root, on), memberFiguresOn(db, root, on), orgFiguresOn(db, root, on)]);
}

export function monitoringJourneys(db: Knex, fx: BenchFixtures, today: string, past: string): Journey[] {
  const single = { concurrency: [1], runs: 10 };
  return [
    {
      ...single,
      name: 'monitoring of the union (80 regions, every column), today',
      target: 'p95 < 1 s',
      who: 'admin',
      limits: { p95Ms: 1000 },
      path: () => `/orgs/${fx.union.inpo}/monitoring?on=${today}`,
      direct: () => figuresOf(db, fx.union, today),
    },
    {
      ...single,
      name: 'monitoring of the union at a past date',
      target: 'p95 < 2 s',
      who: 'admin',
      limits: { p95Ms: 2000 },
      path: () => `/orgs/${fx.union.inpo}/monitoring?on=${past}`,
      direct: () => figuresOf(db, fx.union, past),
    },
    {
      ...single,
      name: 'monitoring of the biggest region (its territorial organizations)',
      target: 'p95 < 300 ms',
      who: 'coordinator',
      limits: { p95Ms: 300 },
      path: () => `/orgs/${fx.region.inpo}/monitoring?on=${today}`,
      direct: () => figuresOf(db, fx.region, today),
    },
    {
      ...single,
      name: 'monitoring of the biggest territory (its ППО)',
      target: 'p95 < 100 ms',
      who: 'coordinator',
      limits: { p95Ms: 100 },
      path: () => `/orgs/${fx.territory.inpo}/monitoring?on=${today}`,
      direct: () => figuresOf(db, fx.territory, today),
    },
  ];
}
