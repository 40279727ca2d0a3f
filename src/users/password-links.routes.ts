import { type Router, type Request, type Response } from 'express';
import { guardedRouter, publicRoute } from '../access/route-guards';
import { z } from 'zod';
import { MAX_PASSWORD_LENGTH } from '../auth/password';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import { TooManyRequestsError, ValidationError, type FieldError } from '../http/errors';
import { flash } from '../http/flash';
import { errorViewModel, parseForm } from '../http/forms';
import type { TokenPurpose } from './users.schemas';

const forgotSchema = z.object({
  username: z
    .string({ error: 'Введите имя пользователя' })
    .trim()
    .min(1, 'Введите имя пользователя')
    .max(64, 'Не более 64 символов'),
});
const newPasswordSchema = z
  .object({
    password: z
      .string({ error: 'Придумайте пароль' })
      .min(1, 'Придумайте пароль')
      .max(MAX_PASSWORD_LENGTH, `Не более ${MAX_PASSWORD_LENGTH} символов`),
    confirmPassword: z.string({ error: 'Повторите пароль' }).min(1, 'Повторите пароль'),
  })
  .refine((v) => v.password === v.confirmPassword, { path: ['confirmPassword'], message: 'Пароли не совпадают' });

const SAME_ANSWER =
  'Если такое имя пользователя есть и у него указана почта, мы отправили на неё ссылку для смены пароля. Ссылка действует 1 час.';
const PAGES: Record<TokenPurpose, { path: string; title: string; done: string }> = {
  invitation: { path: '/invite', title: 'Приглашение в Реестр', done: 'Пароль задан. Войдите с ним в реестр.' },
  reset: { path: '/reset-password', title: 'Новый пароль', done: 'Пароль изменён. Войдите с новым паролем.' },
};

/** Public pages (no login): «Забыли пароль?» and the set-password pages an invitation or a reset letter links to. */
export function passwordLinksRoutes({ services: { passwordLinks } }: Deps): Router {
  const routes = guardedRouter();
  routes.get('/forgot-password', publicRoute, (_req, res) => renderForgot(res, 200, {}, []));
  routes.post('/forgot-password', publicRoute, requestReset);
  for (const purpose of ['invitation', 'reset'] as const) {
    routes.get(`${PAGES[purpose].path}/:token`, publicRoute, (req, res) => showSetPassword(req, res, purpose));
    routes.post(`${PAGES[purpose].path}/:token`, publicRoute, (req, res) => setPassword(req, res, purpose));
  }
  return routes.router;

  async function requestReset(req: Request, res: Response) {
    const form = parseForm(forgotSchema, req.body);
    if (!form.ok) return renderForgot(res, 422, req.body ?? {}, form.errors);
    try {
      await passwordLinks.requestReset(form.data.username, auditContextOf(req));
    } catch (err) {
      if (!(err instanceof TooManyRequestsError)) throw err;
      res.set('Retry-After', String(err.retryAfterSeconds));
      return renderForgot(res, 429, form.data, [{ field: 'username', message: err.message }]);
    }
    flash(req, 'info', SAME_ANSWER);
    res.redirect(303, '/login');
  }

  async function showSetPassword(req: Request, res: Response, purpose: TokenPurpose) {
    const owner = await passwordLinks.linkOwner(String(req.params.token), purpose);
    renderSetPassword(res, owner ? 200 : 410, purpose, owner, []);
  }

  async function setPassword(req: Request, res: Response, purpose: TokenPurpose) {
    const token = String(req.params.token);
    const form = parseForm(newPasswordSchema, req.body);
    const owner = await passwordLinks.linkOwner(token, purpose);
    if (!owner) return renderSetPassword(res, 410, purpose, undefined, []);
    if (!form.ok) return renderSetPassword(res, 422, purpose, owner, form.errors);
    try {
      if (!(await passwordLinks.setPassword(token, purpose, form.data.password, auditContextOf(req))))
        return renderSetPassword(res, 410, purpose, undefined, []);
    } catch (err) {
      if (err instanceof ValidationError) return renderSetPassword(res, 422, purpose, owner, err.fields);
      throw err;
    }
    flash(req, 'success', PAGES[purpose].done);
    res.redirect(303, '/login');
  }
}

function renderForgot(res: Response, status: number, values: { username?: string }, errors: FieldError[]) {
  res
    .status(status)
    .render('auth/forgot-password', { title: 'Восстановление пароля', values, ...errorViewModel(errors) });
}

/** 410 Gone for a link that is unknown, used or expired: the same page for all three. */
function renderSetPassword(
  res: Response,
  status: number,
  purpose: TokenPurpose,
  owner: { username: string; fullName: string } | undefined,
  errors: FieldError[],
) {
  res
    .status(status)
    .render('auth/set-password', { title: PAGES[purpose].title, owner, purpose, ...errorViewModel(errors) });
}
