import type { Knex } from 'knex';
import { pick } from './pools';
import { listMembers, countMembers, listMembersCountedUpTo } from '../src/members/members.repo';
import type { BenchFixtures } from './fixtures';
import { listFilterJourneys, orgSearchJourneys } from './list-filter-journeys';
import { pageJourneys } from './page-journeys';
import { monitoringJourneys } from './monitoring-journeys';
import { homeJourneys } from './home-journeys';
import type { PageWork } from './page-work';
import { reportJourneys } from './report-journeys';

// Every journey of the targets table in ../shared/spec/performance.md and of issue 15: the URL the app
// serves and, beside it, the same work done directly against PostgreSQL (the session lookup and the
// service or repository calls the route makes, without HTTP and rendering), so app/direct is the overhead.
// `npm run bench -- --only <text>` runs the journeys whose name contains the text.

export interface Journey {
  name: string;
  target: string;
  who: 'admin' | 'coordinator' | 'chair' | 'statistician';
  /** the page or download of the next request (a random pick from the journey's pool); null for a figure only the direct call can reach */
  path: (() => string) | null;
  /** the page targets apply at 32 concurrent clients; reports and lists are single-user latencies */
  concurrency: number[];
  /**
   * p95 limit in ms; for pages the throughput floor, absolute (`rps`) or as a share of the limit row's
   * (`ofLimit`); `ofFloor`: app p50 at most this many times the statements' floor (`floor`)
   */
  limits: {
    p95Ms: number;
    rps?: number;
    ofLimit?: number;
    ofFloor?: number;
    p50Ms?: number;
    /** app p50 at 1 client at most this many ms over the comparison row's (`isComparison`) */
    addsAtMostMs?: number;
  };
  /** requests at 1 client and direct calls (default: 50, 10 for targets of a second or more) */
  runs?: number;
  /** judged at the highest concurrency although it sets no throughput floor (a search is a page people wait on) */
  judgedUnderLoad?: boolean;
  /** the empty logged-in page: the pages' throughput is judged against its own */
  isLimit?: boolean;
  /** the page without a feature: the rows with `addsAtMostMs` are judged against its p50 (measured first) */
  isComparison?: boolean;
  /** how many statements the direct call sends and how long they take sent in one round trip */
  floor?: () => Promise<{ statements: number; floorMs: number }>;
  direct: () => Promise<unknown>;
}

const TODAY = '2026-10-01';

export interface JourneyContext {
  db: Knex;
  /** the coordinator's work on a pool of its own, for counting the statements of a call */
  counting: PageWork;
  fx: BenchFixtures;
  work: { coordinator: PageWork; admin: PageWork; chair: PageWork; statistician: PageWork };
}

export function journeys({ db, counting, fx, work }: JourneyContext): Journey[] {
  const page = {
    concurrency: [1, 32],
    limits: { p95Ms: 75, ofLimit: 0.75 },
    target: 'p95 < 75 ms at 32 clients; ≥ 0.75 × the empty page',
  };
  return [
    ...pageJourneys(fx, work.coordinator, work.admin),
    {
      ...page,
      name: 'member list page, biggest region (50 rows by name)',
      who: 'coordinator',
      path: () => `/orgs/${fx.region.inpo}/members`,
      direct: () =>
        Promise.all([
          listMembers(
            db,
            { ...fx.region, level: 'regional' },
            { status: 'active' },
            { viewPaths: [fx.region.path] },
            'name',
            null,
            50,
          ),
          countMembers(db, { ...fx.region, level: 'regional' }, { status: 'active' }, { viewPaths: [fx.region.path] }),
        ]),
    },
    {
      ...page,
      name: 'member list page, biggest region, filtered (working women, by birth date)',
      who: 'coordinator',
      path: () => `/orgs/${fx.region.inpo}/members?category=working&sex=f&sort=birth`,
      direct: () =>
        Promise.all([
          listMembers(
            db,
            { ...fx.region, level: 'regional' },
            { status: 'active', category: 'working', sex: 'f' },
            { viewPaths: [fx.region.path] },
            'birth',
            null,
            50,
          ),
          countMembers(
            db,
            { ...fx.region, level: 'regional' },
            { status: 'active', category: 'working', sex: 'f' },
            { viewPaths: [fx.region.path] },
          ),
        ]),
    },
    {
      name: `surname fragment search, biggest region (${fx.surnameFragments.length} fragments at random)`,
      target: 'p95 < 100 ms at 32 clients',
      concurrency: [1, 32],
      limits: { p95Ms: 100 },
      judgedUnderLoad: true,
      who: 'coordinator',
      path: () => `/orgs/${fx.region.inpo}/members?q=${encodeURIComponent(pick(fx.surnameFragments))}`,
      // the page's own statements: its first page counted up to the direct download's limit
      direct: () =>
        listMembersCountedUpTo(
          db,
          { ...fx.region, level: 'regional' },
          { status: 'active', q: pick(fx.surnameFragments) },
          { viewPaths: [fx.region.path] },
          'name',
          null,
          50,
          20_000,
        ),
    },
    ...listFilterJourneys(fx, TODAY, work),
    ...orgSearchJourneys(fx, work),
    ...reportJourneys(db, fx, TODAY, work.coordinator, counting),
    ...monitoringJourneys(db, fx, TODAY, '2025-01-01'),
    ...homeJourneys(db, fx, work),
  ];
}
