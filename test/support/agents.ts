import type { Express } from 'express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';

export type Agent = TestAgent;

/** The CSRF token a page hands out (hidden `_csrf` field or the meta tag). */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html) ?? /name="csrf-token" content="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token on the page');
  return match[1]!;
}

/** An agent with a session and a CSRF token, not logged in. */
export async function anonymousAgent(app: Express, ip = '127.0.0.1'): Promise<{ agent: Agent; csrf: string }> {
  const agent = request.agent(app).set('X-Forwarded-For', ip);
  const page = await agent.get('/login').expect(200);
  return { agent, csrf: csrfFrom(page.text) };
}

export async function postLogin(app: Express, username: string, password: string, ip = '127.0.0.1') {
  const { agent, csrf } = await anonymousAgent(app, ip);
  const response = await agent.post('/login').type('form').send({ _csrf: csrf, username, password });
  return { agent, response };
}

/** Logged in, with the CSRF token of the new (regenerated) session. */
export async function loggedInAgent(app: Express, user: { username: string; password: string }, ip = '127.0.0.1') {
  const { agent, response } = await postLogin(app, user.username, user.password, ip);
  if (response.status !== 303) throw new Error(`login of ${user.username} failed with ${response.status}`);
  const home = await agent.get('/account/password').expect(200);
  return { agent, csrf: csrfFrom(home.text) };
}

/** The session cookie of a logged-in user, for a raw HTTP client (one that reads a download chunk by chunk). */
export async function sessionCookie(app: Express, user: { username: string; password: string }): Promise<string> {
  const { response } = await postLogin(app, user.username, user.password);
  if (response.status !== 303) throw new Error(`login of ${user.username} failed with ${response.status}`);
  const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
  return cookies.map((c) => c.split(';')[0]).join('; ');
}

/** Logged in through both steps: the password, then a code of the second factor (from the app or a recovery code). */
export async function loggedInWithCode(
  app: Express,
  user: { username: string; password: string },
  code: string,
  ip = '127.0.0.1',
) {
  const { agent, response } = await postLogin(app, user.username, user.password, ip);
  if (response.headers.location !== '/login/code')
    throw new Error(`login of ${user.username} did not ask for a code (${response.status})`);
  const page = await agent.get('/login/code').expect(200);
  const done = await agent
    .post('/login/code')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), code });
  if (done.status !== 303) throw new Error(`the code of ${user.username} was refused with ${done.status}`);
  const home = await agent.get('/account/password').expect(200);
  return { agent, csrf: csrfFrom(home.text) };
}
