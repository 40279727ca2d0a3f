import { describe, expect, it, beforeAll } from 'vitest';
import { SESSION_COOKIE } from '../../src/http/setup/session';
import { useTestApp } from '../support/app';
import { anonymousAgent, csrfFrom, loggedInAgent, postLogin } from '../support/agents';
import { createRegionTree, createUser, type TestUser } from '../support/factories';

const ctx = useTestApp();
let chair: TestUser;

function sessionId(setCookie: string[] | string | undefined): string | undefined {
  const cookies = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return cookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`))?.split(';')[0];
}

beforeAll(async () => {
  const tree = await createRegionTree(ctx.database.ownerDb);
  chair = await createUser(ctx.database.ownerDb, [{ role: 'chair', org: tree.primary }]);
});

describe('login and logout', () => {
  it('when the login page is opened, then it has the username, password and _csrf fields', async () => {
    const { agent } = await anonymousAgent(ctx.app);
    const page = await agent.get('/login').expect(200);
    expect(page.text).toContain('name="username"');
    expect(page.text).toContain('name="password"');
    expect(page.text).toMatch(/name="_csrf" value="[\w-]{20,}"/);
  });

  it('when the credentials are right, then the session id is regenerated and the home page shows the user', async () => {
    const { agent, csrf } = await anonymousAgent(ctx.app);
    const before = await agent.get('/login');
    const anonymousSid = sessionId(before.headers['set-cookie']);
    const login = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrf, username: chair.username, password: chair.password });
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/');
    const loggedInSid = sessionId(login.headers['set-cookie']);
    expect(loggedInSid).toBeDefined();
    expect(loggedInSid).not.toBe(anonymousSid);
    const home = await agent.get('/').expect(200);
    expect(home.text).toContain('Тестова Анна Ивановна');
    expect(home.text).toContain('Выйти');
  });

  it('when the password is wrong, then 401 with a Russian message and no session user', async () => {
    const { agent, response } = await postLogin(ctx.app, chair.username, 'неверный пароль', '10.1.0.1');
    expect(response.status).toBe(401);
    expect(response.text).toContain('Неверное имя пользователя или пароль');
    const home = await agent.get('/');
    expect(home.status).toBe(303);
    expect(home.headers.location).toBe('/login?next=%2F');
  });

  it('when the username is unknown, then the answer is the same as for a wrong password', async () => {
    const { response } = await postLogin(ctx.app, 'no-such-user', 'что угодно', '10.1.0.2');
    expect(response.status).toBe(401);
    expect(response.text).toContain('Неверное имя пользователя или пароль');
  });

  it('when fields are empty, then 422 with messages next to the fields and a summary', async () => {
    const { agent, csrf } = await anonymousAgent(ctx.app);
    const res = await agent.post('/login').type('form').send({ _csrf: csrf, username: '', password: '' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Исправьте ошибки');
    expect(res.text).toContain('href="#username">Введите имя пользователя');
    expect(res.text).toMatch(/id="username-error"[^>]*>Введите имя пользователя/);
    expect(res.text).toContain('aria-invalid="true"');
  });

  it('when the user logs out, then the old session id no longer works', async () => {
    const { agent, csrf } = await loggedInAgent(ctx.app, chair);
    const home = await agent.get('/').expect(200);
    const cookieBefore = sessionId(home.headers['set-cookie']);
    const logout = await agent.post('/logout').type('form').send({ _csrf: csrf });
    expect(logout.status).toBe(303);
    expect(logout.headers.location).toBe('/login');
    expect(sessionId(logout.headers['set-cookie'])).not.toBe(cookieBefore);
    // Replaying the pre-logout cookie: the session is gone from the store.
    const replay = await (await import('supertest')).default(ctx.app).get('/').set('Cookie', cookieBefore!);
    expect(replay.status).toBe(303);
    const loginPage = await agent.get('/login').expect(200);
    expect(loginPage.text).toContain('Вы вышли из системы');
    expect(csrfFrom(loginPage.text)).not.toBe(csrf);
  });

  it('when next= points to another site, then login goes home instead', async () => {
    const { agent, csrf } = await anonymousAgent(ctx.app);
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrf, username: chair.username, password: chair.password, next: '//evil.example/' });
    expect(res.headers.location).toBe('/');
  });
});
