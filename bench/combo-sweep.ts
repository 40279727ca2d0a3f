// npx tsx bench/combo-sweep.ts [--region] [--pairs-only] [--triples N] [--top N]: every pair of the member list's
// filters with every value (and N random triples), each read as the page's direct call does (the first page and the
// count up to 20,000, side by side), against DATABASE_URL; prints the slowest. The filter journeys draw 10–20 of
// these at random: this finds the draws they would hit only now and then (issue 15, item 2).
import fs from 'node:fs';
import { CARD_STATUSES } from '../src/cards/card-statuses';
import { createDb } from '../src/db/knex';
import { AGE_BANDS, TENURE_BANDS, filterOf, listQuery } from '../src/members/member-list-query';
import { countMembersUpTo, listMembers } from '../src/members/members.repo';
import { CATEGORIES } from '../src/membership/membership';
import { EMPLOYER_KINDS } from '../src/registry/levels';
import { pick, random } from './pools';

const argv = process.argv.slice(2);
const option = (name: string, fallback: number) =>
  argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback;

const VALUES: Record<string, Record<string, string>[]> = {
  category: CATEGORIES.map((category) => ({ category })),
  sex: ['m', 'f'].map((sex) => ({ sex })),
  status: ['left', 'all'].map((status) => ({ status })),
  pedagogical: ['yes', 'no'].map((pedagogical) => ({ pedagogical })),
  consent: ['mailing', 'no_mailing', 'no_processing'].map((consent) => ({ consent })),
  age: Object.keys(AGE_BANDS).map((age) => ({ age })),
  tenure: Object.keys(TENURE_BANDS).map((tenure) => ({ tenure })),
  card: ['none', ...CARD_STATUSES].map((card) => ({ card })),
  cardKind: ['plastic', 'virtual'].map((cardKind) => ({ cardKind })),
  address: [{ address: 'invalid' }],
  kind: EMPLOYER_KINDS.map((kind) => ({ kind })),
  on: ['2021-07-01', '2023-02-14', '2025-10-01'].map((on) => ({ on })),
};
const SORTS = ['name', 'birth', 'joined'];

function* pairs(): Generator<Record<string, string>> {
  const names = Object.keys(VALUES);
  for (let i = 0; i < names.length; i++)
    for (let j = i + 1; j < names.length; j++)
      for (const a of VALUES[names[i]!]!) for (const b of VALUES[names[j]!]!) yield { ...a, ...b };
}

function* triples(n: number): Generator<Record<string, string>> {
  const names = Object.keys(VALUES);
  for (let k = 0; k < n; k++) {
    const chosen = new Set<string>();
    while (chosen.size < 3) chosen.add(pick(names));
    yield Object.assign({}, ...[...chosen].map((name) => pick(VALUES[name]!)));
  }
}

async function main() {
  const db = createDb(process.env.DATABASE_URL!, { poolMax: 4, statementTimeoutMs: 20_000 });
  const level = argv.includes('--region') ? 'regional' : 'union';
  const { rows } = await db.raw(
    `SELECT o.id, o.path::text AS path, o.level FROM organizations o
      WHERE o.level = ? ORDER BY (SELECT count(*) FROM members m WHERE m.region_id = o.id) DESC LIMIT 1`,
    [level],
  );
  const root = rows[0];
  const reader = { viewPaths: [root.path as string] };
  // `--again FILE`: the draws of an earlier sweep's output (its lines `  1234 ms  params`), each once more
  const again = argv.includes('--again')
    ? fs
        .readFileSync(argv[argv.indexOf('--again') + 1]!, 'utf8')
        .split('\n')
        .flatMap((line) => /^\s*\d+ ms {2}(\S+)/.exec(line)?.[1] ?? [])
        .map((params) => Object.fromEntries(new URLSearchParams(params)))
    : null;
  const draws = again ?? [...(argv.includes('--triples-only') ? [] : pairs()), ...triples(option('--triples', 0))];
  const timed: { ms: number; params: string }[] = [];
  for (const params of draws) {
    const withSort = { sort: SORTS[Math.floor(random() * SORTS.length)]!, ...params };
    const query = listQuery.parse(withSort);
    const filter = filterOf(query);
    const started = performance.now();
    try {
      await Promise.all([
        listMembers(db, root, filter, reader, query.sort, null, 50),
        countMembersUpTo(db, root, filter, reader, 20_000),
      ]);
      timed.push({ ms: performance.now() - started, params: new URLSearchParams(withSort).toString() });
    } catch (e) {
      timed.push({ ms: Infinity, params: `${new URLSearchParams(withSort).toString()} (${(e as Error).message})` });
    }
  }
  timed.sort((a, b) => b.ms - a.ms);
  const at = (q: number) => timed[Math.min(timed.length - 1, Math.floor((1 - q) * timed.length))]!.ms.toFixed(0);
  console.log(`${timed.length} draws at ${level} scale: p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, p99 ${at(0.99)} ms`);
  for (const t of timed.slice(0, option('--top', 40))) console.log(`${t.ms.toFixed(0).padStart(7)} ms  ${t.params}`);
  await db.destroy();
}

void main();
