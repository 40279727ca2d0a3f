import type { Knex } from 'knex';
import { findMember, listMembers, countMembers, memberTimeline } from '../src/members/members.repo';
import { membersOnRecordQuery } from '../src/membership/member-counts.repo';
import { findLineageByInpo, findOrgById } from '../src/registry/orgs.repo';
import { findHeaderFigures, listOfficers } from '../src/registry/passport.repo';
import { findActiveForm } from '../src/reports/forms/forms.repo';
import { buildReport } from '../src/reports/report-builder';
import { compiledForm } from '../src/reports/forms/compile';
import { computeIndicators } from '../src/reports/indicators/engine';
import { periodStart } from '../src/reports/periods';
import type { BenchFixtures } from './fixtures';

// Every journey of the targets table in ../shared/spec/performance.md: the URL the app serves and,
// beside it, the same work done directly against PostgreSQL (the repository or report-engine call
// the route makes, without HTTP, sessions and rendering), so app/direct is the overhead.

export interface Journey {
  name: string;
  target: string;
  who: 'admin' | 'coordinator' | 'chair';
  /** the page or download (or a pool of them, taken in turn); null for a figure only the direct call can reach */
  path: string | readonly string[] | null;
  /** the page targets apply at 32 concurrent clients; reports are single-user latencies */
  concurrency: number[];
  /** judged at the highest concurrency although it sets no throughput floor (a search is a page people wait on) */
  judgedUnderLoad?: boolean;
  /** p95 limit in ms and, for pages, the throughput floor */
  limits: { p95Ms: number; rps?: number };
  direct: () => Promise<unknown>;
}

const TODAY = '2026-10-01';
const PAST = '2024-01-01';

export function journeys(db: Knex, fx: BenchFixtures): Journey[] {
  const page = {
    concurrency: [1, 32],
    limits: { p95Ms: 50, rps: 300 },
    target: 'p95 < 50 ms at 32 clients; ≥ 300 req/s',
  };
  let directSearches = 0;
  const report = (code: string, org: { id: number }, date: string) => async () => {
    const form = (await findActiveForm(db, code))!;
    return buildReport(db, form, (await findOrgById(db, org.id))!, date);
  };
  return [
    {
      ...page,
      name: 'passport page of a ППО',
      who: 'coordinator',
      path: `/orgs/${fx.primary.inpo}`,
      direct: () =>
        Promise.all([
          findLineageByInpo(db, fx.primary.inpo),
          findHeaderFigures(db, fx.primary, membersOnRecordQuery(db, { ...fx.primary, level: 'primary' })),
          listOfficers(db, fx.primary.id),
        ]),
    },
    {
      ...page,
      name: 'member card',
      who: 'coordinator',
      path: `/members/${fx.memberId}`,
      direct: () => Promise.all([findMember(db, fx.memberId), memberTimeline(db, fx.memberId)]),
    },
    {
      ...page,
      name: 'member list page, one ППО (50 rows by name)',
      who: 'chair',
      path: `/orgs/${fx.primary.inpo}/members`,
      direct: () =>
        Promise.all([
          listMembers(
            db,
            { ...fx.primary, level: 'primary' },
            { status: 'active' },
            { viewPaths: [fx.primary.path] },
            'name',
            null,
            50,
          ),
          countMembers(db, { ...fx.primary, level: 'primary' }, { status: 'active' }, { viewPaths: [fx.primary.path] }),
        ]),
    },
    {
      ...page,
      name: 'member list page, biggest region (50 rows by name)',
      who: 'coordinator',
      path: `/orgs/${fx.region.inpo}/members`,
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
      path: `/orgs/${fx.region.inpo}/members?category=working&sex=f&sort=birth`,
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
      name: `surname fragment search, biggest region (${fx.surnameFragments.length} fragments in turn)`,
      target: 'p95 < 100 ms at 32 clients',
      concurrency: [1, 32],
      limits: { p95Ms: 100 },
      judgedUnderLoad: true,
      who: 'coordinator',
      path: fx.surnameFragments.map((q) => `/orgs/${fx.region.inpo}/members?q=${encodeURIComponent(q)}`),
      direct: () => {
        const q = fx.surnameFragments[directSearches++ % fx.surnameFragments.length]!;
        return Promise.all([
          listMembers(
            db,
            { ...fx.region, level: 'regional' },
            { status: 'active', q },
            { viewPaths: [fx.region.path] },
            'name',
            null,
            50,
          ),
          countMembers(
            db,
            { ...fx.region, level: 'regional' },
            { status: 'active', q },
            { viewPaths: [fx.region.path] },
          ),
        ]);
      },
    },
    {
      name: '5-СП draft, one ППО',
      target: '< 50 ms',
      concurrency: [1, 32],
      limits: { p95Ms: 50 },
      who: 'chair',
      path: `/reports/5-SP/${fx.primary.inpo}/${TODAY}.json?source=live`,
      direct: report('5-SP', fx.primary, TODAY),
    },
    {
      name: '5-СП draft, one ППО, past date',
      target: '< 50 ms',
      concurrency: [1],
      limits: { p95Ms: 50 },
      who: 'chair',
      path: `/reports/5-SP/${fx.primary.inpo}/${PAST}.json?source=live`,
      direct: report('5-SP', fx.primary, PAST),
    },
    {
      name: '2-СП live, biggest territorial organization',
      target: '< 1 s',
      concurrency: [1],
      limits: { p95Ms: 1000 },
      who: 'coordinator',
      path: `/reports/2-SP/${fx.territory.inpo}/${TODAY}.json?source=live`,
      direct: report('2-SP', fx.territory, TODAY),
    },
    {
      name: '1-СП live, biggest region',
      target: '< 1 s',
      concurrency: [1],
      limits: { p95Ms: 1000 },
      who: 'coordinator',
      path: `/reports/1-SP/${fx.region.inpo}/${TODAY}.json?source=live`,
      direct: report('1-SP', fx.region, TODAY),
    },
    {
      name: '1-СП live, biggest region, past date',
      target: '< 1 s',
      concurrency: [1],
      limits: { p95Ms: 1000 },
      who: 'coordinator',
      path: `/reports/1-SP/${fx.region.inpo}/${PAST}.json?source=live`,
      direct: report('1-SP', fx.region, PAST),
    },
    {
      name: 'union-wide consolidation (1-СП of the union, every line), from the maintained statistics',
      target: '< 0.5 s from maintained statistics',
      concurrency: [1],
      limits: { p95Ms: 500 },
      who: 'admin',
      path: `/reports/1-SP/${fx.union.inpo}/${TODAY}.json?source=live`,
      direct: report('1-SP', fx.union, TODAY),
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
          date: TODAY,
          periodStart: periodStart(def, TODAY),
          names: compiledForm(def).indicators,
          maintained: false,
        });
      },
    },
  ];
}
