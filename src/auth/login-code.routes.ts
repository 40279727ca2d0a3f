import { type Router, type NextFunction, type Request, type Response } from 'express';
import { guardedRouter, publicRoute } from '../access/route-guards';
import { z } from 'zod';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import { clientIp } from '../http/client-ip';
import { TooManyRequestsError, type FieldError } from '../http/errors';
import { errorViewModel, parseForm } from '../http/forms';
import { landingAfterLogin, startSession } from './session-start';

/** How long the code may be entered after the password: a half-done login left open is not an open door. */
export const PENDING_LOGIN_MS = 5 * 60 * 1000;

const codeSchema = z.object({
  code: z
    .string({ error: 'Введите код' })
    .trim()
    .min(1, 'Введите код из приложения или резервный код')
    .max(40, 'Код слишком длинный'),
});

/** The login's second step: a code from the authenticator app, or one of the recovery codes. */
export function loginCodeRoutes({ services: { auth, secondFactor } }: Deps): Router {
  const routes = guardedRouter();
  routes.get('/login/code', publicRoute, showCodeForm);
  routes.post('/login/code', publicRoute, checkCode);
  return routes.router;

  function showCodeForm(req: Request, res: Response) {
    if (req.user) return res.redirect(303, '/');
    if (!pendingLogin(req)) return res.redirect(303, '/login');
    renderCodeForm(res, 200);
  }

  async function checkCode(req: Request, res: Response, next: NextFunction) {
    const pending = pendingLogin(req);
    if (req.user || !pending) return res.redirect(303, req.user ? '/' : '/login');
    const form = parseForm(codeSchema, req.body);
    if (!form.ok) return renderCodeForm(res, 422, form.errors);
    let accepted: boolean;
    try {
      accepted = await secondFactor.verifyAtLogin(
        { id: pending.userId, username: pending.username },
        form.data.code,
        clientIp(req) ?? '0.0.0.0',
        { ...auditContextOf(req), actorUserId: pending.userId },
      );
    } catch (err) {
      if (!(err instanceof TooManyRequestsError)) throw err;
      res.set('Retry-After', String(err.retryAfterSeconds));
      return renderCodeForm(res, 429, [{ field: 'code', message: err.message }]);
    }
    if (!accepted) return renderCodeForm(res, 401, [{ field: 'code', message: 'Код неверен или уже использован' }]);
    const principal = await auth.principal(pending.userId);
    // blocked between the two steps: back to the start, the login form says nothing more
    if (!principal) return req.session.regenerate((err) => (err ? next(err) : res.redirect(303, '/login')));
    startSession(req, principal, (err) =>
      err ? next(err) : res.redirect(303, landingAfterLogin(principal, pending.next)),
    );
  }
}

function pendingLogin(req: Request) {
  const pending = req.session.pendingSecondFactor;
  return pending && Date.now() - pending.startedAt < PENDING_LOGIN_MS ? pending : undefined;
}

function renderCodeForm(res: Response, status: number, errors: FieldError[] = []) {
  res.status(status).render('auth/login-code', { title: 'Код подтверждения', ...errorViewModel(errors) });
}
