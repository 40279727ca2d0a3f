import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { useTestApp } from '../support/app';

const ctx = useTestApp();

/** Runs `sql` on one of the app's own pooled connections and returns the error PostgreSQL gave, if any. */
async function refusal(sql: string): Promise<string | undefined> {
  try {
    await ctx.deps.db.raw(sql);
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

describe("the app's database role", () => {
  it('when the app connects, then it logs in as the restricted role itself, not as a superuser that switched roles', async () => {
    const { rows } = await ctx.deps.db.raw(
      'SELECT session_user AS session_user, current_user AS current_user, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls FROM pg_roles r WHERE r.rolname = session_user',
    );
    expect(rows[0]).toEqual({
      session_user: 'reestr_app',
      current_user: 'reestr_app',
      rolsuper: false,
      rolcreaterole: false,
      rolcreatedb: false,
      rolbypassrls: false,
    });
  });

  it('when the connection tries to shed the role, then it gains nothing', async () => {
    await ctx.deps.db.transaction(async (trx) => {
      await trx.raw('RESET ROLE');
      expect((await trx.raw('SELECT current_user AS who')).rows[0].who).toBe('reestr_app');
      await trx.raw('SET SESSION AUTHORIZATION DEFAULT');
      expect((await trx.raw('SELECT current_user AS who')).rows[0].who).toBe('reestr_app');
    });
    expect(await refusal('SET ROLE postgres')).toBe('42501');
  });

  it('when the connection tries to rewrite or reshape the audit log, then PostgreSQL refuses', async () => {
    expect(await refusal('UPDATE audit_log SET action = action')).toBe('42501');
    expect(await refusal('DELETE FROM audit_log')).toBe('42501');
    expect(await refusal('TRUNCATE audit_log')).toBe('42501');
    expect(await refusal('ALTER TABLE audit_log DISABLE TRIGGER ALL')).toBe('42501');
    expect(await refusal('DROP TABLE audit_log')).toBe('42501');
    expect(await refusal('CREATE TABLE stolen (x int)')).toBe('42501');
    expect(await refusal('ALTER ROLE reestr_app SUPERUSER')).toBe('42501');
  });

  it("when a user logs in, then the session store's connections are the restricted role's too", async () => {
    await request(ctx.app).get('/login').expect(200);
    const { rows } = await ctx.database.ownerDb.raw(
      "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database() AND application_name IN ('reestr', 'reestr-sessions')",
    );
    expect(rows.map((r: { usename: string }) => r.usename)).toEqual(['reestr_app']);
  });
});
