import type { Knex } from 'knex';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { anonymousAgent, csrfFrom, loggedInAgent } from '../support/agents';
import { createOrg, createRegionTree, createUser, uniq, unionRoot, type TestUser } from '../support/factories';
import { useSmtpCapture } from '../support/smtp';

const overrides: Record<string, string> = {};
const smtp = useSmtpCapture(overrides);
const ctx = useTestApp(overrides);

const NEW_PASSWORD = 'светлая осенняя роща 42';

let tree: Awaited<ReturnType<typeof createRegionTree>>;
let otherRegion: Awaited<ReturnType<typeof createRegionTree>>;
let admin: Awaited<ReturnType<typeof loggedInAgent>>;
let adminUser: { id: number };

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  tree = await createRegionTree(db, 71);
  otherRegion = await createRegionTree(db, 72);
  const user = await createUser(db, [{ role: 'admin', org: await unionRoot(db) }]);
  adminUser = user;
  admin = await loggedInAgent(ctx.app, user);
});

async function auditActions(entityId: number): Promise<string[]> {
  const rows = await ctx.database
    .ownerDb('audit_log')
    .where({ entity: 'user', entity_id: String(entityId) })
    .orderBy('id')
    .select('action');
  return rows.map((r: { action: string }) => r.action);
}

async function createViaForm(agent: typeof admin, fields: Record<string, string>) {
  return agent.agent
    .post('/admin/users')
    .type('form')
    .send({ _csrf: agent.csrf, ...fields });
}

describe('invitations by e-mail', () => {
  it('when the admin creates a chair, then the invitation arrives by SMTP, the link sets a password once, and the chair sees only their ППО', async () => {
    const email = `${uniq('chair')}@example.ru`;
    const username = uniq('Chair-');
    const res = await createViaForm(admin, {
      fullName: 'Иванова Ольга Петровна',
      username,
      email,
      role: 'chair',
      inpo: tree.primary.inpo,
    });
    expect(res.status).toBe(303);
    const userId = Number(/\/admin\/users\/(\d+)/.exec(String(res.headers.location))![1]);
    const stored = await ctx.database.ownerDb('users').where({ id: userId }).first();
    expect(stored.username).toBe(username.toLowerCase());
    expect(stored.email_verified_at).toBeNull();
    expect(await auditActions(userId)).toEqual(['user.created', 'grant.added']);

    const letter = await smtp.lastTo(email);
    expect(letter.subject).toContain('Приглашение');
    // a letter that went out keeps no text here: its link opens an account (the worker records it once the server answered)
    await expect
      .poll(async () => ctx.database.ownerDb('mail_outbox').where({ to_address: email }).first('status', 'body'))
      .toEqual({ status: 'sent', body: null });
    const link = smtp.linkIn(letter);
    const visitor = await anonymousAgent(ctx.app);
    const page = await visitor.agent.get(link).expect(200);
    expect(page.text).toContain(username.toLowerCase());
    const weak = await visitor.agent
      .post(link)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), password: 'qwerty', confirmPassword: 'qwerty' });
    expect(weak.status).toBe(422);
    expect(weak.text).toContain('не менее 8 символов');
    const set = await visitor.agent
      .post(link)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD });
    expect(set.status).toBe(303);
    expect((await ctx.database.ownerDb('users').where({ id: userId }).first()).email_verified_at).not.toBeNull();
    expect((await visitor.agent.get(link)).status).toBe(410);

    // the login is case-insensitive
    const chair = await loggedInAgent(ctx.app, { username: username.toUpperCase(), password: NEW_PASSWORD });
    await chair.agent.get(`/orgs/${tree.primary.inpo}`).expect(200);
    await chair.agent.get(`/orgs/${otherRegion.primary.inpo}`).expect(404);
    await chair.agent.get('/admin/users').expect(404);
  });

  it('when the login is taken or a field is wrong, then the form says so next to the field', async () => {
    const taken = await createUser(ctx.database.ownerDb, [], { username: uniq('taken-') });
    const res = await createViaForm(admin, {
      fullName: '',
      username: taken.username.toUpperCase(),
      email: 'not-an-email',
      role: 'chair',
      inpo: tree.primary.inpo,
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Укажите фамилию, имя и отчество');
    expect(res.text).toContain('Введите адрес электронной почты');
    const dup = await createViaForm(admin, {
      fullName: 'Петров Пётр',
      username: taken.username.toUpperCase(),
      email: 'p@example.ru',
      role: 'chair',
      inpo: tree.primary.inpo,
    });
    expect(dup.status).toBe(422);
    expect(dup.text).toContain('Это имя пользователя уже занято');
  });
});

