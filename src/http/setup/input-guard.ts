import type { Express, NextFunction, Request, Response } from 'express';
import { findNul, nulMessage } from '../../shared/nul';
import { AppError } from '../errors';

/** A NUL byte in the path (the route's parameters come from it), the query or the body: 400 naming where. */
export function rejectNulBytes(req: Request, _res: Response, next: NextFunction) {
  if (/%00/i.test(req.path))
    return next(new AppError(400, 'bad_character', 'Недопустимый символ (код 0) в адресе страницы'));
  const field = findNul(req.query) ?? findNul(req.body);
  if (field) return next(new AppError(400, 'bad_character', nulMessage(field)));
  next();
}

/** Runs after the body parsers; multipart bodies are parsed by their routes, whose upload step calls the same check. */
export function setUpInputGuard(app: Express) {
  app.use(rejectNulBytes);
}
