import { CARD_STATUSES } from '../src/cards/card-statuses';
import { AGE_BANDS, TENURE_BANDS, filterOf, listQuery } from '../src/members/member-list-query';
import { CATEGORIES } from '../src/membership/membership';
import { EMPLOYER_KINDS, LEVELS } from '../src/registry/levels';
import { ORG_FILTER_KEYS } from '../src/registry/structure.schemas';
import { memberViewPaths } from '../src/access/access';
import type { BenchFixtures } from './fixtures';
import type { Journey } from './journeys';
import type { PageWork } from './page-work';
import { pick, random, randomDate } from './pools';

// Every filter of the member list and of the organization search (issue 15, item 2), alone and combined,
// with a random value on every request, at the scale of the biggest region (its coordinator) and of the
// union (the federal administrator). The member list's name search has journeys of its own.

type Params = Record<string, string>;

const FILTERS: Record<string, (today: string) => Params> = {
  category: () => ({ category: pick(CATEGORIES) }),
  sex: () => ({ sex: pick(['m', 'f']) }),
  'status (left, all)': () => ({ status: pick(['left', 'all']) }),
  pedagogical: () => ({ pedagogical: pick(['yes', 'no']) }),
  consent: () => ({ consent: pick(['mailing', 'no_mailing', 'no_processing']) }),
  age: () => ({ age: pick(Object.keys(AGE_BANDS)) }),
  tenure: () => ({ tenure: pick(Object.keys(TENURE_BANDS)) }),
  'union card': () => ({ card: pick(['none', ...CARD_STATUSES]) }),
  'union card kind': () => ({ cardKind: pick(['plastic', 'virtual']) }),
  'e-mail invalid': () => ({ address: 'invalid' }),
  'employer kind': () => ({ kind: pick(EMPLOYER_KINDS) }),
  'state on a date': (today) => ({ on: randomDate('2021-01-01', today) }),
  'sort by birth or joining date': () => ({ sort: pick(['birth', 'joined']) }),
};

/** Two or three different filters at once, each with a random value. */
function combined(today: string): Params {
  const names = Object.keys(FILTERS).filter((n) => !n.startsWith('sort'));
  const chosen = new Set<string>();
  const wanted = 2 + Math.floor(random() * 2);
  while (chosen.size < wanted) chosen.add(pick(names));
  return Object.assign({ sort: pick(['name', 'birth', 'joined']) }, ...[...chosen].map((n) => FILTERS[n]!(today)));
}

export function listFilterJourneys(
  fx: BenchFixtures,
  today: string,
  scales: { coordinator: PageWork; admin: PageWork },
): Journey[] {
  const all = { ...FILTERS, 'two or three combined': combined };
  const at = [
    { scale: 'biggest region', org: fx.region, who: 'coordinator', work: scales.coordinator, p95Ms: 300 },
    { scale: 'union', org: fx.union, who: 'admin', work: scales.admin, p95Ms: 1000 },
  ] as const;
  return at.flatMap(({ scale, org, who, work, p95Ms }) =>
    Object.entries(all).map(([name, params]): Journey => {
      const reader = { viewPaths: memberViewPaths(work.principal) };
      return {
        name: `member list, ${scale}, filter: ${name} (random values)`,
        target: `p95 < ${p95Ms >= 1000 ? '1 s' : `${p95Ms} ms`}`,
        who,
        concurrency: [1],
        limits: { p95Ms },
        // the union's slow filters take seconds: 10 runs keep the run within minutes
        runs: scale === 'union' ? 10 : 20,
        path: () => `/orgs/${org.inpo}/members?${new URLSearchParams(params(today)).toString()}`,
        direct: async () => {
          await work.session();
          const root = (await work.lineage(org.inpo)).pop()!;
          const query = listQuery.parse(params(today));
          const filter = filterOf(query);
          return Promise.all([
            work.members.list(root, filter, reader, query.sort, null, 50),
            // the page's own count: up to the direct download's limit («более 20 000»)
            work.members.countUpTo(root, filter, reader, 20_000),
          ]);
        },
      };
    }),
  );
}

/** The organization search's filters (`/orgs/{ИНПО}/search`): a passport gap, a level, a name fragment, or two of them. */
const ORG_SEARCHES: Record<string, () => Params> = {
  'passport filter': () => ({ filter: pick(ORG_FILTER_KEYS) }),
  level: () => ({ level: pick(LEVELS.filter((l) => l !== 'union')) }),
  'passport filter and level': () => ({ filter: pick(ORG_FILTER_KEYS), level: pick(['primary', 'territorial']) }),
  'name fragment and passport filter': () => ({
    q: pick(['школ', 'сад', 'колледж', 'гимназ', 'универ', 'центр']),
    filter: pick(ORG_FILTER_KEYS),
  }),
};

export function orgSearchJourneys(fx: BenchFixtures, scales: { coordinator: PageWork; admin: PageWork }): Journey[] {
  const at = [
    { scale: 'biggest region', org: fx.region, who: 'coordinator', work: scales.coordinator, p95Ms: 300 },
    { scale: 'union', org: fx.union, who: 'admin', work: scales.admin, p95Ms: 1000 },
  ] as const;
  return at.flatMap(({ scale, org, who, work, p95Ms }) =>
    Object.entries(ORG_SEARCHES).map(([name, params]): Journey => ({
      name: `organization search, ${scale}, filter: ${name} (random values)`,
      target: `p95 < ${p95Ms >= 1000 ? '1 s' : `${p95Ms} ms`}`,
      who,
      concurrency: [1],
      limits: { p95Ms },
      runs: 20,
      path: () => `/orgs/${org.inpo}/search?${new URLSearchParams(params()).toString()}`,
      direct: async () => {
        await work.session();
        const root = (await work.lineage(org.inpo)).pop()!;
        const p = params();
        return work.passport.search(
          root,
          { q: p.q ?? null, filter: (p.filter as never) ?? null, level: (p.level as never) ?? null, after: null },
          50,
        );
      },
    })),
  );
}