describe('who may grant what', () => {
  let coordinator: Awaited<ReturnType<typeof loggedInAgent>>;
  let coordinatorUser: TestUser;
  let insideUser: { id: number };

  beforeAll(async () => {
    const db = ctx.database.ownerDb;
    coordinatorUser = await createUser(db, [{ role: 'coordinator', org: tree.region }]);
    coordinator = await loggedInAgent(ctx.app, coordinatorUser);
    insideUser = await createUser(db, [{ role: 'statistician', org: tree.territory }]);
  });

  const grant = (userId: number, fields: Record<string, string>) =>
    coordinator.agent
      .post(`/admin/users/${userId}/grants`)
      .type('form')
      .send({ _csrf: coordinator.csrf, ...fields });

  it('when a coordinator grants outside their subtree, then 404 with the message at the ИНПО', async () => {
    const res = await grant(insideUser.id, { role: 'chair', inpo: otherRegion.primary.inpo });
    expect(res.status).toBe(404);
    expect(res.text).toContain('не найдена в вашей части реестра');
  });

  it('when a coordinator grants admin, then 403', async () => {
    expect((await grant(insideUser.id, { role: 'admin', inpo: tree.primary.inpo })).status).toBe(403);
  });

  it('when a coordinator grants to themselves, then 403', async () => {
    expect((await grant(coordinatorUser.id, { role: 'chair', inpo: tree.primary.inpo })).status).toBe(403);
  });

  it('when a coordinator grants a role at or below their own inside their subtree, then it is given and audited', async () => {
    expect((await grant(insideUser.id, { role: 'curator', inpo: tree.territory.inpo })).status).toBe(303);
    expect(await auditActions(insideUser.id)).toContain('grant.added');
  });

  it('when a coordinator lists users, then only users with grants in their subtree appear', async () => {
    const outsider = await createUser(ctx.database.ownerDb, [{ role: 'chair', org: otherRegion.primary }]);
    const list = await coordinator.agent.get('/admin/users').expect(200);
    expect(list.text).toContain(`/admin/users/${insideUser.id}"`);
    expect(list.text).not.toContain(`/admin/users/${outsider.id}"`);
    await coordinator.agent.get(`/admin/users/${outsider.id}`).expect(404);
    const all = await admin.agent.get(`/admin/users?q=${outsider.username.toUpperCase()}`).expect(200);
    expect(all.text).toContain(`/admin/users/${outsider.id}"`);
  });

  it('when a coordinator creates a user in another region, then nothing is created', async () => {
    const username = uniq('far-');
    const res = await coordinator.agent
      .post('/admin/users')
      .type('form')
      .send({
        _csrf: coordinator.csrf,
        fullName: 'Далёкий Пользователь',
        username,
        email: `${username}@example.ru`,
        role: 'chair',
        inpo: otherRegion.primary.inpo,
      });
    expect(res.status).toBe(404);
    expect(await ctx.database.ownerDb('users').where({ username }).first()).toBeUndefined();
  });
});

describe('sessions follow blocks and grants', () => {
  it('when a user is blocked, then their open session ends on its next request, and unblocking lets them in again', async () => {
    const user = await createUser(ctx.database.ownerDb, [{ role: 'chair', org: tree.primary }]);
    const session = await loggedInAgent(ctx.app, user);
    await session.agent.get(`/orgs/${tree.primary.inpo}`).expect(200);
    const page = await admin.agent.get(`/admin/users/${user.id}`).expect(200);
    expect(page.text).toContain('Открытые сеансы');
    expect(page.text).toContain('История входов');
    await admin.agent.post(`/admin/users/${user.id}/block`).type('form').send({ _csrf: admin.csrf }).expect(303);
    const after = await session.agent.get(`/orgs/${tree.primary.inpo}`);
    expect(after.status).toBe(303);
    expect(after.headers.location).toMatch(/^\/login/);
    await admin.agent.post(`/admin/users/${user.id}/unblock`).type('form').send({ _csrf: admin.csrf }).expect(303);
    await loggedInAgent(ctx.app, user);
    expect(await auditActions(user.id)).toEqual(expect.arrayContaining(['user.blocked', 'user.unblocked']));
  });

  it('when a grant is revoked, then the user’s sessions end', async () => {
    const user = await createUser(ctx.database.ownerDb, [
      { role: 'chair', org: tree.primary },
      { role: 'statistician', org: tree.territory },
    ]);
    const session = await loggedInAgent(ctx.app, user);
    const grant = await ctx.database.ownerDb('role_grants').where({ user_id: user.id, role: 'statistician' }).first();
    await admin.agent
      .post(`/admin/users/${user.id}/grants/${grant.id}/revoke`)
      .type('form')
      .send({ _csrf: admin.csrf })
      .expect(303);
    expect((await session.agent.get(`/orgs/${tree.primary.inpo}`)).status).toBe(303);
    expect(await auditActions(user.id)).toContain('grant.revoked');
  });

  it('when a grant has ended, then it is ignored', async () => {
    const user = await createUser(ctx.database.ownerDb, [{ role: 'coordinator', org: tree.region }]);
    const session = await loggedInAgent(ctx.app, user);
    await session.agent.get(`/orgs/${tree.region.inpo}`).expect(200);
    await ctx.database
      .ownerDb('role_grants')
      .where({ user_id: user.id })
      .update({ valid_until: ctx.database.ownerDb.raw('CURRENT_DATE - 1') });
    expect((await session.agent.get(`/orgs/${tree.region.inpo}`)).status).toBe(404);
  });
});

