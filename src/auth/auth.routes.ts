import type { NextFunction, Request, Response, Router } from 'express';
import { guardedRouter, publicRoute, signedIn } from '../access/route-guards';
import type { Principal } from '../access/principal';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import type { Authenticator } from '../http/setup/auth';
import { TooManyRequestsError, ValidationError } from '../http/errors';
import { flash } from '../http/flash';
import { errorViewModel, parseForm } from '../http/forms';
import { principalOf, safeLocalPath } from '../http/guards';
import type { FieldError } from '../http/errors';
import { changePasswordSchema, loginSchema } from './auth.schemas';
import { landingAfterLogin, startSession } from './session-start';

export function authRoutes({ services: { auth, drafts } }: Deps, passport: Authenticator): Router {
  const routes = guardedRouter();
  routes.get('/login', publicRoute, showLogin);
  routes.post('/login', publicRoute, (req, res, next) => login(passport, req, res, next));
  // «Выйти» ends the work deliberately: the user's unsent form drafts (personal data typed in) go with the session.
  routes.post('/logout', signedIn, async (req, res, next) => {
    await drafts.discardAll(principalOf(req).id);
    logout(req, res, next);
  });
  routes.get('/account/password', signedIn, showChangePassword);
  routes.post('/account/password', signedIn, changePassword);
  return routes.router;

  async function changePassword(req: Request, res: Response) {
    const form = parseForm(changePasswordSchema, req.body);
    if (!form.ok) return renderChangePassword(res, 422, form.errors);
    try {
      await auth.changePassword(
        principalOf(req).id,
        { current: form.data.currentPassword, next: form.data.newPassword },
        auditContextOf(req),
        req.sessionID,
      );
    } catch (err) {
      if (err instanceof ValidationError) return renderChangePassword(res, 422, err.fields);
      if (err instanceof TooManyRequestsError) {
        res.set('Retry-After', String(err.retryAfterSeconds));
        return renderChangePassword(res, 429, [{ field: 'currentPassword', message: err.message }]);
      }
      throw err;
    }
    flash(req, 'success', 'Пароль изменён');
    res.redirect(303, '/');
  }
}

function showLogin(req: Request, res: Response) {
  if (req.user) return res.redirect(303, '/');
  renderLogin(res, 200, { next: safeLocalPath(req.query.next, '') });
}

function login(passport: Authenticator, req: Request, res: Response, next: NextFunction) {
  const form = parseForm(loginSchema, req.body);
  const values = {
    username: typeof req.body?.username === 'string' ? req.body.username : '',
    next: safeLocalPath(req.body?.next, ''),
  };
  if (!form.ok) return renderLogin(res, 422, values, form.errors);
  passport.authenticate('local', (err: unknown, principal: Principal | false) => {
    if (err instanceof TooManyRequestsError) {
      res.set('Retry-After', String(err.retryAfterSeconds));
      return renderLogin(res, 429, values, [{ field: 'form', message: err.message }]);
    }
    if (err) return next(err);
    if (!principal)
      return renderLogin(res, 401, values, [{ field: 'form', message: 'Неверное имя пользователя или пароль' }]);
    if (principal.secondFactorEnrolled) return awaitSecondFactor(req, res, next, principal, form.data.next);
    startSession(req, principal, (loginErr) =>
      loginErr ? next(loginErr) : res.redirect(303, landingAfterLogin(principal, form.data.next)),
    );
  })(req, res, next);
}

/**
 * The password was right; nobody is logged in until the code is. The session id is regenerated here too, so
 * the half-way state cannot be planted, and it remembers only whose code to ask for.
 */
function awaitSecondFactor(
  req: Request,
  res: Response,
  next: NextFunction,
  principal: Principal,
  after: string | undefined,
) {
  req.session.regenerate((err) => {
    if (err) return next(err);
    req.session.pendingSecondFactor = {
      userId: principal.id,
      username: principal.username,
      next: safeLocalPath(after, ''),
      startedAt: Date.now(),
    };
    // stored before the redirect: a browser asks for the code page as soon as it has the headers
    req.session.save((saveErr) => (saveErr ? next(saveErr) : res.redirect(303, '/login/code')));
  });
}

function logout(req: Request, res: Response, next: NextFunction) {
  // passport 0.7 regenerates the session on logout: the old id is gone from the store.
  req.logout((err) => {
    if (err) return next(err);
    flash(req, 'info', 'Вы вышли из системы');
    res.redirect(303, '/login');
  });
}

function showChangePassword(req: Request, res: Response) {
  renderChangePassword(res, 200, []);
}

function renderLogin(
  res: Response,
  status: number,
  values: { username?: string; next?: string },
  errors: FieldError[] = [],
) {
  res.status(status).render('auth/login', { title: 'Вход', values, ...errorViewModel(errors) });
}

function renderChangePassword(res: Response, status: number, errors: FieldError[]) {
  const forced = res.locals.currentUser?.mustChangePassword === true;
  res.status(status).render('account/change-password', { title: 'Смена пароля', forced, ...errorViewModel(errors) });
}
