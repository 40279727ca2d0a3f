import { memberViewPaths } from '../src/access/access';
import { findMemberWithCardPage } from '../src/members/card-page.repo';
import { findPassportPageByInpo } from '../src/registry/passport-page.repo';
import type { BenchFixtures } from './fixtures';
import type { Journey } from './journeys';
import type { PageWork } from './page-work';
import { pick } from './pools';
import { DEFAULT_AGE_LIMITS } from '../src/analytics/dimensions';
import { todayIso } from '../src/shared/dates';

// The pages of issue 15 at 32 clients, each request for a random organization or card of the biggest
// region, against the limit row: the empty logged-in page (session, principal, layout, no query of its own).

const PAGE = {
  concurrency: [1, 32],
  limits: { p95Ms: 75, ofLimit: 0.75 },
  target: 'p95 < 75 ms at 32 clients; ≥ 0.75 × the empty page',
};

export function pageJourneys(fx: BenchFixtures, coordinator: PageWork, admin: PageWork): Journey[] {
  const reader = { viewPaths: memberViewPaths(coordinator.principal) };
  // as the passport tabs' loader: the organization, its ancestors and the header's figures in one statement
  const passportOf = async (work: PageWork, inpo: string) => {
    await work.session();
    const { lineage, figures } = (await findPassportPageByInpo(work.db, inpo))!;
    const org = lineage.pop()!;
    return { org, header: await work.passport.header(work.principal, org, lineage, figures) };
  };
  return [
    {
      name: 'empty logged-in page (/help with a session): the limit of the pages below',
      target: 'the limit row',
      who: 'coordinator',
      concurrency: [1, 32],
      limits: { p95Ms: 75 },
      isLimit: true,
      path: () => '/help',
      direct: () => coordinator.session(),
    },
    {
      ...PAGE,
      name: 'passport page of a ППО (random ППО of the biggest region)',
      who: 'coordinator',
      path: () => `/orgs/${pick(fx.pools.primaries).inpo}`,
      direct: () => passportOf(coordinator, pick(fx.pools.primaries).inpo),
    },
    {
      ...PAGE,
      name: 'member card (random card of the biggest region)',
      who: 'coordinator',
      path: () => `/members/${pick(fx.pools.memberIds)}`,
      direct: async () => {
        await coordinator.session();
        const { member, details } = (await findMemberWithCardPage(coordinator.db, pick(fx.pools.memberIds)))!;
        return coordinator.members.cardPage(coordinator.principal, coordinator.audit, member, details);
      },
    },
    {
      ...PAGE,
      name: 'member list page, one ППО (random ППО of the biggest region, 50 rows by name)',
      who: 'coordinator',
      path: () => `/orgs/${pick(fx.pools.primaries).inpo}/members`,
      direct: async () => {
        // as the page: the organization with its members on record (the loader's statement), then the page
        await coordinator.session();
        const { lineage, figures } = (await findPassportPageByInpo(coordinator.db, pick(fx.pools.primaries).inpo))!;
        const page = await coordinator.members.list(lineage.pop()!, { status: 'active' }, reader, 'name', null, 50);
        return [page, figures.activeMembers];
      },
    },
    // issue 17: a cross-table of the biggest region by two dimensions < 1 s, the union's < 3 s
    ...(
      [
        ['biggest region', coordinator, fx.region.inpo, 1000],
        ['union', admin, fx.union.inpo, 3000],
      ] as const
    ).map(([scope, work, inpo, p95Ms]) => ({
      name: `analytics cross-table, ${scope}, age × sex today`,
      target: `p95 < ${p95Ms} ms`,
      who: work === admin ? ('admin' as const) : ('coordinator' as const),
      concurrency: [1],
      limits: { p95Ms },
      runs: 10,
      path: () => `/orgs/${inpo}/analytics?rows=age&columns=sex`,
      direct: async () => {
        await work.session();
        const org = (await work.lineage(inpo)).pop()!;
        const date = todayIso();
        return work.analytics.crossTable(org, {
          date,
          rows: 'age',
          columns: 'sex',
          share: 'count',
          ageLimits: DEFAULT_AGE_LIMITS,
        });
      },
    })),
    {
      name: 'union passport page',
      target: 'p95 < 50 ms',
      who: 'admin',
      concurrency: [1],
      limits: { p95Ms: 50 },
      path: () => `/orgs/${fx.union.inpo}`,
      direct: () => passportOf(admin, fx.union.inpo),
    },
    {
      name: 'union structure tab (the 80 regions with their figures)',
      target: 'p95 < 200 ms',
      who: 'admin',
      concurrency: [1],
      limits: { p95Ms: 200 },
      path: () => `/orgs/${fx.union.inpo}/structure`,
      direct: async () => {
        const { org } = await passportOf(admin, fx.union.inpo);
        return Promise.all([admin.passport.children(org, 'name', 1, 50), admin.passport.liquidatedChildren(org)]);
      },
    },
  ];
}
