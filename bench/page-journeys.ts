import { memberViewPaths } from '../src/access/access';
import { findMember } from '../src/members/members.repo';
import type { BenchFixtures } from './fixtures';
import type { Journey } from './journeys';
import type { PageWork } from './page-work';
import { pick } from './pools';

// The pages of issue 15 at 32 clients, each request for a random organization or card of the biggest
// region, against the limit row: the empty logged-in page (session, principal, layout, no query of its own).

const PAGE = {
  concurrency: [1, 32],
  limits: { p95Ms: 75, ofLimit: 0.75 },
  target: 'p95 < 75 ms at 32 clients; ≥ 0.75 × the empty page',
};

export function pageJourneys(fx: BenchFixtures, coordinator: PageWork, admin: PageWork): Journey[] {
  const reader = { viewPaths: memberViewPaths(coordinator.principal) };
  const passportOf = async (work: PageWork, inpo: string) => {
    await work.session();
    const lineage = await work.lineage(inpo);
    const org = lineage.pop()!;
    return { org, header: await work.passport.header(work.principal, org, lineage) };
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
        const member = (await findMember(coordinator.db, pick(fx.pools.memberIds)))!;
        await coordinator.members.card(coordinator.principal, coordinator.audit, member);
        return coordinator.members.cardDetails(member.id);
      },
    },
    {
      ...PAGE,
      name: 'member list page, one ППО (random ППО of the biggest region, 50 rows by name)',
      who: 'coordinator',
      path: () => `/orgs/${pick(fx.pools.primaries).inpo}/members`,
      direct: async () => {
        await coordinator.session();
        const org = (await coordinator.lineage(pick(fx.pools.primaries).inpo)).pop()!;
        return Promise.all([
          coordinator.members.list(org, { status: 'active' }, reader, 'name', null, 50),
          coordinator.members.count(org, { status: 'active' }, reader),
        ]);
      },
    },
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
