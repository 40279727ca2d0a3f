import { beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import request from 'supertest';
import { errorHandler } from '../../src/http/error-handler';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createRegionTree, createUser } from '../support/factories';
import { adminQuery } from '../support/urls';

const ctx = useTestApp();
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let chair: { agent: Agent; csrf: string };

beforeAll(async () => {
  tree = await createRegionTree(ctx.database.ownerDb);
  chair = await loggedInAgent(ctx.app, await createUser(ctx.database.ownerDb, [{ role: 'chair', org: tree.primary }]));
});

/** What a database restart, a failover or a proxy's idle timeout does to the app's idle connections. */
async function terminateEveryBackendOfTheDatabase(): Promise<number> {
  const { rows } = await adminQuery(
    ctx.database.url,
    'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
  );
  return rows[0].n;
}

describe('database connections lost under the app', () => {
  it('when every backend of the app is terminated, then the process stays up and the next requests succeed', async () => {
    // Both pools hold idle connections: the app's (a page) and the sessions' (the login above).
    await chair.agent.get(`/orgs/${tree.primary.inpo}`).expect(200);
    expect(await terminateEveryBackendOfTheDatabase()).toBeGreaterThanOrEqual(2);
    // The idle clients learn of it from the server's message; an 'error' nobody listens to would end the process here.
    await new Promise((resolve) => setTimeout(resolve, 300));

    await request(ctx.app).get('/readyz').expect(200);
    await chair.agent.get(`/orgs/${tree.primary.inpo}`).expect(200);
    const again = await loggedInAgent(
      ctx.app,
      await createUser(ctx.database.ownerDb, [{ role: 'chair', org: tree.primary }]),
    );
    await again.agent.get('/').expect(200);
  });

  it('when the backends are terminated twice in a row, then the app recovers each time', async () => {
    for (let round = 0; round < 2; round++) {
      await chair.agent.get('/').expect(200);
      await terminateEveryBackendOfTheDatabase();
      await new Promise((resolve) => setTimeout(resolve, 200));
      await chair.agent.get('/').expect(200);
    }
  });
});

describe('a query whose connection is cut under it', () => {
  it('when the backend of a running query is terminated, then the request answers 503 with Retry-After and a Russian message, not 500', async () => {
    // the app's own error handler and pool, behind a route that holds a query open long enough to be cut
    const app = express();
    app.get('/slow', async (_req, res) => {
      await ctx.deps.db.raw('SELECT pg_sleep(5) /* slow-query-under-test */');
      res.send('done');
    });
    app.use(errorHandler(ctx.deps.logger));
    const answer = request(app).get('/slow').set('Accept', 'application/json');
    const cut = (async () => {
      for (let i = 0; i < 50; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const { rows } = await adminQuery(
          ctx.database.url,
          "SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE query LIKE '%slow-query-under-test%' AND pid <> pg_backend_pid()",
        );
        if (rows[0].n) return;
      }
    })();
    const [res] = await Promise.all([answer, cut]);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body.error.code).toBe('database_unavailable');
    expect(res.body.error.message).toContain('База данных временно недоступна');
    await request(ctx.app).get('/readyz').expect(200);
  });
});
