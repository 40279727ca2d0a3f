import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeTables } from '../../src/db/maintenance';
import { ANALYZABLE_TABLES } from '../../src/db/shared-constants';
import { createTestDatabase, type TestDatabase } from '../support/db';

// Issue 15, item 1: the app's role owns no table, so its own ANALYZE of the maintained statistics was
// skipped with a warning and the planner misjudged a new date's union report. Maintenance goes through the
// owner's function analyze_tables, for a fixed list of tables only.

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.drop());

const lastAnalyze = async (table: string): Promise<Date | null> =>
  (await database.ownerDb.raw('SELECT last_analyze FROM pg_stat_user_tables WHERE relname = ?', [table])).rows[0]
    .last_analyze;

describe('maintenance of the planner statistics', () => {
  it('the maintenance connection analyzes what the app role cannot', async () => {
    const before = await lastAnalyze('member_state_cache');
    // the role's own ANALYZE: a warning, nothing analyzed
    await database.db.raw('ANALYZE member_state_cache');
    expect(await lastAnalyze('member_state_cache')).toEqual(before);

    await analyzeTables(database.db, ['member_state_cache', 'member_periods']);
    const after = await lastAnalyze('member_state_cache');
    expect(after).not.toBeNull();
    expect(after!.getTime()).toBeGreaterThan(before?.getTime() ?? 0);
    expect(await lastAnalyze('member_periods')).not.toBeNull();
  });

  it("the installed function analyzes exactly the application's list of tables (a table added to the list needs a migration that replaces it)", async () => {
    const { rows } = await database.ownerDb.raw("SELECT prosrc FROM pg_proc WHERE proname = 'analyze_tables'");
    const list = /ARRAY\[([^\]]*)\]/.exec(rows[0].prosrc as string)![1]!;
    const listed = [...list.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
    expect(listed.sort()).toEqual([...ANALYZABLE_TABLES].sort());
  });

  it('a table outside the maintained list is refused, not analyzed', async () => {
    await expect(database.db.raw("SELECT analyze_tables(ARRAY['users'])")).rejects.toMatchObject({ code: '42501' });
    await expect(database.db.raw("SELECT analyze_tables(ARRAY['users; DROP TABLE users'])")).rejects.toMatchObject({
      code: '42501',
    });
    expect(await lastAnalyze('users')).toBeNull();
  });

  it('the big tables are swept by autovacuum long before a fifth of them is dead', async () => {
    const { rows } = await database.ownerDb.raw(
      "SELECT relname, reloptions FROM pg_class WHERE relname IN ('members', 'member_periods', 'member_state_cache', 'union_stats') ORDER BY relname",
    );
    expect(
      rows.map((r: { relname: string; reloptions: string[] | null }) => [
        r.relname,
        r.reloptions?.find((o) => o.startsWith('autovacuum_vacuum_scale_factor=')),
      ]),
    ).toEqual([
      ['member_periods', 'autovacuum_vacuum_scale_factor=0.02'],
      ['member_state_cache', 'autovacuum_vacuum_scale_factor=0.05'],
      ['members', 'autovacuum_vacuum_scale_factor=0.02'],
      ['union_stats', 'autovacuum_vacuum_scale_factor=0.05'],
    ]);
  });
});
