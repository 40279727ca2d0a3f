import type { NextFunction, Request, Response } from 'express';
import type { Principal } from '../access/principal';
import { AppError } from './errors';

class UnauthenticatedError extends AppError {
  constructor() {
    super(401, 'unauthenticated', 'Требуется вход в систему');
  }
}

/** Router-level guard: everything registered after it requires a login. */
export function requireLogin(req: Request, res: Response, next: NextFunction) {
  if (req.user) return next();
  if (req.method === 'GET' && req.accepts(['html', 'json']) === 'html') {
    return res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
  }
  next(new UnauthenticatedError());
}

const ALLOWED_BEFORE_PASSWORD_CHANGE = new Set(['/account/password', '/logout']);

/** An issued password must be replaced before anything else can be done. */
export function requirePasswordChanged(req: Request, res: Response, next: NextFunction) {
  if (!req.user?.mustChangePassword || ALLOWED_BEFORE_PASSWORD_CHANGE.has(req.path)) return next();
  res.redirect(303, '/account/password');
}

export function principalOf(req: Request): Principal {
  if (!req.user) throw new UnauthenticatedError();
  return req.user;
}

/** Only local paths are accepted as a post-login destination (no open redirect). */
export function safeLocalPath(value: unknown, fallback = '/'): string {
  return typeof value === 'string' && /^\/(?![/\\])[^\s]*$/.test(value) ? value : fallback;
}
