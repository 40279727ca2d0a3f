import type { Request, Response, Router } from 'express';
import { orgOf } from '../access/loaders';
import { can, guardedRouter, mayOnTarget } from '../access/route-guards';
import { z } from 'zod';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import { ValidationError, type FieldError } from '../http/errors';
import { askConfirmation, isConfirmed } from '../http/confirmation';
import { flash } from '../http/flash';
import { errorViewModel, parseForm } from '../http/forms';
import { requiredDate } from '../shared/fields';
import { todayIso } from '../shared/dates';
import { formatDate } from '../shared/format';
import { CARD_STATUSES, CARD_STATUS_LABELS, NEXT_STATUSES } from './card-statuses';
import { checkBatchMove } from './cards.service';

const batchSchema = z.object({
  from: z.enum(CARD_STATUSES, { error: 'Выберите текущее состояние' }),
  to: z.enum(CARD_STATUSES, { error: 'Выберите новое состояние' }),
  on: requiredDate('Укажите дату'),
});

export function cardsRoutes({ loaders, services: { cards } }: Deps): Router {
  const routes = guardedRouter();
  routes.param('inpo', loaders.organization);
  routes.get('/orgs/:inpo/cards', can('member.view'), (req, res) => showCards(req, res));
  routes.post('/orgs/:inpo/cards/batch', can('member.edit'), (req, res) => batchMove(req, res));
  return routes.router;

  async function showCards(req: Request, res: Response, status = 200, errors: FieldError[] = []) {
    const org = orgOf(req);
    res.status(status).render('cards/org', {
      title: `ЭПБ: ${org.name}`,
      section: 'members',
      org,
      mayEdit: mayOnTarget(req, 'member.edit'),
      counts: await cards.countsByStatus(org),
      today: todayIso(),
      values: req.method === 'POST' ? req.body : { from: 'delivered_to_region', to: 'handed_to_organization' },
      CARD_STATUSES,
      CARD_STATUS_LABELS,
      NEXT_STATUSES,
      ...errorViewModel(errors),
    });
  }

  async function batchMove(req: Request, res: Response) {
    const org = orgOf(req);
    const form = parseForm(batchSchema, req.body);
    if (!form.ok) return showCards(req, res, 422, form.errors);
    const { from, to, on } = form.data;
    try {
      if (!isConfirmed(req)) {
        // a move that cannot be made is told next to the field, not after the confirmation
        checkBatchMove(from, to);
        const count = (await cards.countsByStatus(org))[from] ?? 0;
        return askConfirmation(
          req,
          res,
          {
            title: 'Подтвердите перевод карт',
            consequence: `Все карты в состоянии «${CARD_STATUS_LABELS[from]}» перейдут в состояние «${CARD_STATUS_LABELS[to]}» с ${formatDate(on)}.`,
            affected: { count, noun: 'Карт в организации и её структуре' },
            confirmLabel: `Перевести карты: ${count}`,
            cancelHref: `/orgs/${org.inpo}/cards`,
          },
          { section: 'members', org },
        );
      }
      const moved = await cards.batchMove(auditContextOf(req), org, from, to, on);
      flash(req, 'success', `Состояние изменено у карт: ${moved}`);
      res.redirect(303, `/orgs/${org.inpo}/cards`);
    } catch (err) {
      if (err instanceof ValidationError) return showCards(req, res, 422, err.fields);
      throw err;
    }
  }
}
