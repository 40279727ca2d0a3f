import { Router } from 'express';
import type { Deps } from '../deps';

export function healthRoutes({ db, state }: Deps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    if (state.shuttingDown) return void res.status(503).json({ status: 'shutting_down' });
    try {
      await db.raw('SELECT 1');
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'database_unavailable' });
    }
  });
  return router;
}
