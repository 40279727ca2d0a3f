import { Router } from 'express';
import type { Deps } from '../deps';
import { principalOf } from '../http/guards';
import { LEVEL_LABELS } from '../registry/levels';
import { createOrgsService } from '../registry/orgs.service';

export function homeRoutes({ db }: Deps): Router {
  const orgs = createOrgsService(db);
  const router = Router();
  router.get('/', async (req, res) => {
    const summaries = await orgs.homeSummaries(principalOf(req));
    res.render('home/index', { title: 'Главная', section: 'home', summaries, LEVEL_LABELS });
  });
  return router;
}
