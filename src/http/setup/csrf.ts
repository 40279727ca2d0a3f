import crypto from 'node:crypto';
import type { Express, Request } from 'express';
import { ForbiddenError } from '../errors';
import { isOneClickUnsubscribe } from '../../shared/unsubscribe-path';
import { isStateChanging } from './security';

/** Synchronizer token: one random token per session, required in `_csrf` (forms) or `X-CSRF-Token` (htmx). */
export function setUpCsrf(app: Express) {
  app.use((req, res, next) => {
    res.locals.csrfToken = () => csrfTokenOf(req);
    if (!isStateChanging(req) || isOneClickUnsubscribe(req.method, req.path)) return next();
    const expected = req.session.csrfToken;
    // A multipart body is parsed later, by the upload route: its form puts the token in the action URL.
    const fromQuery = req.is('multipart/form-data') ? req.query._csrf : undefined;
    const sent = (req.body as Record<string, unknown> | undefined)?._csrf ?? req.get('x-csrf-token') ?? fromQuery;
    if (!expected || typeof sent !== 'string' || !safeEqual(sent, expected)) {
      return next(new ForbiddenError('Форма устарела или отправлена не с этого сайта. Обновите страницу и повторите.'));
    }
    next();
  });
}

export function csrfTokenOf(req: Request): string {
  req.session.csrfToken ??= crypto.randomBytes(32).toString('base64url');
  return req.session.csrfToken;
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}
