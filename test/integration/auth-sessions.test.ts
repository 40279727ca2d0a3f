import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ABSOLUTE_TIMEOUT_MS, IDLE_TIMEOUT_MS, TOUCH_INTERVAL_MS } from '../../src/http/setup/session';
import { useTestApp } from '../support/app';
import { csrfFrom, loggedInAgent, postLogin } from '../support/agents';
import { createRegionTree, createUser, type TestUser } from '../support/factories';

const ctx = useTestApp();
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let chair: TestUser;

beforeAll(async () => {
  tree = await createRegionTree(ctx.database.ownerDb);
  chair = await createUser(ctx.database.ownerDb, [{ role: 'chair', org: tree.primary }]);
});

async function sessionRowsOf(userId: number) {
  return ctx.database.ownerDb('sessions').whereRaw("(sess -> 'passport' ->> 'user') = ?", [String(userId)]);
}

describe('session lifetime', () => {
  it('when the session has been idle past its expiry, then the user is sent to the login page', async () => {
    const user = await createUser(ctx.database.ownerDb, [{ role: 'chair', org: tree.primary }]);
    const { agent } = await loggedInAgent(ctx.app, user);
    const [row] = await sessionRowsOf(user.id);
    // The store keeps a session for 30 idle minutes: pretend they have passed.
    expect(new Date(row.expire).getTime() - Date.now()).toBeLessThanOrEqual(30 * 60 * 1000 + 5000);
    await ctx.database
      .ownerDb('sessions')
      .where({ sid: row.sid })
      .update({ expire: new Date(Date.now() - 1000) });
    const res = await agent.get('/');
    expect(res.status).toBe(303);
    expect(res.headers.location).toContain('/login');
  });

  it('when pages follow each other, then the stored expiry moves on at most once a minute, and always keeps the session alive', async () => {
    const user = await createUser(ctx.database.ownerDb, [{ role: 'chair', org: tree.primary }]);
    const { agent } = await loggedInAgent(ctx.app, user);
    const expiry = async () => new Date((await sessionRowsOf(user.id))[0].expire).getTime();
    await agent.get('/').expect(200);
    const touched = await expiry();
    expect(Math.abs(touched - (Date.now() + IDLE_TIMEOUT_MS))).toBeLessThan(5000);
    await agent.get('/').expect(200);
    expect(await expiry()).toBe(touched); // within the minute: no write
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + TOUCH_INTERVAL_MS + 1000 });
    try {
      await agent.get('/').expect(200);
      expect(await expiry()).toBeGreaterThanOrEqual(touched + TOUCH_INTERVAL_MS);
    } finally {
      vi.useRealTimers();
    }
  });

  it('when 12 hours have passed since login, then the session ends even if it was active', async () => {
    const user = await createUser(ctx.database.ownerDb, [{ role: 'chair', org: tree.primary }]);
    const { agent } = await loggedInAgent(ctx.app, user);
    const [row] = await sessionRowsOf(user.id);
    const sess = typeof row.sess === 'string' ? JSON.parse(row.sess) : row.sess;
    sess.authenticatedAt = Date.now() - ABSOLUTE_TIMEOUT_MS - 1000;
    await ctx.database
      .ownerDb('sessions')
      .where({ sid: row.sid })
      .update({ sess: JSON.stringify(sess) });
    const res = await agent.get('/');
    expect(res.status).toBe(303);
    expect(res.headers.location).toContain('/login');
    expect(await sessionRowsOf(user.id)).toHaveLength(0);
  });

  it('when a session cookie is issued, then it is HttpOnly and SameSite=Lax', async () => {
    const { response } = await postLogin(ctx.app, chair.username, chair.password);
    const cookie = ([] as string[]).concat(response.headers['set-cookie'] ?? []).join(';');
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
  });
});

describe('issued passwords', () => {
  it('when a user logs in with an issued password, then every page redirects to the password change until it is changed', async () => {
    const user = await createUser(ctx.database.ownerDb, [{ role: 'chair', org: tree.primary }], {
      mustChangePassword: true,
    });
    const { agent, response } = await postLogin(ctx.app, user.username, user.password);
    expect(response.headers.location).toBe('/account/password');
    const home = await agent.get('/');
    expect(home.status).toBe(303);
    expect(home.headers.location).toBe('/account/password');
    expect((await agent.get(`/orgs/${tree.primary.inpo}`)).headers.location).toBe('/account/password');

    const form = await agent.get('/account/password').expect(200);
    expect(form.text).toContain('Придумайте собственный пароль');
    const csrf = csrfFrom(form.text);

    const weak = await agent
      .post('/account/password')
      .type('form')
      .send({ _csrf: csrf, currentPassword: user.password, newPassword: 'профсоюз', confirmPassword: 'профсоюз' });
    expect(weak.status).toBe(422);
    expect(weak.text).toContain('Пароль слишком простой');

    const mismatch = await agent.post('/account/password').type('form').send({
      _csrf: csrf,
      currentPassword: user.password,
      newPassword: 'длинная фраза раз',
      confirmPassword: 'длинная фраза два',
    });
    expect(mismatch.status).toBe(422);
    expect(mismatch.text).toContain('Пароли не совпадают');

    const wrongCurrent = await agent.post('/account/password').type('form').send({
      _csrf: csrf,
      currentPassword: 'не тот',
      newPassword: 'длинная фраза раз',
      confirmPassword: 'длинная фраза раз',
    });
    expect(wrongCurrent.status).toBe(422);
    expect(wrongCurrent.text).toContain('Текущий пароль указан неверно');

    // A long Cyrillic passphrase: more than 72 bytes in UTF-8, every character counts.
    const passphrase = 'в лесу родилась ёлочка, в лесу она росла, зимой и летом стройная';
    expect(Buffer.byteLength(passphrase)).toBeGreaterThan(72);
    const ok = await agent
      .post('/account/password')
      .type('form')
      .send({ _csrf: csrf, currentPassword: user.password, newPassword: passphrase, confirmPassword: passphrase });
    expect(ok.status).toBe(303);
    expect((await agent.get('/')).status).toBe(200);

    const row = await ctx.database.ownerDb('users').where({ id: user.id }).first();
    expect(row.must_change_password).toBe(false);
    expect(row.password_hash).toMatch(/^\$2b\$12\$/);
    const audit = await ctx.database
      .ownerDb('audit_log')
      .where({ entity: 'user', entity_id: String(user.id), action: 'user.password_changed' });
    expect(audit).toHaveLength(1);
    expect(audit[0].actor_user_id).toBe(user.id);
    expect(audit[0].request_id).toBeTruthy();

    const changedTail = passphrase.slice(0, -1) + 'Я';
    expect((await postLogin(ctx.app, user.username, changedTail, '10.9.9.9')).response.status).toBe(401);
    expect((await postLogin(ctx.app, user.username, passphrase)).response.status).toBe(303);
  });
});
