import { beforeAll, describe, expect, it } from 'vitest';
import { pruneLoginFailures } from '../../src/auth/login-throttle';
import { useTestApp } from '../support/app';
import { loggedInAgent, postLogin } from '../support/agents';
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
    const left = await ctx.database
      .ownerDb('login_failures')
      .where({ username: other.username, ip })
      .count<{ count: number }[]>('* as count');
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

describe('throttling under concurrency and forged addresses', () => {
  it('when 40 wrong logins for one username arrive at once, then no more than 10 are checked and the rest are refused with 429', async () => {
    const target = await createUser(ctx.database.ownerDb, [
      { role: 'chair', org: (await createRegionTree(ctx.database.ownerDb)).primary },
    ]);
    const ip = '203.0.113.140';
    const attempts = await Promise.all(
      Array.from({ length: 40 }, (_, i) => postLogin(ctx.app, target.username, `wrong-${i}`, ip)),
    );
    const statuses = attempts.map((a) => a.response.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
    expect((await postLogin(ctx.app, target.username, target.password, ip)).response.status).toBe(429);
  });

  it('when a client rotates the left-most X-Forwarded-For behind one proxy, then it is still counted at the address the proxy saw', async () => {
    const target = await createUser(ctx.database.ownerDb, [
      { role: 'chair', org: (await createRegionTree(ctx.database.ownerDb)).primary },
    ]);
    const seenByProxy = '203.0.113.141';
    for (let i = 0; i < 12; i++) {
      const forged = `198.18.0.${i + 1}, ${seenByProxy}`;
      const { response } = await postLogin(ctx.app, target.username, `wrong-${i}`, forged);
      expect(response.status).toBe(i < 10 ? 401 : 429);
    }
    const rows = await ctx.database.ownerDb('login_failures').where({ username: target.username }).distinct('ip');
    expect(rows.map((r) => r.ip)).toEqual([seenByProxy]);
  });

  it('when the current password is guessed on the change-password form, then the 11th guess is refused with 429', async () => {
    const target = await createUser(ctx.database.ownerDb, [
      { role: 'chair', org: (await createRegionTree(ctx.database.ownerDb)).primary },
    ]);
    const { agent, csrf } = await loggedInAgent(ctx.app, target, '203.0.113.142');
    const guess = (currentPassword: string) =>
      agent.post('/account/password').type('form').send({
        _csrf: csrf,
        currentPassword,
        newPassword: 'совсем новая фраза 2027',
        confirmPassword: 'совсем новая фраза 2027',
      });
    for (let i = 0; i < 10; i++) expect((await guess(`wrong-${i}`)).status).toBe(422);
    const refused = await guess(target.password);
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('Слишком много неудачных попыток');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });
});
