// The JSON API (issue 18, item 5): the OpenAPI document, bearer tokens (personal ones from /account and the
// member app's sign-in), scopes, the subtree rule of the pages, masked lists with cursors, problem+json, the
// per-token rate limit; the app's admission application (POST /api/v1/applications).
import crypto from 'node:crypto';
import request from 'supertest';
import { validate } from '@readme/openapi-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { maskEmail, maskPhone } from '../../src/members/contact-masks';
import type { ApiScope } from '../../src/api/api-scopes';
import { pruneApiTokens } from '../../src/api/api-tokens.service';
import { JOIN_CONSENT_VERSION } from '../../src/join/consent-text';
import { JOIN_PER_EMAIL } from '../../src/join/join.service';
import { useTestApp } from '../support/app';
import { APPLICANT } from '../support/applicant';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser, type TestUser } from '../support/factories';
import { listRoutes } from '../support/routes';
import { useSmtpCapture } from '../support/smtp';

const RATE = 12;
const overrides: Record<string, string> = { API_RATE_PER_MINUTE: String(RATE) };
const smtp = useSmtpCapture(overrides);
const ctx = useTestApp(overrides);
const db = () => ctx.database.ownerDb;

let tree: Awaited<ReturnType<typeof createRegionTree>>;
let coordinator: TestUser;
let coordinatorPage: { agent: Agent; csrf: string };
let memberUser: TestUser;
let insideIds: number[];
let outsideId: number;

/** A personal token of `user` with these scopes, made by the service the account page calls. */
async function tokenOf(user: TestUser, scopes: ApiScope[]): Promise<string> {
  const system = { actorUserId: user.id, requestId: null, ip: null };
  const { secret } = await ctx.deps.services.apiTokens.create(
    user.id,
    { tokenName: 'тест', scopes, days: '30' },
    system,
  );
  return secret;
}

const get = (path: string, token?: string) => {
  const req = request(ctx.app).get(path);
  return token ? req.set('Authorization', `Bearer ${token}`) : req;
};

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  const otherRegion = await createOrg(db(), tree.union, 'regional', { regionCode: 39 });
  const otherPrimary = await createOrg(db(), await createOrg(db(), otherRegion, 'territorial'), 'primary');
  insideIds = await createMembers(db(), tree.primary, 5, { phone: '+79161234567', email: 'anna@example.ru' });
  [outsideId] = (await createMembers(db(), otherPrimary, 1)) as [number];
  coordinator = await createUser(db(), [{ role: 'coordinator', org: tree.region }]);
  coordinatorPage = await loggedInAgent(ctx.app, coordinator);
  memberUser = await createUser(db(), [{ role: 'member', org: tree.primary }]);
  await db()('users').where({ id: memberUser.id }).update({ member_id: insideIds[0] });
});

