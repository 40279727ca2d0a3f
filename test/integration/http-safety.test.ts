import { beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createApp } from '../../src/app';
import { createDb } from '../../src/db/knex';
import { useTestApp } from '../support/app';
import { withDatabase } from '../support/urls';
import { anonymousAgent, loggedInAgent, postLogin, type Agent } from '../support/agents';
import { createMembers, createRegionTree, createUser } from '../support/factories';
import { AUTHZ_MATRIX } from '../authz-matrix';

const ctx = useTestApp();
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let coordinator: { agent: Agent; csrf: string };

beforeAll(async () => {
  tree = await createRegionTree(ctx.database.ownerDb, 16);
  await createMembers(ctx.database.ownerDb, tree.primary, 1234);
  coordinator = await loggedInAgent(
    ctx.app,
    await createUser(ctx.database.ownerDb, [{ role: 'coordinator', org: tree.region }]),
  );
});

const STACK_OR_SQL = /(at \S+ \(|node_modules|\.ts:\d+|SELECT |INSERT |syntax error|ReferenceError|TypeError)/;

describe('response headers', () => {
  it('when any page is served, then a strict CSP, nosniff and frame-ancestors are set', async () => {
    const res = await request(ctx.app).get('/login');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-request-id']).toMatch(/^[\w-]{8,}$/);
  });

  it('when pages are rendered, then they carry no inline script and load assets only from this app', async () => {
    for (const url of ['/', `/orgs/${tree.region.inpo}`, '/account/password']) {
      const html = (await coordinator.agent.get(url).expect(200)).text;
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/\son[a-z]+="/);
      for (const [, src] of html.matchAll(/(?:src|href)="([^"#]+)"/g))
        expect(src!.startsWith('/') && !src!.startsWith('//')).toBe(true);
    }
  });

  it('when the stylesheets and scripts a page names are requested, then the app serves them itself', async () => {
    const html = (await request(ctx.app).get('/login').expect(200)).text;
    const [css, js] = [
      [...html.matchAll(/href="(\/assets\/[^"]+\.css)"/g)],
      [...html.matchAll(/src="(\/assets\/[^"]+\.js)"/g)],
    ];
    expect(css.length).toBeGreaterThanOrEqual(2);
    expect(js.length).toBeGreaterThanOrEqual(2);
    for (const [, url] of css) await request(ctx.app).get(url!).expect(200).expect('content-type', /css/);
    for (const [, url] of js)
      await request(ctx.app)
        .get(url!)
        .expect(200)
        .expect('content-type', /javascript/);
  });
});

describe('pages and numbers', () => {
  it('when the coordinator opens the home page and the region, then counts use Russian digit grouping', async () => {
    const home = await coordinator.agent.get('/').expect(200);
    expect(home.text).toMatch(/1[\s\u202f\u00a0]234/);
    const region = await coordinator.agent.get(`/orgs/${tree.region.inpo}/structure`).expect(200);
    expect(region.text).toContain(tree.territory.name);
    expect(region.text).toContain('Реестр');
  });
});

describe('errors', () => {
  it('when a page does not exist, then a Russian 404 page without details', async () => {
    const res = await coordinator.agent.get('/no/such/page').expect(404);
    expect(res.text).toContain('Страница не найдена');
    expect(res.text).not.toMatch(STACK_OR_SQL);
  });

  it('when a JSON client asks for a missing page, then a JSON error', async () => {
    const res = await coordinator.agent.get('/no/such/page').set('Accept', 'application/json').expect(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: 'Страница не найдена' } });
    // Without a login, nothing tells which paths exist.
    const anonymous = await request(ctx.app).get('/no/such/page').set('Accept', 'application/json').expect(401);
    expect(anonymous.body.error.code).toBe('unauthenticated');
  });

  it('when the body is malformed JSON or too large, then 400/413 in Russian and no stack', async () => {
    const { agent, csrf } = await anonymousAgent(ctx.app);
    const malformed = await agent
      .post('/login')
      .set('Content-Type', 'application/json')
      .set('X-CSRF-Token', csrf)
      .send('{"username": ');
    expect(malformed.status).toBe(400);
    expect(malformed.text).toContain('Некорректный запрос');
    expect(malformed.text).not.toMatch(STACK_OR_SQL);
    const huge = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrf, username: 'x'.repeat(200_000), password: 'y' });
    expect(huge.status).toBe(413);
    expect(huge.text).not.toMatch(STACK_OR_SQL);
  });
});

describe('server errors', () => {
  it('when the database fails in the middle of a request, then a Russian 500 page without stack, SQL or connection details', async () => {
    const brokenDb = createDb(withDatabase(ctx.database.url, 'reestr_no_such_database'), {
      poolMax: 1,
      logger: ctx.deps.logger,
    });
    const { app, close } = createApp({ ...ctx.deps, db: brokenDb });
    try {
      // The session lives in the working store; loading the user through the broken pool fails.
      const user = await createUser(ctx.database.ownerDb, [{ role: 'coordinator', org: tree.region }]);
      const { response } = await postLogin(ctx.app, user.username, user.password);
      const cookie = ([] as string[])
        .concat(response.headers['set-cookie'] ?? [])
        .map((c) => c.split(';')[0])
        .join('; ');
      const res = await request(app).get('/').set('Cookie', cookie);
      expect(res.status).toBe(500);
      expect(res.text).toContain('Внутренняя ошибка сервера');
      expect(res.text).not.toMatch(STACK_OR_SQL);
      expect(res.text).not.toContain('reestr_no_such_database');
      expect((await request(app).get('/readyz')).status).toBe(503);
    } finally {
      await close();
      await brokenDb.destroy();
    }
  });
});

describe('fuzzing every route', () => {
  const nasty: Record<string, string>[] = [
    { __proto__: 'x', constructor: 'y', prototype: 'z' } as unknown as Record<string, string>,
    { username: '\u0000\u0001', password: "' OR 1=1 --" },
    { username: 'а'.repeat(5000), password: 'б'.repeat(5000), next: 'javascript:alert(1)' },
    { 'username[]': 'x', 'password[$ne]': '', '__proto__[admin]': 'true' },
    { currentPassword: '', newPassword: '\ud800', confirmPassword: '%00' },
  ];

  it('when every route gets random, oversized, duplicated and __proto__ parameters, then no 5xx and no stack or SQL leaks', async () => {
    const { agent, csrf } = await loggedInAgent(
      ctx.app,
      await createUser(ctx.database.ownerDb, [{ role: 'chair', org: tree.primary }]),
    );
    const problems: string[] = [];
    for (const entry of AUTHZ_MATRIX.filter((e) => !e.endsSession)) {
      for (const params of nasty) {
        const path = entry.path.replace(/:(\w+)/g, () => encodeURIComponent(Object.values(params)[0] ?? 'x'));
        const query = new URLSearchParams(params).toString() + '&next=a&next=b';
        const res =
          entry.method === 'GET'
            ? await agent.get(`${path}?${query}`)
            : await agent.post(path).type('form').send(`_csrf=${csrf}&${query}`);
        if (res.status >= 500 || STACK_OR_SQL.test(res.text)) problems.push(`${entry.method} ${path}: ${res.status}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
