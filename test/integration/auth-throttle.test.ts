import { beforeAll, describe, expect, it } from 'vitest';
import { pruneLoginFailures } from '../../src/auth/login-throttle';
import { useTestApp } from '../support/app';
import { postLogin } from '../support/agents';
import { createRegionTree, createUser, type TestUser } from '../support/factories';

const ctx = useTestApp();
let victim: TestUser;
let other: TestUser;

beforeAll(async () => {
  const tree = await createRegionTree(ctx.database.ownerDb);
  victim = await createUser(ctx.database.ownerDb, [{ role: 'chair', org: tree.primary }]);
  other = await createUser(ctx.database.ownerDb, [{ role: 'chair', org: tree.primary }]);
});

describe('login throttling', () => {
  it('when 10 attempts fail for a username from one address, then the 11th is refused with 429, a Russian message and Retry-After', async () => {
    const attacker = '203.0.113.7';
    for (let i = 0; i < 10; i++) {
      const { response } = await postLogin(ctx.app, victim.username, `wrong-${i}`, attacker);
      expect(response.status).toBe(401);
    }
    const { response } = await postLogin(ctx.app, victim.username, victim.password, attacker);
    expect(response.status).toBe(429);
    expect(response.text).toContain('Слишком много неудачных попыток входа');
    const retryAfter = Number(response.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);

    // Other users at the same address are unaffected…
    expect((await postLogin(ctx.app, other.username, other.password, attacker)).response.status).toBe(303);
    // …and the victim still logs in from their own address.
    expect((await postLogin(ctx.app, victim.username, victim.password, '198.51.100.20')).response.status).toBe(303);
  });

  it('when an address has 100 failures in a day, then every login from it is refused', async () => {
    const noisy = '203.0.113.99';
    const rows = Array.from({ length: 100 }, (_, i) => ({ username: `guess-${i}`, ip: noisy }));
    await ctx.database.ownerDb('login_failures').insert(rows);
    const { response } = await postLogin(ctx.app, other.username, other.password, noisy);
    expect(response.status).toBe(429);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(80000);
    expect((await postLogin(ctx.app, other.username, other.password, '198.51.100.21')).response.status).toBe(303);
  });

  it('when a login succeeds, then the failures of that username and address are forgiven', async () => {
    const ip = '203.0.113.50';
    for (let i = 0; i < 9; i++) await postLogin(ctx.app, other.username, 'wrong', ip);
    expect((await postLogin(ctx.app, other.username, other.password, ip)).response.status).toBe(303);
    const left = await ctx.database.ownerDb('login_failures').where({ username: other.username, ip }).count<{ count: number }[]>('* as count');
    expect(left[0]!.count).toBe(0);
  });

  it('when failures are older than a day, then housekeeping removes them and keeps the recent ones', async () => {
    const db = ctx.database.ownerDb;
    await db('login_failures').insert([
      { username: 'old-one', ip: '192.0.2.1', failed_at: new Date(Date.now() - 25 * 3600 * 1000) },
      { username: 'new-one', ip: '192.0.2.1' },
    ]);
    expect(await pruneLoginFailures(ctx.database.db)).toBeGreaterThanOrEqual(1);
    expect(await db('login_failures').where({ username: 'old-one' })).toHaveLength(0);
    expect(await db('login_failures').where({ username: 'new-one' })).toHaveLength(1);
  });
});
