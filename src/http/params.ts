import type { Request } from 'express';
import { parseId } from '../shared/numbers';
import { NotFoundError } from './errors';

/** The row id in the URL (`/members/:id`): decimal digits within the column's type, else 404 — '0x10' is not row 16. */
export function idParam(req: Request, name = 'id', max?: number): number {
  const id = parseId(req.params[name], max);
  if (id === null) throw new NotFoundError();
  return id;
}
