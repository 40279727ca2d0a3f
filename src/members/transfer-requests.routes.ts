import type { Request, Response, Router } from 'express';
import { transferRequestOf } from '../access/loaders';
import { can, guardedRouter } from '../access/route-guards';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import { ValidationError } from '../http/errors';
import { flash } from '../http/flash';
import { parseForm } from '../http/forms';
import { safeLocalPath } from '../http/guards';
import { decisionSchema } from './members.schemas';

/** A transfer request is decided by its receiving organization (the request's id is not a card's: a router of its own). */
export function transferRequestRoutes({ loaders, services: { members } }: Deps): Router {
  const requests = guardedRouter();
  requests.param('id', loaders.transferRequest);
  requests.post('/transfer-requests/:id/decide', can('member.edit'), (req, res) => decide(req, res));
  return requests.router;

  async function decide(req: Request, res: Response) {
    const form = parseForm(decisionSchema, req.body);
    if (!form.ok) throw new ValidationError(form.errors);
    await members.decideTransfer(
      auditContextOf(req),
      transferRequestOf(req),
      form.data.decision === 'accept',
      form.data.reason,
    );
    flash(req, 'success', form.data.decision === 'accept' ? 'Перевод принят' : 'В переводе отказано');
    res.redirect(303, safeLocalPath(form.data.back, '/'));
  }
}
