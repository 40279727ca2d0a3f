// npx tsx bench/combo-one.ts '<list query>' [list|count]: one draw of bench/combo-sweep.ts against DATABASE_URL, each
// statement printed with its time and its values inlined (ready for EXPLAIN (ANALYZE, BUFFERS) in psql).
import { createDb } from '../src/db/knex';
import { filterOf, listQuery } from '../src/members/member-list-query';
import { countMembersUpTo, listMembers } from '../src/members/members.repo';

async function main() {
  const db = createDb(process.env.DATABASE_URL!, { poolMax: 4, statementTimeoutMs: 20_000 });
  // LEVEL=regional: the biggest region instead of the union
  const { rows } = await db.raw(
    `SELECT o.id, o.path::text AS path, o.level FROM organizations o WHERE o.level = ?
      ORDER BY (SELECT count(*) FROM members m WHERE m.region_id = o.id) DESC LIMIT 1`,
    [process.env.LEVEL ?? 'union'],
  );
  const root = rows[0];
  const reader = { viewPaths: [root.path as string] };
  const started = new Map<string, number>();
  db.on('query', (q: { __knexQueryUid: string }) => started.set(q.__knexQueryUid, performance.now()));
  db.on('query-response', (_r: unknown, q: { __knexQueryUid: string; sql: string; bindings: unknown[] }) => {
    const ms = performance.now() - started.get(q.__knexQueryUid)!;
    const lit = (v: unknown): string =>
      v === null || v === undefined
        ? 'NULL'
        : Array.isArray(v)
          ? `'{${v.join(',')}}'`
          : typeof v === 'number' || typeof v === 'boolean'
            ? String(v)
            : `'${String(v).replace(/'/g, "''")}'`;
    const sql = q.sql.replace(/\$(\d+)/g, (_, i) => lit(q.bindings[Number(i) - 1]));
    console.log(`--- ${ms.toFixed(0)} ms\n${sql};`);
  });
  const query = listQuery.parse(Object.fromEntries(new URLSearchParams(process.argv[2])));
  const filter = filterOf(query);
  const what = process.argv[3] ?? 'both';
  const t = performance.now();
  await Promise.all([
    what !== 'count' ? listMembers(db, root, filter, reader, query.sort, null, 50) : null,
    what !== 'list' ? countMembersUpTo(db, root, filter, reader, 20_000) : null,
  ]);
  console.log(`=== total ${(performance.now() - t).toFixed(0)} ms`);
  await db.destroy();
}
void main();
