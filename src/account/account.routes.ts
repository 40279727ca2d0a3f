import { type Router, type Request, type Response } from 'express';
import { guardedRouter, signedIn } from '../access/route-guards';
import { z } from 'zod';
import { ROLE_LABELS } from '../access/roles';
import { API_SCOPES, API_SCOPE_LABELS } from '../api/api-scopes';
import { TOKEN_LIFETIME_DAYS, apiTokenFormSchema } from '../api/api-tokens.schemas';
import { auditContextOf } from '../audit/audit';
import { ENROLMENT_PATH } from '../auth/second-factor.guard';
import { secondFactorRequired } from '../access/second-factor';
import { MAX_PASSWORD_LENGTH } from '../auth/password';
import { newTotpSecret } from '../auth/totp';
import type { Deps } from '../deps';
import { NotFoundError, TooManyRequestsError, ValidationError, type FieldError } from '../http/errors';
import { flash } from '../http/flash';
import { errorViewModel, parseForm } from '../http/forms';
import { principalOf } from '../http/guards';
import { parseId } from '../shared/numbers';

const confirmSchema = z.object({
  code: z
    .string({ error: 'Введите код из приложения' })
    .trim()
    .min(1, 'Введите код из приложения')
    .max(20, 'Код — 6 цифр'),
});
const resetSchema = z.object({
  currentPassword: z
    .string({ error: 'Введите текущий пароль' })
    .min(1, 'Введите текущий пароль')
    .max(MAX_PASSWORD_LENGTH),
});
const HANDLE = /^[0-9a-f]{32}$/;

/** The user's own account: password, second factor, sessions. Every action is on the caller's own record. */
export function accountRoutes({ config, services: { auth, secondFactor, account, apiTokens } }: Deps): Router {
  const routes = guardedRouter();
  routes.get('/account', signedIn, showAccount);
  routes.get(ENROLMENT_PATH, signedIn, showSecondFactor);
  routes.post(ENROLMENT_PATH, signedIn, confirmSecondFactor);
  routes.post(`${ENROLMENT_PATH}/reset`, signedIn, resetSecondFactor);
  routes.post('/account/sessions/:handle/end', signedIn, endSession);
  routes.post('/account/api-tokens', signedIn, createApiToken);
  routes.post('/account/api-tokens/:tokenId/revoke', signedIn, revokeApiToken);
  return routes.router;

  async function showAccount(req: Request, res: Response) {
    await renderAccount(req, res, 200);
  }

  async function renderAccount(
    req: Request,
    res: Response,
    status: number,
    errors: FieldError[] = [],
    values: Record<string, unknown> = {},
  ) {
    const user = principalOf(req);
    const [sessions, factor, tokens] = await Promise.all([
      account.sessions(user.id, req.sessionID),
      secondFactor.status(user.id),
      apiTokens.list(user.id),
    ]);
    const roles = user.grants.map((g) => `${ROLE_LABELS[g.role]} — ${g.organizationName}`);
    const submitted = values.scopes;
    res.status(status).render('account/index', {
      title: 'Мой аккаунт',
      user,
      roles,
      sessions,
      factor,
      tokens,
      now: new Date(),
      API_SCOPES,
      API_SCOPE_LABELS,
      TOKEN_LIFETIME_DAYS,
      tokenValues: {
        tokenName: typeof values.tokenName === 'string' ? values.tokenName : '',
        scopes: typeof submitted === 'string' ? [submitted] : Array.isArray(submitted) ? submitted : [],
        days: typeof values.days === 'string' ? values.days : '90',
      },
      ...errorViewModel(errors),
    });
  }

  /** A personal access token of the API: shown in this response only, kept as its hash. */
  async function createApiToken(req: Request, res: Response) {
    const form = parseForm(apiTokenFormSchema, req.body);
    if (!form.ok) return renderAccount(req, res, 422, form.errors, req.body ?? {});
    const { secret, row } = await apiTokens.create(principalOf(req).id, form.data, auditContextOf(req));
    res.render('account/api-token-created', { title: 'Токен доступа создан', secret, token: row, API_SCOPE_LABELS });
  }

  async function revokeApiToken(req: Request, res: Response) {
    const id = parseId(String(req.params.tokenId));
    if (id === null) throw new NotFoundError();
    await apiTokens.revoke(principalOf(req).id, id, auditContextOf(req));
    flash(req, 'success', 'Токен отозван: запросы с ним больше не принимаются');
    res.redirect(303, '/account');
  }

  async function showSecondFactor(req: Request, res: Response) {
    await renderSecondFactor(req, res, 200);
  }

  async function renderSecondFactor(req: Request, res: Response, status: number, errors: FieldError[] = []) {
    const user = principalOf(req);
    const factor = await secondFactor.status(user.id);
    // The offered secret stays the same across reloads and wrong codes: the app may already hold it.
    const enrolment = factor.enrolledAt
      ? null
      : await secondFactor.enrolment(user.username, (req.session.enrolmentSecret ??= newTotpSecret()));
    const forced = config.totpRequired && !factor.enrolledAt && secondFactorRequired(user);
    res.status(status).render('account/second-factor', {
      title: 'Второй фактор',
      factor,
      enrolment,
      forced,
      ...errorViewModel(errors),
    });
  }

  async function confirmSecondFactor(req: Request, res: Response) {
    const form = parseForm(confirmSchema, req.body);
    if (!form.ok) return renderSecondFactor(req, res, 422, form.errors);
    const secret = req.session.enrolmentSecret;
    if (!secret)
      return renderSecondFactor(req, res, 422, [
        { field: 'code', message: 'Отсканируйте код ещё раз: страница подключения устарела' },
      ]);
    let codes: string[];
    try {
      codes = await secondFactor.confirm(principalOf(req).id, secret, form.data.code, auditContextOf(req));
    } catch (err) {
      if (err instanceof ValidationError) return renderSecondFactor(req, res, 422, err.fields);
      throw err;
    }
    delete req.session.enrolmentSecret;
    delete req.session.principal; // the kept principal says "not enrolled" and would send the user back here
    // Shown once, in this response only: nothing keeps them but their digests.
    res.render('account/recovery-codes', { title: 'Резервные коды', codes });
  }

  async function resetSecondFactor(req: Request, res: Response) {
    const form = parseForm(resetSchema, req.body);
    if (!form.ok) return renderSecondFactor(req, res, 422, form.errors);
    const ctx = auditContextOf(req);
    try {
      await auth.verifyCurrentPassword(principalOf(req).id, form.data.currentPassword, ctx.ip);
    } catch (err) {
      if (err instanceof ValidationError) return renderSecondFactor(req, res, 422, err.fields);
      if (!(err instanceof TooManyRequestsError)) throw err;
      res.set('Retry-After', String(err.retryAfterSeconds));
      return renderSecondFactor(req, res, 429, [{ field: 'currentPassword', message: err.message }]);
    }
    await secondFactor.resetOwn(principalOf(req).id, ctx);
    delete req.session.principal; // so the enrolment requirement applies on the next request
    flash(req, 'success', 'Второй фактор отключён. Подключите его заново в приложении.');
    res.redirect(303, ENROLMENT_PATH);
  }

  async function endSession(req: Request, res: Response) {
    const handle = String(req.params.handle);
    if (!HANDLE.test(handle)) throw new NotFoundError();
    await account.endSession(principalOf(req).id, handle, req.sessionID, auditContextOf(req));
    flash(req, 'success', 'Сеанс завершён');
    res.redirect(303, '/account');
  }
}
