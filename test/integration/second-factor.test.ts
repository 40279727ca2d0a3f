import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { anonymousAgent, csrfFrom, loggedInAgent, loggedInWithCode, postLogin } from '../support/agents';
import { createRegionTree, createUser, type TestUser } from '../support/factories';
import { appCode, enrolSecondFactor } from '../support/second-factor';

// The requirement is on here, as in production (the shared test config turns it off).
const ctx = useTestApp({ TOTP_REQUIRED: 'true' });
let tree: Awaited<ReturnType<typeof createRegionTree>>;

beforeAll(async () => {
  tree = await createRegionTree(ctx.database.ownerDb);
});

const newUser = (role: 'admin' | 'coordinator' | 'chair') =>
  createUser(ctx.database.ownerDb, [
    { role, org: role === 'admin' ? tree.union : role === 'coordinator' ? tree.region : tree.primary },
  ]);

async function passwordStep(user: TestUser, ip = '127.0.0.1') {
  const { agent, response } = await postLogin(ctx.app, user.username, user.password, ip);
  expect(response.status).toBe(303);
  expect(response.headers.location).toBe('/login/code');
  const page = await agent.get('/login/code').expect(200);
  return { agent, csrf: csrfFrom(page.text) };
}

describe('second factor: enrolment', () => {
  it('when a coordinator without a factor logs in, then every page leads to enrolment, which a code from the app confirms and which shows 10 recovery codes once', async () => {
    const user = await newUser('coordinator');
    const { agent } = await loggedInAgent(ctx.app, user);
    for (const url of ['/', `/orgs/${tree.region.inpo}`, '/account', `/orgs/${tree.primary.inpo}/members`]) {
      const res = await agent.get(url);
      expect(res.status, url).toBe(303);
      expect(res.headers.location).toBe('/account/second-factor');
    }
    const page = await agent.get('/account/second-factor').expect(200);
    expect(page.text).toContain('Для вашей роли вход требует второго фактора');
    expect(page.text).toMatch(/<img src="data:image\/png;base64,[A-Za-z0-9+/=]+"/);
    const secret = /id="manual-key">([A-Z2-7 ]+)</.exec(page.text)![1]!.replace(/ /g, '');
    expect(secret).toHaveLength(32);
    // a reload offers the same key: the app may already hold it
    expect((await agent.get('/account/second-factor')).text).toContain(
      /id="manual-key">([A-Z2-7 ]+)</.exec(page.text)![1],
    );

    const csrf = csrfFrom(page.text);
    const wrong = await agent
      .post('/account/second-factor')
      .type('form')
      .send({ _csrf: csrf, code: '000000' === appCode(secret) ? '111111' : '000000' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('id="code-error"');
    expect(wrong.text).toContain('Код не подходит');
    const empty = await agent.post('/account/second-factor').type('form').send({ _csrf: csrf, code: '' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Введите код из приложения');

    const enrolmentCode = appCode(secret);
    const done = await agent.post('/account/second-factor').type('form').send({ _csrf: csrf, code: enrolmentCode });
    expect(done.status).toBe(200);
    const codes = [...done.text.matchAll(/<li>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})<\/li>/g)].map(
      (m) => m[1]!,
    );
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    // stored as digests only
    const stored = await ctx.database.ownerDb('user_recovery_codes').where({ user_id: user.id }).pluck('code_hash');
    expect(stored).toHaveLength(10);
    expect(stored.some((h: string) => codes.some((c) => h.includes(c.replace(/-/g, ''))))).toBe(false);
    expect((await agent.get('/account')).status).toBe(200);
    expect((await agent.get('/account/second-factor')).text).not.toContain(codes[0]!);

    // the next login asks for a code; the one used to confirm cannot be replayed
    const second = await passwordStep(user);
    const replay = await second.agent
      .post('/login/code')
      .type('form')
      .send({ _csrf: second.csrf, code: enrolmentCode });
    expect(replay.status).toBe(401);
    expect(replay.text).toContain('Код неверен или уже использован');
    const next = await second.agent
      .post('/login/code')
      .type('form')
      .send({ _csrf: second.csrf, code: appCode(secret, 1) });
    expect(next.status).toBe(303);
    expect((await second.agent.get('/')).status).toBe(200);

    const audit = await ctx.database
      .ownerDb('audit_log')
      .where({ entity: 'user', entity_id: String(user.id) })
      .pluck('action');
    expect(audit).toContain('user.second_factor_enrolled');
  });

  it('when a chair logs in without a factor, then nothing asks for one (optional below coordinator)', async () => {
    const { agent } = await loggedInAgent(ctx.app, await newUser('chair'));
    expect((await agent.get('/')).status).toBe(200);
    const page = await agent.get('/account/second-factor').expect(200);
    expect(page.text).not.toContain('Для вашей роли');
  });
});

describe('second factor: login', () => {
  it('when the password is right, then no session exists until the code is: pages still ask to log in', async () => {
    const user = await newUser('admin');
    const { secret } = await enrolSecondFactor(ctx.database.ownerDb, user.id);
    const { agent, csrf } = await passwordStep(user);
    const home = await agent.get('/');
    expect(home.status).toBe(303);
    expect(home.headers.location).toMatch(/^\/login/);
    expect(
      (
        await agent
          .post('/account/second-factor/reset')
          .type('form')
          .send({ _csrf: csrf, currentPassword: user.password })
      ).status,
    ).toBe(401);
    const empty = await agent.post('/login/code').type('form').send({ _csrf: csrf, code: '' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Введите код из приложения или резервный код');
    await agent
      .post('/login/code')
      .type('form')
      .send({ _csrf: csrf, code: appCode(secret) })
      .expect(303);
    expect((await agent.get('/')).status).toBe(200);
  });

  it('when the code comes more than five minutes after the password, then the login starts over', async () => {
    const user = await newUser('admin');
    const { secret } = await enrolSecondFactor(ctx.database.ownerDb, user.id);
    const { agent, csrf } = await passwordStep(user);
    await ctx.database.ownerDb.raw(
      "UPDATE sessions SET sess = jsonb_set(sess::jsonb, '{pendingSecondFactor,startedAt}', to_jsonb(?::bigint))::json WHERE (sess -> 'pendingSecondFactor' ->> 'userId') = ?",
      [Date.now() - 5 * 60 * 1000 - 1000, String(user.id)],
    );
    const late = await agent
      .post('/login/code')
      .type('form')
      .send({ _csrf: csrf, code: appCode(secret) });
    expect(late.status).toBe(303);
    expect(late.headers.location).toBe('/login');
    expect((await agent.get('/')).headers.location).toMatch(/^\/login/);
  });

  it('when a recovery code is entered instead of an app code, then it logs in once and never again', async () => {
    const user = await newUser('admin');
    const { recoveryCodes } = await enrolSecondFactor(ctx.database.ownerDb, user.id);
    const code = recoveryCodes[3]!;
    const { agent } = await loggedInWithCode(ctx.app, user, code.toUpperCase().replace(/-/g, ' '));
    expect((await agent.get('/')).status).toBe(200);
    const again = await passwordStep(user);
    const refused = await again.agent.post('/login/code').type('form').send({ _csrf: again.csrf, code });
    expect(refused.status).toBe(401);
    const left = await agent.get('/account');
    expect(left.text).toContain('неиспользованных резервных кодов: 9');
  });

  it('when ten codes are wrong, then the code step is throttled like the password (429, Retry-After) and a correct password does not reset the count', async () => {
    const user = await newUser('coordinator');
    const { secret } = await enrolSecondFactor(ctx.database.ownerDb, user.id);
    const ip = '203.0.113.77';
    const right = appCode(secret);
    const wrongCode = right === '123456' ? '654321' : '123456';
    // A right password counts as a try until the code is right too: two password steps and eight wrong codes
    // are the ten. Else signing in with the password again would give a thief of it nine more guesses.
    let step = await passwordStep(user, ip);
    for (let i = 0; i < 8; i++) {
      if (i === 4) step = await passwordStep(user, ip);
      const res = await step.agent.post('/login/code').type('form').send({ _csrf: step.csrf, code: wrongCode });
      expect(res.status, `code ${i + 1}`).toBe(401);
    }
    const blocked = await step.agent.post('/login/code').type('form').send({ _csrf: step.csrf, code: right });
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Слишком много неудачных попыток входа');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(3500);
    // the user from their own address is unaffected
    await loggedInWithCode(ctx.app, user, appCode(secret, 1), '198.51.100.77');
  });
});

describe('second factor: resets', () => {
  it('when the user resets their own factor, then the current password is required, a wrong one is named next to the field, and the next login needs no code', async () => {
    const user = await newUser('chair');
    const { secret } = await enrolSecondFactor(ctx.database.ownerDb, user.id);
    const { agent, csrf } = await loggedInWithCode(ctx.app, user, appCode(secret));
    const wrong = await agent
      .post('/account/second-factor/reset')
      .type('form')
      .send({ _csrf: csrf, currentPassword: 'не тот пароль' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('id="currentPassword-error"');
    expect(wrong.text).toContain('Текущий пароль указан неверно');
    const done = await agent
      .post('/account/second-factor/reset')
      .type('form')
      .send({ _csrf: csrf, currentPassword: user.password });
    expect(done.status).toBe(303);
    expect((await postLogin(ctx.app, user.username, user.password)).response.headers.location).toBe('/');
    expect(await ctx.database.ownerDb('user_recovery_codes').where({ user_id: user.id }).pluck('id')).toEqual([]);
  });

  it("when an administrator resets a user's factor, then it is audited, the sessions of the user end and the user enrols again; a chair or coordinator cannot", async () => {
    const admin = await newUser('admin');
    const adminFactor = await enrolSecondFactor(ctx.database.ownerDb, admin.id);
    const target = await newUser('coordinator');
    const targetFactor = await enrolSecondFactor(ctx.database.ownerDb, target.id);
    const targetSession = await loggedInWithCode(ctx.app, target, appCode(targetFactor.secret));
    const coordinator = await newUser('coordinator');
    const coordinatorFactor = await enrolSecondFactor(ctx.database.ownerDb, coordinator.id);

    const asCoordinator = await loggedInWithCode(ctx.app, coordinator, appCode(coordinatorFactor.secret));
    expect(
      (
        await asCoordinator.agent
          .post(`/admin/users/${target.id}/totp-reset`)
          .type('form')
          .send({ _csrf: asCoordinator.csrf })
      ).status,
    ).toBe(403);
    const chair = await loggedInAgent(ctx.app, await newUser('chair'));
    expect(
      (await chair.agent.post(`/admin/users/${target.id}/totp-reset`).type('form').send({ _csrf: chair.csrf })).status,
    ).toBe(404);

    const asAdmin = await loggedInWithCode(ctx.app, admin, appCode(adminFactor.secret));
    // the user's page offers the reset and names the sign-in in Russian
    const before = await asAdmin.agent.get(`/admin/users/${target.id}`).expect(200);
    expect(before.text).toContain('Сбросить второй фактор');
    expect(before.text).toContain(`action="/admin/users/${target.id}/totp-reset"`);
    expect(before.text).toContain('Вход в систему');
    expect(before.text).not.toContain('user.logged_in');
    expect(
      (await asAdmin.agent.post('/admin/users/999999/totp-reset').type('form').send({ _csrf: asAdmin.csrf })).status,
    ).toBe(404);
    const res = await asAdmin.agent
      .post(`/admin/users/${target.id}/totp-reset`)
      .type('form')
      .send({ _csrf: asAdmin.csrf });
    expect(res.status).toBe(303);
    const row = await ctx.database
      .ownerDb('audit_log')
      .where({ action: 'user.second_factor_reset_by_admin', entity_id: String(target.id) })
      .first();
    expect(row.actor_user_id).toBe(admin.id);
    expect((await targetSession.agent.get('/')).headers.location).toMatch(/^\/login/);
    const { agent, response } = await postLogin(ctx.app, target.username, target.password);
    expect(response.headers.location).toBe('/');
    expect((await agent.get('/')).headers.location).toBe('/account/second-factor');
    const after = await asAdmin.agent.get(`/admin/users/${target.id}`).expect(200);
    expect(after.text).toContain('не подключён');
    expect(after.text).not.toContain('Сбросить второй фактор');
  });
});

describe('own account: sessions', () => {
  it('when the user has two sessions, then /account lists both with device and address, and ending the other one logs it out', async () => {
    const user = await newUser('chair');
    const phone = await anonymousAgent(ctx.app, '198.51.100.5');
    phone.agent.set(
      'User-Agent',
      'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/130.0 Mobile Safari/537.36',
    );
    await phone.agent
      .post('/login')
      .type('form')
      .send({ _csrf: phone.csrf, username: user.username, password: user.password })
      .expect(303);
    const desk = await loggedInAgent(ctx.app, user, '198.51.100.6');
    const page = await desk.agent.get('/account').expect(200);
    expect(page.text).toContain('Chrome (Android)');
    expect(page.text).toContain('198.51.100.5');
    expect(page.text).toContain('этот сеанс');
    expect(page.text).toContain('href="/account"'); // the header's link
    const handles = [...page.text.matchAll(/action="\/account\/sessions\/([0-9a-f]{32})\/end"/g)].map((m) => m[1]);
    expect(handles).toHaveLength(1);
    expect(page.text).not.toContain((await ctx.database.ownerDb('sessions').first('sid')).sid);

    const other = await newUser('chair');
    const stranger = await loggedInAgent(ctx.app, other);
    expect(
      (await stranger.agent.post(`/account/sessions/${handles[0]}/end`).type('form').send({ _csrf: stranger.csrf }))
        .status,
    ).toBe(404);

    await desk.agent.post(`/account/sessions/${handles[0]}/end`).type('form').send({ _csrf: desk.csrf }).expect(303);
    expect((await phone.agent.get('/')).headers.location).toMatch(/^\/login/);
    expect((await desk.agent.get('/')).status).toBe(200);
  });
});

describe('CSRF on the new forms', () => {
  it('when the code step, enrolment, reset, session end or an admin reset is posted without the token, then 403 and nothing changes', async () => {
    const user = await newUser('admin');
    const { secret } = await enrolSecondFactor(ctx.database.ownerDb, user.id);
    const step = await passwordStep(user);
    expect(
      (
        await step.agent
          .post('/login/code')
          .type('form')
          .send({ code: appCode(secret) })
      ).status,
    ).toBe(403);
    const { agent } = await loggedInWithCode(ctx.app, user, appCode(secret, 1));
    for (const url of [
      '/account/second-factor',
      '/account/second-factor/reset',
      `/account/sessions/${'0'.repeat(32)}/end`,
      `/admin/users/${user.id}/totp-reset`,
    ]) {
      const res = await agent.post(url).type('form').send({ code: '123456', currentPassword: user.password });
      expect(res.status, url).toBe(403);
      expect(res.text).toContain('Форма устарела');
    }
    expect(
      (await ctx.database.ownerDb('users').where({ id: user.id }).first('totp_enabled_at')).totp_enabled_at,
    ).not.toBeNull();
  });
});
