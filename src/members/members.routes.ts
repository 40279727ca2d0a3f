import { Router } from 'express';
import type { Deps } from '../deps';
import { memberCardRoutes } from './member-card.routes';
import { memberListRoutes } from './member-list.routes';
import { transferRequestRoutes } from './transfer-requests.routes';

/** The members feature's pages: each router loads its own URL's object (an organization, a card, a request). */
export function membersRoutes(deps: Deps): Router {
  return Router().use(memberListRoutes(deps), memberCardRoutes(deps), transferRequestRoutes(deps));
}