describe('the same change from two tabs', () => {
  /**
   * Posts the form from two tabs at once while the test holds the row they change: both requests pass their
   * checks on the unchanged row and wait on its lock, then run one after the other.
   */
  async function fromTwoTabs(path: string, lockRow: (trx: Knex.Transaction) => Promise<unknown>) {
    const held = await ctx.database.ownerDb.transaction();
    let posts: Promise<unknown>[] = [];
    try {
      await lockRow(held);
      posts = [1, 2].map(() =>
        admin.agent
          .post(path)
          .type('form')
          .send({ _csrf: admin.csrf })
          .then((r) => r),
      );
      await expect
        .poll(
          async () =>
            (
              await ctx.database.ownerDb.raw(
                "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
              )
            ).rows[0].n,
        )
        .toBe(2);
    } finally {
      await held.commit();
    }
    return Promise.all(posts);
  }

  it('when a user is blocked, deleted or a grant revoked twice at once, then it happens and is audited once', async () => {
    const blocked = await createUser(ctx.database.ownerDb, [{ role: 'chair', org: tree.primary }]);
    await fromTwoTabs(`/admin/users/${blocked.id}/block`, (trx) => trx('users').where({ id: blocked.id }).forUpdate());
    expect(await auditActions(blocked.id)).toEqual(['user.blocked']);

    const idle = await createUser(ctx.database.ownerDb, [{ role: 'chair', org: tree.primary }]);
    await fromTwoTabs(`/admin/users/${idle.id}/delete`, (trx) => trx('users').where({ id: idle.id }).forUpdate());
    expect(await auditActions(idle.id)).toEqual(['user.deleted']);

    const granted = await createUser(ctx.database.ownerDb, [
      { role: 'chair', org: tree.primary },
      { role: 'statistician', org: tree.territory },
    ]);
    const grant = await ctx.database
      .ownerDb('role_grants')
      .where({ user_id: granted.id, role: 'statistician' })
      .first();
    await fromTwoTabs(`/admin/users/${granted.id}/grants/${grant.id}/revoke`, (trx) =>
      trx('role_grants').where({ id: grant.id }).forUpdate(),
    );
    expect(await auditActions(granted.id)).toEqual(['grant.revoked']);
  });
});

