import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { anonymousAgent, loggedInAgent } from '../support/agents';
import { createRegionTree, createUser, type TestUser } from '../support/factories';

const ctx = useTestApp();
let chair: TestUser;

beforeAll(async () => {
  const tree = await createRegionTree(ctx.database.ownerDb);
  chair = await createUser(ctx.database.ownerDb, [{ role: 'chair', org: tree.primary }]);
});

describe('CSRF protection', () => {
  it('when a form is posted without a token, then 403 and nothing happens', async () => {
    const { agent } = await anonymousAgent(ctx.app);
    const res = await agent.post('/login').type('form').send({ username: chair.username, password: chair.password });
    expect(res.status).toBe(403);
    expect(res.text).toContain('Форма устарела');
    expect((await agent.get('/')).status).toBe(303);
  });

  it('when a form carries the token of another session, then 403', async () => {
    const { csrf: foreignToken } = await anonymousAgent(ctx.app);
    const { agent } = await anonymousAgent(ctx.app);
    const res = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: foreignToken, username: chair.username, password: chair.password });
    expect(res.status).toBe(403);
  });

  it('when a logged-in user is made to post logout from another site, then 403 and the session stays', async () => {
    const { agent, csrf } = await loggedInAgent(ctx.app, chair);
    const crossSite = await agent
      .post('/logout')
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({ _csrf: csrf });
    expect(crossSite.status).toBe(403);
    const noToken = await agent.post('/logout').type('form').send({});
    expect(noToken.status).toBe(403);
    expect((await agent.get('/')).status).toBe(200);
  });

  it('when htmx sends the token in X-CSRF-Token, then the request is accepted', async () => {
    const { agent, csrf } = await loggedInAgent(ctx.app, chair);
    const res = await agent.post('/logout').set('X-CSRF-Token', csrf).set('HX-Request', 'true');
    expect(res.status).toBe(303);
  });

  it('when a JSON client posts without a token, then the error is precise JSON', async () => {
    const { agent } = await anonymousAgent(ctx.app);
    const res = await agent.post('/login').set('Accept', 'application/json').send({ username: 'x', password: 'y' });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: { code: 'forbidden', message: expect.stringContaining('Форма устарела') } });
  });
});