describe('the OpenAPI document', () => {
  it('when it is fetched, then it validates as OpenAPI 3.1 and lists every /api/v1 route of the router, and the reference page shows them', async () => {
    const res = await get('/api/v1/openapi.json').expect(200);
    expect(res.body.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(res.body));
    expect(result.valid ? [] : result.errors).toEqual([]);

    const served = listRoutes(ctx.app)
      .filter((r) => r.split(' ')[1]!.startsWith('/api/v1'))
      .map((r) => r.replace(/:(\w+)/g, '{$1}'));
    const documented = Object.entries(res.body.paths as Record<string, object>).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(served.length).toBe(12);
    expect(documented.sort()).toEqual(served.sort());

    const docs = await get('/api/v1/docs').expect(200);
    for (const path of Object.keys(res.body.paths)) expect(docs.text).toContain(`${path}</code>`);
    expect(docs.text).toContain('id="schema-MemberListItem"');
    expect(docs.text).toContain('id="schema-ApplicationRequest"');
    expect(docs.text).toContain('id="problem-insufficient_scope"');
    expect(docs.text).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});

describe('tokens', () => {
  it('when a token is created on /account, then it is shown once, stored only as its SHA-256, audited, and works until revoked', async () => {
    const { agent, csrf } = coordinatorPage;
    const created = await agent
      .post('/account/api-tokens')
      .type('form')
      .send({ _csrf: csrf, tokenName: 'Выгрузка для сайта', scopes: 'orgs:read', days: '30' })
      .expect(200);
    const secret = /rst_[A-Za-z0-9_-]{43}/.exec(created.text)![0];
    const row = await db()('api_tokens').where({ user_id: coordinator.id, name: 'Выгрузка для сайта' }).first();
    expect(Buffer.from(row.token_hash).equals(crypto.createHash('sha256').update(secret).digest())).toBe(true);
    expect(JSON.stringify(row)).not.toContain(secret.slice(4));
    expect(row.scopes).toEqual(['orgs:read']);
    const account = await agent.get('/account').expect(200);
    expect(account.text).toContain('Выгрузка для сайта');
    expect(account.text).not.toContain(secret);
    const audit = await db()('audit_log').where({ action: 'user.api_token_created', actor_user_id: coordinator.id });
    expect(audit.map((a) => a.new_values.tokenName)).toContain('Выгрузка для сайта');

    const org = await get(`/api/v1/orgs/${tree.primary.inpo}`, secret).expect(200);
    expect(org.body).toMatchObject({ inpo: tree.primary.inpo, name: tree.primary.name, level: 'primary' });
    expect(org.body.parent.inpo).toBe(tree.territory.inpo);
    expect((await db()('api_tokens').where({ id: row.id }).first()).last_used_at).not.toBeNull();

    const page = await agent.get('/account').expect(200);
    await agent
      .post(`/account/api-tokens/${row.id}/revoke`)
      .type('form')
      .send({ _csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)![1] })
      .expect(303);
    const revoked = await get(`/api/v1/orgs/${tree.primary.inpo}`, secret).expect(401);
    expect(revoked.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('when a form misses its name and scopes, then the account page answers 422 with the messages and the typed values', async () => {
    const { agent, csrf } = coordinatorPage;
    const res = await agent
      .post('/account/api-tokens')
      .type('form')
      .send({ _csrf: csrf, tokenName: '', days: '365' })
      .expect(422);
    expect(res.text).toContain('Назовите токен: для чего он');
    expect(res.text).toContain('Выберите хотя бы одно право');
    expect(res.text).toMatch(/<option value="365" selected>/);
  });

  it('when a call has no token, a malformed one or a session cookie only, then it is 401 problem+json with a Bearer challenge', async () => {
    for (const res of [
      await get('/api/v1/me'),
      await get('/api/v1/me', 'rst_not-a-token'),
      await coordinatorPage.agent.get(`/api/v1/orgs/${tree.primary.inpo}`),
    ]) {
      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="reestr-api"/);
      expect(res.body).toMatchObject({ status: 401, title: expect.any(String), detail: expect.any(String) });
      expect(res.body.type).toMatch(/^\/api\/v1\/docs#problem-(unauthenticated|invalid_token)$/);
    }
  });

  it('when a token makes more requests in a minute than the limit, then the next is 429 with Retry-After', async () => {
    const token = await tokenOf(coordinator, ['orgs:read']);
    for (let i = 0; i < RATE; i++) await get(`/api/v1/orgs/${tree.region.inpo}`, token).expect(200);
    const refused = await get(`/api/v1/orgs/${tree.region.inpo}`, token).expect(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    // another token of the same user keeps its own count
    await get(`/api/v1/orgs/${tree.region.inpo}`, await tokenOf(coordinator, ['orgs:read'])).expect(200);
  });
});

describe('staff tokens: the pages’ access rules', () => {
  it('when a token lacks the scope, then 403 names it; the owner’s grants still decide inside it', async () => {
    const orgsOnly = await tokenOf(coordinator, ['orgs:read']);
    const res = await get(`/api/v1/orgs/${tree.primary.inpo}/members`, orgsOnly).expect(403);
    expect(res.headers['www-authenticate']).toContain('error="insufficient_scope", scope="members:read"');
    expect(res.body.code).toBe('insufficient_scope');
    const children = await get(`/api/v1/orgs/${tree.territory.inpo}/children`, orgsOnly).expect(200);
    expect(children.body.total).toBe(1);
    expect(children.body.items).toEqual([
      expect.objectContaining({ inpo: tree.primary.inpo, activeMembers: insideIds.length }),
    ]);
  });

  it('when a member outside the owner’s subtree is asked for, then 404; inside, the card is read and audited like the page', async () => {
    const token = await tokenOf(coordinator, ['members:read']);
    await get(`/api/v1/members/${outsideId}`, token).expect(404);
    await get(`/api/v1/orgs/99${tree.primary.inpo.slice(2)}/members`, token).expect(404);
    const card = await get(`/api/v1/members/${insideIds[1]}`, token).expect(200);
    expect(card.body).toMatchObject({
      id: insideIds[1],
      surname: 'Петрова',
      phone: '+79161234567',
      organization: { inpo: tree.primary.inpo },
    });
    expect(card.body).not.toHaveProperty('organizationPath');
    const viewed = await db()('audit_log').where({
      action: 'member.viewed',
      entity_id: String(insideIds[1]),
      actor_user_id: coordinator.id,
    });
    expect(viewed).toHaveLength(1);
  });

  it('when the members are paged by cursor, then each comes once, with contacts masked as in the lists', async () => {
    const token = await tokenOf(coordinator, ['members:read']);
    const seen: number[] = [];
    let next: string | null = null;
    let pages = 0;
    do {
      const url: string = `/api/v1/orgs/${tree.region.inpo}/members?limit=2${next ? `&after=${next}` : ''}`;
      const res: request.Response = await get(url, token).expect(200);
      expect(res.body.total).toBe(insideIds.length);
      for (const m of res.body.items) {
        expect(m.phone).toBe(maskPhone('+79161234567'));
        expect(m.email).toBe(maskEmail('anna@example.ru'));
        expect(m.restricted).toBe(false);
        seen.push(m.id);
      }
      next = res.body.next;
      pages++;
    } while (next);
    expect(pages).toBe(3);
    expect(seen.sort((a, b) => a - b)).toEqual([...insideIds].sort((a, b) => a - b));

    const bad = await get(`/api/v1/orgs/${tree.region.inpo}/members?category=astronaut&after=zzz`, token).expect(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['category']);
    const cursor = await get(`/api/v1/orgs/${tree.region.inpo}/members?after=zzz`, token).expect(422);
    expect(cursor.body.errors).toEqual([{ field: 'after', message: expect.stringContaining('Курсор') }]);
  });

  it('when a report is asked for at a date, then the service’s JSON of it answers', async () => {
    const token = await tokenOf(coordinator, ['reports:read']);
    const res = await get(`/api/v1/orgs/${tree.primary.inpo}/reports/5-SP?on=2026-04-01`, token).expect(200);
    expect(res.body.form.code).toBe('5-SP');
    expect(res.body.organization.inpo).toBe(tree.primary.inpo);
    expect(res.body.lines.length).toBeGreaterThan(5);
    await get(`/api/v1/orgs/${tree.primary.inpo}/reports/5-SP?on=2026-13-01`, token).expect(422);
  });
});

describe('the member app', () => {
  it('when a member signs in with their password, then the session token reads their own card, history and union cards, and nothing else', async () => {
    const expired = { user_id: memberUser.id, kind: 'session', name: 'старый вход', scopes: ['me'] };
    await db()('api_tokens').insert({
      ...expired,
      token_hash: crypto.randomBytes(32),
      expires_at: new Date(Date.now() - 1000),
    });
    const signIn = await request(ctx.app)
      .post('/api/v1/sessions')
      .send({ username: memberUser.username, password: memberUser.password })
      .expect(201);
    expect(signIn.body.scopes).toEqual(['me']);
    // the expired sign-in is forgotten, the new one kept
    expect(await db()('api_tokens').where({ user_id: memberUser.id }).pluck('name')).toEqual(['Вход в приложение']);
    const token = signIn.body.token as string;
    const hours = (Date.parse(signIn.body.expiresAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(11.9);
    expect(hours).toBeLessThanOrEqual(12);

    const me = await get('/api/v1/me', token).expect(200);
    expect(me.body).toMatchObject({
      id: insideIds[0],
      phone: '+79161234567',
      organization: { inpo: tree.primary.inpo },
    });
    const history = await get('/api/v1/me/history', token).expect(200);
    expect(history.body.events).toEqual([expect.objectContaining({ kind: 'admitted', on: '2010-09-01' })]);
    const cards = await get('/api/v1/me/card', token).expect(200);
    expect(cards.body).toEqual({ memberId: insideIds[0], cards: [] });
    await get(`/api/v1/members/${insideIds[1]}`, token).expect(403);
    await get(`/api/v1/orgs/${tree.primary.inpo}`, token).expect(403);
  });

  it('when the password is wrong or the user has a second factor, then the sign-in is refused with a clear problem', async () => {
    const wrong = await request(ctx.app)
      .post('/api/v1/sessions')
      .send({ username: memberUser.username, password: 'не тот пароль' })
      .expect(401);
    expect(wrong.body.code).toBe('invalid_credentials');
    const withFactor = await createUser(db(), [{ role: 'chair', org: tree.primary }]);
    await db()('users')
      .where({ id: withFactor.id })
      .update({ totp_secret: 'JBSWY3DPEHPK3PXP', totp_enabled_at: new Date() });
    const refused = await request(ctx.app)
      .post('/api/v1/sessions')
      .send({ username: withFactor.username, password: withFactor.password })
      .expect(403);
    expect(refused.body.detail).toContain('персональный токен');
    expect(await db()('api_tokens').where({ user_id: withFactor.id })).toHaveLength(0);
  });
});

describe('the app’s admission application', () => {
  const application = (email: string, extra: Record<string, unknown> = {}) => ({
    organizationInpo: tree.primary.inpo,
    ...APPLICANT,
    email,
    consentProcessing: true,
    consentMailing: true,
    ...extra,
  });
  const apply = (body: object) => request(ctx.app).post('/api/v1/applications').send(body);
  const rowsOf = (email: string) => db()('join_applications').where({ email }).orderBy('id');

  it('when a valid application is sent, then 201 names it, the row waits unconfirmed and the confirmation letter arrives', async () => {
    const res = await apply(application('Alsu.App@example.ru')).expect(201);
    expect(res.headers.location).toBeUndefined();
    const [row, ...more] = await rowsOf('alsu.app@example.ru');
    expect(more).toHaveLength(0);
    expect(res.body).toEqual({ id: row.id, organizationName: tree.primary.name, status: 'unconfirmed' });
    expect(row).toMatchObject({
      organization_id: tree.primary.id,
      status: 'unconfirmed',
      surname: 'Сафина',
      consent_version: JOIN_CONSENT_VERSION,
      mailing_consent: true,
    });
    const letter = await smtp.lastTo('alsu.app@example.ru');
    expect(smtp.linkIn(letter)).toMatch(/^\/join\/confirm\//);
  });

  it('when the e-mail is bad or the consent missing, then 422 problem+json names each field; an unknown or closed ППО is 404', async () => {
    const bad = await apply(application('not-an-address', { consentProcessing: false })).expect(422);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bad.body.code).toBe('validation');
    expect(bad.body.errors).toEqual([
      { field: 'email', message: 'Введите адрес электронной почты, например ivanova@example.ru' },
      { field: 'consentProcessing', message: 'Без согласия на обработку персональных данных заявление не принять' },
    ]);
    expect(await rowsOf('not-an-address')).toHaveLength(0);

    const closed = await createOrg(db(), tree.territory, 'primary');
    await db()('organizations').where({ id: closed.id }).update({ online_admission: false });
    for (const inpo of [closed.inpo, '0000000000']) {
      const res = await apply(application('nowhere@example.ru', { organizationInpo: inpo })).expect(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect(await rowsOf('nowhere@example.ru')).toHaveLength(0);
  });

  it('when one e-mail applies more than its limit a day, then 429 problem+json with Retry-After', async () => {
    const email = 'many.app@example.ru';
    for (let i = 0; i < JOIN_PER_EMAIL.limit; i++) await apply(application(email)).expect(201);
    const refused = await apply(application(email)).expect(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body.detail).toContain('уже подано несколько заявлений');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(await rowsOf(email)).toHaveLength(JOIN_PER_EMAIL.limit);
  });
});

describe('tokens nobody can use any more', () => {
  it('when the hourly job runs, then tokens expired or revoked over 30 days ago are deleted, of every user; the rest stay', async () => {
    const owner = await createUser(db(), [{ role: 'coordinator', org: tree.region }]);
    const token = (name: string, kind: 'personal' | 'session', expires: string, revoked: string | null = null) => ({
      user_id: owner.id,
      kind,
      name,
      token_hash: crypto.randomBytes(32),
      scopes: ['me'],
      expires_at: db().raw(`now() + interval '${expires}'`),
      revoked_at: revoked ? db().raw(`now() - interval '${revoked}'`) : null,
    });
    await db()('api_tokens').insert([
      token('давно истёк', 'personal', '-40 days'),
      token('давно отозван', 'personal', '60 days', '31 days'),
      token('вход приложения', 'session', '-31 days'),
      token('истёк вчера', 'personal', '-1 day'),
      token('отозван вчера', 'personal', '60 days', '1 day'),
      token('действует', 'personal', '60 days'),
    ]);
    expect(await pruneApiTokens(ctx.deps.db)).toBeGreaterThanOrEqual(3);
    const left = await db()('api_tokens').where({ user_id: owner.id }).orderBy('name').pluck('name');
    expect(left).toEqual(['действует', 'истёк вчера', 'отозван вчера']);
  });
});