describe('editing users', () => {
  it('when the e-mail changes, then it is unverified again and the audit row holds old and new', async () => {
    const user = await createUser(ctx.database.ownerDb, [{ role: 'chair', org: tree.primary }]);
    await ctx.database
      .ownerDb('users')
      .where({ id: user.id })
      .update({ email: 'old@example.ru', email_verified_at: ctx.database.ownerDb.fn.now() });
    const bad = await admin.agent
      .post(`/admin/users/${user.id}/edit`)
      .type('form')
      .send({ _csrf: admin.csrf, fullName: 'Новое Имя', email: 'плохой' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Введите адрес электронной почты');
    await admin.agent
      .post(`/admin/users/${user.id}/edit`)
      .type('form')
      .send({ _csrf: admin.csrf, fullName: 'Тестова Анна Ивановна', email: 'New@Example.ru' })
      .expect(303);
    expect(await ctx.database.ownerDb('users').where({ id: user.id }).first()).toMatchObject({
      email: 'new@example.ru',
      email_verified_at: null,
    });
    const row = await ctx.database
      .ownerDb('audit_log')
      .where({ action: 'user.updated', entity_id: String(user.id) })
      .first();
    expect(row).toMatchObject({
      old_values: { email: 'old@example.ru' },
      new_values: { email: 'new@example.ru' },
      actor_user_id: adminUser.id,
    });
  });
});

describe('deleting users', () => {
  it('when the user never acted, then they are deleted; when they have an audit trail, then deletion is refused and blocking offered', async () => {
    const idle = await createUser(ctx.database.ownerDb, [{ role: 'chair', org: tree.primary }]);
    await admin.agent.post(`/admin/users/${idle.id}/delete`).type('form').send({ _csrf: admin.csrf }).expect(303);
    expect(await ctx.database.ownerDb('users').where({ id: idle.id }).first()).toBeUndefined();
    expect(await auditActions(idle.id)).toContain('user.deleted');

    const active = await createUser(ctx.database.ownerDb, [{ role: 'chair', org: tree.primary }]);
    await loggedInAgent(ctx.app, active);
    const refused = await admin.agent.post(`/admin/users/${active.id}/delete`).type('form').send({ _csrf: admin.csrf });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('Заблокируйте');
  });

  it('when the admin opens their own user page, then they cannot block themselves', async () => {
    expect(
      (await admin.agent.post(`/admin/users/${adminUser.id}/block`).type('form').send({ _csrf: admin.csrf })).status,
    ).toBe(403);
  });
});

describe('password reset', () => {
  async function requestReset(username: string, ip = '10.1.1.1') {
    const visitor = await anonymousAgent(ctx.app, ip);
    return visitor.agent.post('/forgot-password').type('form').send({ _csrf: visitor.csrf, username });
  }

  it('when a reset is asked for, then the answer is the same for a known and an unknown login, and only the known one gets a letter', async () => {
    const email = `${uniq('reset')}@example.ru`;
    const user = await createUser(ctx.database.ownerDb, [{ role: 'chair', org: tree.primary }]);
    await ctx.database.ownerDb('users').where({ id: user.id }).update({ email });
    const known = await requestReset(user.username);
    const unknown = await requestReset(uniq('nobody-'));
    expect([known.status, unknown.status]).toEqual([303, 303]);
    expect(known.headers.location).toBe(unknown.headers.location);

    const link = smtp.linkIn(await smtp.lastTo(email));
    const visitor = await anonymousAgent(ctx.app);
    const page = await visitor.agent.get(link).expect(200);
    await visitor.agent
      .post(link)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), password: NEW_PASSWORD, confirmPassword: NEW_PASSWORD })
      .expect(303);
    await loggedInAgent(ctx.app, { username: user.username, password: NEW_PASSWORD });
    // single use
    const again = await visitor.agent
      .post(link)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), password: 'другая фраза 2027', confirmPassword: 'другая фраза 2027' });
    expect(again.status).toBe(410);
  });

  it('when the reset link has expired, then it no longer opens', async () => {
    const email = `${uniq('expired')}@example.ru`;
    const user = await createUser(ctx.database.ownerDb, [{ role: 'chair', org: tree.primary }]);
    await ctx.database.ownerDb('users').where({ id: user.id }).update({ email });
    await requestReset(user.username, '10.1.1.2');
    const link = smtp.linkIn(await smtp.lastTo(email));
    await ctx.database
      .ownerDb('user_tokens')
      .where({ user_id: user.id })
      .update({ expires_at: ctx.database.ownerDb.raw("now() - interval '1 minute'") });
    expect((await (await anonymousAgent(ctx.app)).agent.get(link)).status).toBe(410);
  });

  it('when one address asks too often, then it is answered 429 with Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await requestReset(uniq('flood-'), '10.9.9.9')).status);
    expect(statuses.slice(0, 20).every((s) => s === 303)).toBe(true);
    expect(statuses[20]).toBe(429);
    const last = await requestReset(uniq('flood-'), '10.9.9.9');
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    expect(last.text).toContain('Слишком много запросов');
  });
});

describe('the users section', () => {
  it('when admin and chair open /admin/users, then 200 and 404', async () => {
    await admin.agent.get('/admin/users').expect(200);
    const chair = await loggedInAgent(
      ctx.app,
      await createUser(ctx.database.ownerDb, [{ role: 'chair', org: tree.primary }]),
    );
    await chair.agent.get('/admin/users').expect(404);
  });

  it('when the list is filtered by role and organization, then the grant must match both', async () => {
    const region = await createOrg(ctx.database.ownerDb, await unionRoot(ctx.database.ownerDb), 'regional', {
      regionCode: 73,
    });
    const both = await createUser(ctx.database.ownerDb, [{ role: 'chair', org: region }]);
    const split = await createUser(ctx.database.ownerDb, [
      { role: 'chair', org: tree.primary },
      { role: 'statistician', org: region },
    ]);
    const res = await admin.agent.get(`/admin/users?role=chair&inpo=${region.inpo}`).expect(200);
    expect(res.text).toContain(`/admin/users/${both.id}"`);
    expect(res.text).not.toContain(`/admin/users/${split.id}"`);
  });
});
