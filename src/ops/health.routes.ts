import type { Router } from 'express';
import { guardedRouter, publicRoute } from '../access/route-guards';
import { pingDatabase } from '../db/ping';
import type { Deps } from '../deps';

export function healthRoutes({ db, state }: Deps): Router {
  const routes = guardedRouter();
  routes.get('/healthz', publicRoute, (_req, res) => {
    res.json({ status: 'ok' });
  });
  routes.get('/readyz', publicRoute, async (_req, res) => {
    if (state.shuttingDown) return void res.status(503).json({ status: 'shutting_down' });
    try {
      await pingDatabase(db);
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'database_unavailable' });
    }
  });
  return routes.router;
}
