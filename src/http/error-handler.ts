import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { databaseUnavailable } from './db-unavailable';
import {
  AppError,
  BearerChallengeError,
  NotFoundError,
  ServiceUnavailableError,
  TooManyRequestsError,
  ValidationError,
} from './errors';
import { API_REALM, PROBLEM_TYPE_BASE, isApiPath } from '../shared/api-path';
import { isUnlistedRefusal, mapPgError } from '../db/pg-errors';
import { pgInputError } from './pg-input-errors';

const PAGE_FOR_STATUS: Record<number, string> = { 403: 'errors/403', 404: 'errors/404' };

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(new NotFoundError());

/** One place that turns errors into responses: a Russian page or a JSON error, never a stack trace. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const inputError = pgInputError(err);
    // a value the database refused is reported to the user, and to us: its source should have checked it
    if (inputError) (req.log ?? logger).warn({ err }, 'database refused a value of the request');
    // a race the database decided, on a write no service wrapped: the same message as inside one
    const refusal = inputError ? undefined : mapPgError(err);
    if (refusal && isUnlistedRefusal(err))
      (req.log ?? logger).warn({ err }, 'database refused a change by a constraint with no message of its own');
    const unavailable = inputError || refusal ? undefined : databaseUnavailable(err);
    if (unavailable) (req.log ?? logger).warn({ err }, 'database unavailable');
    const appError = inputError ?? refusal ?? unavailable ?? toAppError(err);
    if (!appError) (req.log ?? logger).error({ err }, 'unhandled error');
    const status = appError?.status ?? 500;
    const message =
      appError instanceof ValidationError
        ? appError.fields.map((f) => f.message).join('; ')
        : (appError?.message ?? 'Внутренняя ошибка сервера. Мы уже знаем о ней; попробуйте повторить позже.');
    if (appError instanceof TooManyRequestsError || appError instanceof ServiceUnavailableError)
      res.set('Retry-After', String(appError.retryAfterSeconds));
    res.status(status);
    if (isApiPath(req.path)) {
      // the JSON API: RFC 9457 problem details, whatever the client accepts; 401 and 403 of a token with
      // their RFC 6750 challenge
      if (appError instanceof BearerChallengeError) res.set('WWW-Authenticate', appError.challenge);
      else if (status === 401) res.set('WWW-Authenticate', `Bearer ${API_REALM}`);
      const code = appError?.code ?? 'internal';
      res.type('application/problem+json').send(
        JSON.stringify({
          type: `${PROBLEM_TYPE_BASE}${code}`,
          title: status === 401 ? 'Требуется токен доступа' : status === 404 ? 'Не найдено' : titleFor(status),
          status,
          detail: appError instanceof ValidationError ? `${appError.message}: ${message}` : message,
          instance: req.originalUrl,
          code,
          ...(appError instanceof ValidationError ? { errors: appError.fields } : {}),
        }),
      );
      return;
    }
    if (req.accepts(['html', 'json']) === 'json') {
      const fields = appError instanceof ValidationError ? appError.fields : undefined;
      res.json({ error: { code: appError?.code ?? 'internal', message, ...(fields ? { fields } : {}) } });
      return;
    }
    res.render(
      PAGE_FOR_STATUS[status] ?? 'errors/error',
      {
        title: status === 401 ? 'Требуется токен доступа' : status === 404 ? 'Не найдено' : titleFor(status),
        status,
        message,
      },
      (renderErr, html) => {
        if (renderErr) {
          (req.log ?? logger).error({ err: renderErr }, 'error page failed to render');
          res.type('text/plain; charset=utf-8').send(message);
          return;
        }
        res.send(html);
      },
    );
  };
}

/** Errors from body parsing and friends carry a status; they are the client's fault, not ours. */
function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  const status =
    (err as { status?: number; statusCode?: number })?.status ?? (err as { statusCode?: number })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 413) return new AppError(413, 'payload_too_large', 'Слишком большой запрос');
    return new AppError(status, 'bad_request', 'Некорректный запрос');
  }
  return undefined;
}

function titleFor(status: number): string {
  if (status === 404) return 'Страница не найдена';
  if (status === 403) return 'Доступ запрещён';
  if (status === 429) return 'Слишком много запросов';
  if (status === 503) return 'Сервис временно недоступен';
  if (status >= 500) return 'Ошибка сервера';
  return 'Ошибка запроса';
}
