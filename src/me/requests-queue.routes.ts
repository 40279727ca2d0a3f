import type { Request, Response, Router } from 'express';
import { orgOf } from '../access/loaders';
import { can, guardedRouter } from '../access/route-guards';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import { ValidationError, type FieldError } from '../http/errors';
import { flash } from '../http/flash';
import { errorViewModel, parseForm } from '../http/forms';
import { principalOf } from '../http/guards';
import { decisionSchema } from './me.schemas';
import { REQUEST_FIELD_LABELS, requestValue } from './me-views';

/** The queue of what members asked for from their personal accounts: whoever may edit their cards decides. */
export function requestsQueueRoutes({ loaders, services: { memberRequests } }: Deps): Router {
  const routes = guardedRouter();
  routes.param('inpo', loaders.organization);
  routes.get('/orgs/:inpo/corrections', can('member.edit'), (req, res) => showQueue(req, res));
  routes.post('/orgs/:inpo/corrections', can('member.edit'), (req, res) => decide(req, res));
  return routes.router;

  async function showQueue(req: Request, res: Response, status = 200, errors: FieldError[] = []) {
    const org = orgOf(req);
    res.status(status).render('me/queue', {
      title: `Исправления и заявления членов: ${org.name}`,
      section: 'members',
      org,
      requests: await memberRequests.queue(principalOf(req), org),
      values: req.method === 'POST' ? req.body : {},
      REQUEST_FIELD_LABELS,
      requestValue,
      ...errorViewModel(errors),
    });
  }

  async function decide(req: Request, res: Response) {
    const org = orgOf(req);
    const form = parseForm(decisionSchema, req.body);
    try {
      if (!form.ok) throw new ValidationError(form.errors);
      const done = await memberRequests.decide(principalOf(req), auditContextOf(req), org, form.data);
      flash(
        req,
        'success',
        done.status === 'rejected'
          ? 'Отклонено: член Профсоюза увидит причину в личном кабинете'
          : done.kind === 'leave'
            ? 'Выход из Профсоюза оформлен'
            : 'Исправление внесено в карточку',
      );
    } catch (err) {
      // the queue shows a form per request: a message about a field goes next to that request's field
      const id = form.ok ? form.data.requestId : Number(req.body?.requestId);
      const keyed = (f: FieldError) => (f.field === 'form' ? f : { ...f, field: `${f.field}-${id}` });
      if (err instanceof ValidationError) return showQueue(req, res, 422, err.fields.map(keyed));
      throw err;
    }
    res.redirect(303, `/orgs/${org.inpo}/corrections`);
  }
}
