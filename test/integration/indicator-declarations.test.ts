import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { INDICATORS, type IndicatorGroup } from '../../src/reports/indicators/catalog';
import { GROUPS, forgettingTables, type GroupQuery, type Scope } from '../../src/reports/indicators/groups';
import { computeLive, groupSql } from '../../src/reports/indicators/live';
import { sqlDate } from '../../src/reports/indicators/sql-fragments';
import type { Frame, Tree } from '../../src/reports/indicators/tree-on-date';
import { createTestDatabase, type TestDatabase } from '../support/db';

// Each indicator group is declared once (GROUPS in groups.ts): its query, whether the union's statistics
// keep it, and the tables it reads. The pieces that used to agree by memory are checked against each other
// here: the catalog's filters against the queries they run in, the declared tables against the tables the
// queries name, and the tables whose changes forget the maintained statistics (triggers installed by the
// migrations) against the tables the maintained groups read.

let database: TestDatabase;
let db: Knex;
beforeAll(async () => {
  database = await createTestDatabase();
  db = database.ownerDb;
});
afterAll(async () => database.drop());

const GROUP_NAMES = Object.keys(GROUPS) as IndicatorGroup[];
const namesOf = (group: IndicatorGroup) => Object.keys(INDICATORS).filter((n) => INDICATORS[n]!.group === group);

/** Every way the engine builds a query: the subtrees or the union's blocks, in the present tree or the tree of the date, narrowed each way. */
const WAYS: { scope: Scope; frame: Frame }[] = (['current', 'dated'] as Tree[]).flatMap((tree) => [
  ...(['subtree', 'everything', 'union'] as Scope[]).map((scope) => ({
    scope,
    frame: { tree, whole: scope === 'union' },
  })),
  ...(['subtree', 'everything'] as Scope[]).map((scope) => ({ scope, frame: { tree, blocks: true } })),
  { scope: 'subtree' as Scope, frame: { tree, own: true } },
]);
const queryOf = (group: IndicatorGroup, way: (typeof WAYS)[number]): GroupQuery => ({
  d: sqlDate('2026-04-01'),
  s: sqlDate('2026-01-01'),
  names: namesOf(group),
  ...way,
});

/** The relations a query names after FROM or JOIN that are tables of the schema (not its CTEs or functions). */
function tablesNamed(sql: string, tables: Set<string>): string[] {
  return [...sql.matchAll(/\b(?:FROM|JOIN)\s+([a-z_]+)\b/gi)].map((m) => m[1]!).filter((name) => tables.has(name));
}

describe('one declaration per indicator group', () => {
  it("every indicator of the catalog runs in its group's query, whichever way the engine builds it (its aliases exist there)", async () => {
    for (const group of GROUP_NAMES) {
      for (const way of WAYS) {
        await expect(
          computeLive(
            db,
            {
              rootIds: [1],
              date: '2026-04-01',
              periodStart: '2026-01-01',
              names: namesOf(group),
              tree: way.frame.tree,
              blocks: way.frame.blocks,
              own: way.frame.own,
            },
            way.scope,
          ),
          `${group} in ${JSON.stringify(way)}`,
        ).resolves.toBeDefined();
      }
    }
  });

  it('every group declares exactly the tables its queries read, and the date of the member state when it reads it', async () => {
    const tables = new Set<string>(await db('pg_tables').where({ schemaname: 'public' }).pluck('tablename'));
    for (const group of GROUP_NAMES) {
      const read = new Set(WAYS.flatMap((way) => tablesNamed(groupSql(group, queryOf(group, way)), tables)));
      expect([...read].sort(), group).toEqual([...GROUPS[group].reads].sort());
      // the union-wide queries read the maintained member state only of a date made complete first (live.ts)
      expect(!!GROUPS[group].memberStateOn, `${group} names the date of the member state it reads`).toBe(
        read.has('member_state_cache'),
      );
    }
  });

  it("changes forget the union's statistics exactly on the tables the maintained groups read", async () => {
    const { rows } = await db.raw(
      `SELECT DISTINCT c.relname AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
        WHERE NOT t.tgisinternal AND p.proname LIKE 'union\\_stats\\_forget%'`,
    );
    expect(rows.map((r: { name: string }) => r.name).sort()).toEqual([...forgettingTables()].sort());
  });
});
