import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { TEST_PASSWORD, createRegionTree, createUser } from '../support/factories';
import { submitForm } from '../support/forms';

// A race that the database decides (a unique index, a foreign key, an exclusion constraint, a
// serialization failure) must reach the user as a message, never as "internal error". The races are
// hard to time over HTTP, so a trigger plays the other user: it refuses the form's write with the
// SQLSTATE and the constraint name the real race would raise.

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let chair: { agent: Agent; csrf: string };

const REFUSALS = [
  { code: '23505', kind: 'a unique index' },
  { code: '23503', kind: 'a foreign key' },
  { code: '23P01', kind: 'an exclusion constraint' },
  { code: '40001', kind: 'a serialization failure' },
] as const;

/** The next write of `table` (when `condition` holds of NEW and OLD) fails as `code` on `constraint`. */
async function refuseWrites(table: string, code: string, constraint: string, condition = 'true') {
  await db().raw(`
    CREATE OR REPLACE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF ${condition} THEN
        RAISE EXCEPTION 'refused by the test' USING ERRCODE = '${code}', CONSTRAINT = '${constraint}';
      END IF;
      RETURN NEW;
    END $$`);
  await db().raw(
    `CREATE TRIGGER test_refuse BEFORE INSERT OR UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION test_refuse()`,
  );
}

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  chair = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: tree.primary }]));
});

afterEach(async () => {
  for (const table of ['org_headcounts', 'users']) await db().raw(`DROP TRIGGER IF EXISTS test_refuse ON ${table}`);
});

const headcount = (asOf: string) =>
  submitForm(chair.agent, `/orgs/${tree.primary.inpo}/headcount`, `/orgs/${tree.primary.inpo}/headcount`, {
    asOf,
    employeesTotal: '50',
    employeesPedagogical: '30',
    studentsTotal: '400',
  });

describe('database refusals on forms', () => {
  for (const { code, kind } of REFUSALS) {
    it(`when a passport form's save meets ${kind} (${code}) of a constraint nobody named, then the form comes back with a message, not a 500`, async () => {
      await refuseWrites('org_headcounts', code, 'test_unnamed_constraint');
      const res = await headcount('2026-02-01');
      expect(res.status, res.text.slice(0, 300)).toBe(409);
      expect(res.text).toMatch(/другой пользователь|повторите|обновите страницу/i);
    });

    it(`when a form outside any service transaction (the password change) meets ${kind} (${code}), then the answer is a message, not a 500`, async () => {
      const user = await createUser(db(), [{ role: 'chair', org: tree.primary }]);
      const session = await loggedInAgent(ctx.app, user);
      await refuseWrites(
        'users',
        code,
        'test_unnamed_constraint',
        'NEW.password_hash IS DISTINCT FROM OLD.password_hash',
      );
      const res = await submitForm(session.agent, '/account/password', '/account/password', {
        currentPassword: TEST_PASSWORD,
        newPassword: 'новая парольная фраза 2026',
        confirmPassword: 'новая парольная фраза 2026',
      });
      expect(res.status, res.text.slice(0, 300)).toBe(409);
      expect(res.text).toMatch(/другой пользователь|повторите|обновите страницу/i);
    });
  }

  it('when a refusal names a constraint the app knows, then its message stands next to the field it concerns', async () => {
    await refuseWrites('org_headcounts', '23505', 'org_headcounts_organization_id_as_of_key');
    const res = await headcount('2026-03-01');
    expect(res.status).toBe(422);
    expect(res.text).toContain('Численность на эту дату только что указал другой пользователь');
  });
});
