import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { orgOf } from '../access/loaders';
import { can, guardedRouter, publicRoute } from '../access/route-guards';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import { clientIp } from '../http/client-ip';
import { type FieldError } from '../http/errors';
import { errorViewModel, parseForm } from '../http/forms';
import { principalOf } from '../http/guards';
import { todayIso } from '../shared/dates';
import { MAX_CHECKED_NUMBERS } from './card-check.service';

const MAX_NUMBER_LENGTH = 40;

/** One number a line (a scanner types a line per card); commas and spaces separate too; repeats count once. */
const numbersSchema = z.object({
  numbers: z.string({ error: 'Введите номера карт' }).transform((text, ctx) => {
    const numbers = [...new Set(text.split(/[\s,;]+/).filter(Boolean))];
    if (!numbers.length) ctx.addIssue({ code: 'custom', message: 'Введите хотя бы один номер карты' });
    else if (numbers.length > MAX_CHECKED_NUMBERS)
      ctx.addIssue({ code: 'custom', message: `Не больше ${MAX_CHECKED_NUMBERS} номеров за одну проверку` });
    else if (numbers.some((n) => n.length > MAX_NUMBER_LENGTH))
      ctx.addIssue({ code: 'custom', message: `Номер карты не длиннее ${MAX_NUMBER_LENGTH} символов` });
    return numbers;
  }),
});

/** `/card/{token}` and its QR code's image: public, before the login wall (app.ts). */
export function cardCheckPublicRoutes({ services: { cardCheck } }: Deps): Router {
  const routes = guardedRouter();
  routes.get('/card/:token', publicRoute, async (req, res) => {
    const card = await cardCheck.byToken(String(req.params.token), clientIp(req));
    res.render('cards/check', { title: 'Проверка профсоюзного билета', card, today: todayIso() });
  });
  // the image of a card page's QR code: only the check address drawn (no lookup, nothing personal), the same
  // for a token forever; a browser keeps it a day, a shared cache not at all (the token opens the check)
  routes.get('/card/:token/qr.svg', publicRoute, async (req, res) => {
    const svg = await cardCheck.qrSvg(String(req.params.token));
    res.type('image/svg+xml').set('Cache-Control', 'private, max-age=86400').send(svg);
  });
  return routes.router;
}

/** `/orgs/{inpo}/card-check`: many numbers at once, for a meeting's chair. */
export function cardCheckRoutes({ loaders, services: { cardCheck } }: Deps): Router {
  const routes = guardedRouter();
  routes.param('inpo', loaders.organization);
  routes.get('/orgs/:inpo/card-check', can('member.view'), (req, res) => showCheck(req, res));
  routes.post('/orgs/:inpo/card-check', can('member.view'), (req, res) => checkMany(req, res));
  return routes.router;

  function showCheck(
    req: Request,
    res: Response,
    status = 200,
    errors: FieldError[] = [],
    results?: Awaited<ReturnType<typeof cardCheck.byNumbers>>,
  ) {
    const org = orgOf(req);
    res.status(status).render('cards/check-many', {
      title: `Проверка билетов: ${org.name}`,
      section: 'members',
      org,
      values: req.method === 'POST' ? req.body : {},
      results,
      today: todayIso(),
      max: MAX_CHECKED_NUMBERS,
      ...errorViewModel(errors),
    });
  }

  async function checkMany(req: Request, res: Response) {
    const form = parseForm(numbersSchema, req.body);
    if (!form.ok) return showCheck(req, res, 422, form.errors);
    showCheck(req, res, 200, [], await cardCheck.byNumbers(principalOf(req), auditContextOf(req), form.data.numbers));
  }
}
