import type { Request, Response, Router } from 'express';
import type { ZodType } from 'zod';
import { guardedRouter, signedIn } from '../access/route-guards';
import { auditContextOf } from '../audit/audit';
import { CARD_STATUS_LABELS, LIVE_STATUSES } from '../cards/card-statuses';
import type { Deps } from '../deps';
import { NotFoundError, ValidationError, type FieldError } from '../http/errors';
import { flash } from '../http/flash';
import { errorViewModel, parseForm } from '../http/forms';
import { principalOf } from '../http/guards';
import { CATEGORIES, CATEGORY_LABELS, LEFT_REASON_LABELS } from '../membership/membership';
import { CHANNEL_LABELS, CONSENT_KIND_LABELS, SOURCE_LABELS } from '../members/consents';
import { OFFICER_POST_LABELS } from '../registry/officer-posts';
import { todayIso } from '../shared/dates';
import { correctionSchema, leaveSchema, ownConsentSchema, ownWithdrawSchema } from './me.schemas';
import { REQUEST_FIELD_LABELS } from './me-views';

/** The card of the signed-in person; a login not linked to a card has no personal account. */
function memberIdOf(req: Request): number {
  const id = principalOf(req).memberId;
  if (id == null) throw new NotFoundError('Ваша учётная запись не связана с карточкой члена Профсоюза');
  return id;
}

/** The member's personal account (issue 18, item 3): every route reads and changes only the signed-in member's card. */
export function meRoutes({ services: { me, surveys } }: Deps): Router {
  const routes = guardedRouter();
  routes.get('/me', signedIn, (req, res) => showAccount(req, res));
  routes.post('/me/consents', signedIn, (req, res) =>
    pageForm(
      req,
      res,
      ownConsentSchema,
      showAccount,
      (id, d) => me.giveConsent(auditContextOf(req), id, d),
      'Согласие дано',
    ),
  );
  routes.post('/me/consents/withdraw', signedIn, (req, res) =>
    pageForm(
      req,
      res,
      ownWithdrawSchema,
      showAccount,
      (id, d) => me.withdrawConsent(auditContextOf(req), id, d.consentId),
      'Согласие отозвано',
    ),
  );
  routes.get('/me/corrections', signedIn, (req, res) => showCorrection(req, res));
  routes.post('/me/corrections', signedIn, (req, res) =>
    pageForm(
      req,
      res,
      correctionSchema,
      showCorrection,
      (id, d) => me.proposeCorrection(auditContextOf(req), id, d),
      'Исправление отправлено в вашу профсоюзную организацию: карточка изменится, когда его примут',
    ),
  );
  routes.get('/me/leave', signedIn, (req, res) => showLeave(req, res));
  routes.post('/me/leave', signedIn, (req, res) =>
    pageForm(
      req,
      res,
      leaveSchema,
      showLeave,
      (id, d) => me.requestLeave(auditContextOf(req), id, d),
      'Заявление о выходе отправлено в вашу профсоюзную организацию',
    ),
  );
  routes.get('/me/data.json', signedIn, async (req, res) => {
    const data = await me.ownData(auditContextOf(req), memberIdOf(req));
    res.attachment(`my-data-${todayIso()}.json`).json(data);
  });
  routes.get('/me/data.pdf', signedIn, async (req, res) => {
    const pdf = await me.ownDataPdf(auditContextOf(req), memberIdOf(req));
    res.type('application/pdf').attachment(`my-data-${todayIso()}.pdf`).send(pdf);
  });
  return routes.router;

  async function showAccount(req: Request, res: Response, status = 200, errors: FieldError[] = []) {
    const account = await me.overview(auditContextOf(req), memberIdOf(req));
    res.status(status).render('me/index', {
      title: 'Личный кабинет',
      section: 'me',
      ...account,
      polls: await surveys.memberTasks(memberIdOf(req)),
      CARD_STATUS_LABELS,
      LIVE_STATUSES,
      CATEGORY_LABELS,
      LEFT_REASON_LABELS,
      CONSENT_KIND_LABELS,
      CHANNEL_LABELS,
      SOURCE_LABELS,
      OFFICER_POST_LABELS,
      REQUEST_FIELD_LABELS,
      ...errorViewModel(errors),
    });
  }

  async function showCorrection(req: Request, res: Response, status = 200, errors: FieldError[] = []) {
    const member = await me.cardOf(memberIdOf(req));
    res.status(status).render('me/correction', {
      title: 'Исправить мои данные',
      section: 'me',
      values: req.method === 'POST' ? req.body : member,
      CATEGORIES,
      CATEGORY_LABELS,
      ...errorViewModel(errors),
    });
  }

  async function showLeave(req: Request, res: Response, status = 200, errors: FieldError[] = []) {
    memberIdOf(req);
    res.status(status).render('me/leave', {
      title: 'Заявление о выходе из Профсоюза',
      section: 'me',
      values: req.method === 'POST' ? req.body : { on: todayIso() },
      ...errorViewModel(errors),
    });
  }

  /** A form of its own page: its errors shown there (422), success back to the account with `done`. */
  async function pageForm<T>(
    req: Request,
    res: Response,
    schema: ZodType<T>,
    show: (req: Request, res: Response, status: number, errors: FieldError[]) => Promise<void>,
    run: (memberId: number, data: T) => Promise<unknown>,
    done: string,
  ) {
    const memberId = memberIdOf(req);
    const form = parseForm(schema, req.body);
    try {
      if (!form.ok) throw new ValidationError(form.errors);
      await run(memberId, form.data);
    } catch (err) {
      if (err instanceof ValidationError) return show(req, res, 422, err.fields);
      throw err;
    }
    flash(req, 'success', done);
    res.redirect(303, '/me');
  }
}
