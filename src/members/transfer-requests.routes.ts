import type { Request, Response, Router } from 'express';
import { guardedRouter, signedIn } from '../access/route-guards';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import { ValidationError } from '../http/errors';
import { flash } from '../http/flash';
import { parseForm } from '../http/forms';
import { principalOf, safeLocalPath } from '../http/guards';
import { idParam } from '../http/params';
import { decideRequest } from './transfer-requests';
import { decisionSchema } from './members.schemas';

/** A transfer request is decided by the receiving organization: the service checks the request's organization (its id is not a card's). */
export function transferRequestRoutes({ db, eventDates }: Deps): Router {
  const requests = guardedRouter();
  requests.post('/transfer-requests/:id/decide', signedIn, (req, res) => decide(req, res));
  return requests.router;

  async function decide(req: Request, res: Response) {
    const form = parseForm(decisionSchema, req.body);
    if (!form.ok) throw new ValidationError(form.errors);
    await decideRequest(db, principalOf(req), auditContextOf(req), idParam(req), form.data.decision === 'accept', form.data.reason, eventDates);
    flash(req, 'success', form.data.decision === 'accept' ? 'Перевод принят' : 'В переводе отказано');
    res.redirect(303, safeLocalPath(form.data.back, '/'));
  }
}
