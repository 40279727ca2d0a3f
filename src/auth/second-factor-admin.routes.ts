import { type Router, type Request, type Response } from 'express';
import { canOnObjects, guardedRouter } from '../access/route-guards';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import { NotFoundError } from '../http/errors';
import { flash } from '../http/flash';
import { principalOf } from '../http/guards';
import { INT4_MAX, parseId } from '../shared/numbers';

/** An administrator resets a user's lost second factor; the button lives on the user's page (/admin/users/:userId). */
export function secondFactorAdminRoutes({ services: { secondFactor } }: Deps): Router {
  const routes = guardedRouter();
  routes.post('/admin/users/:userId/totp-reset', canOnObjects('user.second_factor.reset'), resetForUser);
  return routes.router;

  async function resetForUser(req: Request, res: Response) {
    const userId = parseId(req.params.userId, INT4_MAX);
    if (userId === null) throw new NotFoundError();
    const { fullName } = await secondFactor.resetByAdministrator(principalOf(req), userId, auditContextOf(req));
    flash(
      req,
      'success',
      `Второй фактор сброшен: при следующем входе пользователь подключит его заново. Пользователь: ${fullName}`,
    );
    res.redirect(303, `/admin/users/${userId}`);
  }
}
