import type { Router } from 'express';
import { guardedRouter, signedIn } from '../access/route-guards';
import type { Deps } from '../deps';
import { principalOf } from '../http/guards';
import { LEVEL_LABELS } from '../registry/levels';

export function homeRoutes({ services: { home } }: Deps): Router {
  const routes = guardedRouter();
  routes.get('/', signedIn, async (req, res) => {
    const summaries = await home.summaries(principalOf(req));
    res.render('home/index', { title: 'Главная', section: 'home', summaries, LEVEL_LABELS });
  });
  return routes.router;
}
