import { Router, type NextFunction, type Request, type Response } from 'express';
import { principalOf, requireLogin } from '../http/guards';
import { authorize, can as allows } from './access';
import type { Action } from './roles';

/**
 * Every route names what it needs on its own line: an action on the object its URL addresses, a login
 * (objects that belong to the caller, checked by their owner), or nothing (public pages). The routers
 * below refuse a route without one when it is registered, and the authorization matrix test finds any
 * registered around them.
 */
export type Permission = Action | 'signed-in' | 'public';

const PERMISSION = Symbol('permission');

export type Handler = (req: Request, res: Response, next: NextFunction) => unknown;
export type Guard = Handler & { readonly [PERMISSION]: Permission };

function guard(permission: Permission, handler: Handler): Guard {
  return Object.assign(handler, { [PERMISSION]: permission });
}

/** The permission a route's first handler declares, if it is a guard. */
export function permissionOf(handler: unknown): Permission | undefined {
  return typeof handler === 'function' ? (handler as Partial<Guard>)[PERMISSION] : undefined;
}

/**
 * `action` on the object the route's loader resolved (`:inpo`, `:id`): 403 when the user's grants inside
 * whose subtree it lies do not allow it (the loader has already answered 404 outside every subtree).
 * A member opens their own card without any grant on its organization.
 */
export function can(action: Action): Guard {
  return guard(action, (req, _res, next) => {
    const target = req.access;
    if (!target)
      throw new Error(
        `can('${action}') on ${req.route?.path ?? req.path}: no loader resolved the object of this route`,
      );
    if (!(action === 'member.view' && target.ownCard)) authorize(principalOf(req), action, target.org);
    next();
  });
}

/**
 * Whether the user may do `action` on the object this route's loader resolved — what a page asks before it
 * shows a control (a form, a link to an edit page) whose route checks the same action, so that a read-only
 * user is never offered a button that answers 403.
 */
export function mayOnTarget(req: Request, action: Action): boolean {
  const target = req.access;
  if (!target)
    throw new Error(
      `mayOnTarget('${action}') on ${req.route?.path ?? req.path}: no loader resolved the object of this route`,
    );
  return allows(principalOf(req), action, target.org);
}

/**
 * `action` on objects that are not organizations — logins and the audit log — which their service resolves
 * within the user's subtrees and checks the action on (404 outside them, 403 inside without it).
 */
export function canOnObjects(action: Action): Guard {
  return guard(action, requireLogin);
}

/** A logged-in user; the object (an export, an import report, a transfer request) is checked against its owner where it is read. */
export const signedIn: Guard = guard('signed-in', requireLogin);

/** No login needed: health checks, the login page, static redirects. */
export const publicRoute: Guard = guard('public', (_req, _res, next) => next());

export type ParamLoader = (req: Request, res: Response, next: NextFunction, value: string) => Promise<void>;

export interface GuardedRouter {
  /** The express router to mount. */
  router: Router;
  get(path: string, guard: Guard, ...handlers: Handler[]): void;
  post(path: string, guard: Guard, ...handlers: Handler[]): void;
  /** A loader that resolves a URL parameter to an object inside the user's subtree (see access/loaders). */
  param(name: string, loader: ParamLoader): void;
  /** Middleware for every path under `prefix` (a loader for routes without a parameter). */
  use(prefix: string, handler: Handler): void;
}

/** A router whose every route names its permission first: without one it does not compile, and a cast still fails at start-up. */
export function guardedRouter(): GuardedRouter {
  const router = Router();
  const route =
    (method: 'get' | 'post') =>
    (path: string, first: Guard, ...handlers: Handler[]) => {
      if (!permissionOf(first))
        throw new Error(
          `${method.toUpperCase()} ${path}: the first handler must name a permission (can(...), signedIn, publicRoute)`,
        );
      router[method](path, first, ...handlers);
    };
  return {
    router,
    get: route('get'),
    post: route('post'),
    param: (name, loader) => void router.param(name, loader),
    use: (prefix, handler) => void router.use(prefix, handler),
  };
}
