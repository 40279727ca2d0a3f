import { Router } from 'express';
import type { Deps } from '../deps';
import { principalOf } from '../http/guards';
import { EMPLOYER_KIND_LABELS, LEVEL_LABELS } from './levels';
import { createOrgsService } from './orgs.service';

export function orgsRoutes({ db }: Deps): Router {
  const orgs = createOrgsService(db);
  const router = Router();
  router.get('/orgs/:inpo', async (req, res) => {
    const page = await orgs.organizationPage(principalOf(req), req.params.inpo);
    res.render('orgs/show', { title: page.org.name, section: 'registry', ...page, LEVEL_LABELS, EMPLOYER_KIND_LABELS });
  });
  return router;
}
