import type { Router } from 'express';
import { can, guardedRouter } from '../access/route-guards';
import type { Deps } from '../deps';

/** `/admin/professional-groups`: the list and the values typed before it that matched none of its names. */
export function professionalGroupsRoutes({ loaders, services: { professionalGroups } }: Deps): Router {
  const routes = guardedRouter();
  routes.use('/admin/professional-groups', loaders.union);
  routes.get('/admin/professional-groups', can('reference.manage'), async (_req, res) => {
    res.render('admin/professional-groups', {
      title: 'Профессиональные группы',
      section: 'forms',
      ...(await professionalGroups.review()),
    });
  });
  return routes.router;
}
