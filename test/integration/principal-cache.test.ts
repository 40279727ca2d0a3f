import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { loggedInAgent } from '../support/agents';
import { createRegionTree, createUser, unionRoot } from '../support/factories';

// The principal kept with the session (issue 14, item 8), as configured outside the tests.
const ctx = useTestApp({ PRINCIPAL_CACHE_SECONDS: '60' });

async function grantQueriesDuring(work: () => Promise<unknown>): Promise<number> {
  let count = 0;
  const listener = (query: { sql: string }) => {
    if (query.sql.includes('role_grants')) count++;
  };
  ctx.deps.db.on('query', listener);
  try {
    await work();
  } finally {
    ctx.deps.db.off('query', listener);
  }
  return count;
}

describe('the principal kept with the session', () => {
  it('when a page is opened again, then the grants are not queried; a grant given, a rename, a revocation and a block reach the session at once', async () => {
    const db = ctx.database.ownerDb;
    const tree = await createRegionTree(db, 78);
    const admin = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'admin', org: await unionRoot(db) }]));
    const user = await createUser(db, [{ role: 'chair', org: tree.primary }]);
    const chair = await loggedInAgent(ctx.app, user);
    await chair.agent.get(`/orgs/${tree.primary.inpo}`).expect(200);
    expect(await grantQueriesDuring(() => chair.agent.get(`/orgs/${tree.primary.inpo}`).expect(200))).toBe(0);

    await chair.agent.get(`/orgs/${tree.territory.inpo}`).expect(404);
    await admin.agent
      .post(`/admin/users/${user.id}/grants`)
      .type('form')
      .send({ _csrf: admin.csrf, role: 'statistician', inpo: tree.territory.inpo })
      .expect(303);
    await chair.agent.get(`/orgs/${tree.territory.inpo}`).expect(200);

    await admin.agent
      .post(`/admin/users/${user.id}/edit`)
      .type('form')
      .send({ _csrf: admin.csrf, fullName: 'Переименованная Анна', email: 'anna@example.ru' })
      .expect(303);
    expect((await chair.agent.get('/').expect(200)).text).toContain('Переименованная Анна');

    const grant = await db('role_grants').where({ user_id: user.id, role: 'statistician' }).first('id');
    await admin.agent
      .post(`/admin/users/${user.id}/grants/${grant.id}/revoke`)
      .type('form')
      .send({ _csrf: admin.csrf })
      .expect(303);
    expect((await chair.agent.get(`/orgs/${tree.territory.inpo}`)).status).toBe(303);

    const again = await loggedInAgent(ctx.app, user);
    await again.agent.get(`/orgs/${tree.primary.inpo}`).expect(200);
    await admin.agent.post(`/admin/users/${user.id}/block`).type('form').send({ _csrf: admin.csrf }).expect(303);
    expect((await again.agent.get(`/orgs/${tree.primary.inpo}`)).status).toBe(303);
  });

  it('when an issued password must be changed, then the principal is not kept and the change is seen on the next page', async () => {
    const db = ctx.database.ownerDb;
    const tree = await createRegionTree(db, 79);
    const user = await createUser(db, [{ role: 'chair', org: tree.primary }], { mustChangePassword: true });
    const chair = await loggedInAgent(ctx.app, user);
    const next = 'совсем новая фраза 2026';
    await chair.agent
      .post('/account/password')
      .type('form')
      .send({ _csrf: chair.csrf, currentPassword: user.password, newPassword: next, confirmPassword: next })
      .expect(303);
    await chair.agent.get(`/orgs/${tree.primary.inpo}`).expect(200);
  });
});
