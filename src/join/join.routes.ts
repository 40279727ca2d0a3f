import type { Request, Response, Router } from 'express';
import { orgOf } from '../access/loaders';
import { can, guardedRouter, publicRoute } from '../access/route-guards';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import { clientIp } from '../http/client-ip';
import { NotFoundError, ValidationError, type FieldError } from '../http/errors';
import { errorViewModel, parseForm } from '../http/forms';
import { flash } from '../http/flash';
import { principalOf } from '../http/guards';
import { CATEGORIES, CATEGORY_LABELS } from '../membership/membership';
import { MATCH_ELSEWHERE_MESSAGE } from '../members/duplicate-guard';
import { parseId } from '../shared/numbers';
import { JOIN_CONSENT_TEXT, JOIN_CONSENT_VERSION, JOIN_MAILING_TEXT } from './consent-text';
import { acceptSchema, applicationSchema, rejectSchema } from './join.schemas';
import type { AcceptResult } from './join.service';

const TITLE = 'Вступить в Профсоюз образования';
/** The honeypot: a field a person never sees (hidden by CSS, skipped by Tab) and a script fills in. */
export const HONEYPOT_FIELD = 'website';
const BOT_REFUSAL =
  'Заявление не принято: похоже, форму заполнила программа. Если это не так, откройте страницу заново и заполните её вручную.';

class ClosedOrg extends NotFoundError {
  constructor() {
    super(
      'Эта организация не принимает заявления онлайн или её нет в реестре. Найдите свою первичную профсоюзную организацию по региону или названию.',
    );
  }
}

/** `/join…`: public, before the login wall (app.ts). GET pages change nothing; the confirmation is a POST. */
export function joinPublicRoutes({ services: { join } }: Deps): Router {
  const routes = guardedRouter();
  routes.get('/join', publicRoute, (req, res) => findPage(req, res));
  routes.get('/join/confirm/:token', publicRoute, (req, res) => confirmPage(req, res));
  routes.post('/join/confirm/:token', publicRoute, (req, res) => confirm(req, res));
  routes.get('/join/:inpo', publicRoute, (req, res) => showForm(req, res).catch(closedPage(res)));
  routes.post('/join/:inpo', publicRoute, (req, res) => apply(req, res).catch(closedPage(res)));
  routes.get('/join/:inpo/sent', publicRoute, (req, res) => sentPage(req, res).catch(closedPage(res)));
  routes.get('/join/:inpo/print', publicRoute, (req, res) => printPage(req, res).catch(closedPage(res)));
  routes.get('/join/:inpo/qr.svg', publicRoute, (req, res) => qrImage(req, res).catch(closedPage(res)));
  return routes.router;

  /** Region → territory → ППО (`?at=` the ИНПО one level up), or a search by name or ИНПО (`?q=`). */
  async function findPage(req: Request, res: Response) {
    const q = typeof req.query.q === 'string' ? req.query.q.trim() : '';
    const at = typeof req.query.at === 'string' && req.query.at ? req.query.at : null;
    const parent = at ? await join.organization(at) : null;
    const orgs = q ? await join.search(q) : await join.children(parent?.inpo ?? null);
    res.render('join/find', { title: TITLE, q, parent, orgs });
  }

  /** An open ППО of the URL; any other organization (or none) is a page of its own that leads back (404). */
  async function openOrg(req: Request) {
    const org = await join.organization(String(req.params.inpo)).catch(() => undefined);
    if (!org?.open) throw new ClosedOrg();
    return org;
  }

  /** The pages of an organization that takes no applications answer with a way back to the search (404). */
  function closedPage(res: Response) {
    return (err: unknown) => {
      if (!(err instanceof ClosedOrg)) throw err;
      res.status(404).render('join/closed', { title: TITLE, message: err.message });
    };
  }

  async function showForm(req: Request, res: Response, status = 200, errors: FieldError[] = []) {
    const org = await openOrg(req);
    res.status(status).render('join/form', {
      title: TITLE,
      org,
      values: req.method === 'POST' ? req.body : {},
      stamp: join.stamps.issue(),
      honeypot: HONEYPOT_FIELD,
      CATEGORIES,
      CATEGORY_LABELS,
      consentText: JOIN_CONSENT_TEXT,
      consentVersion: JOIN_CONSENT_VERSION,
      mailingText: JOIN_MAILING_TEXT,
      ...errorViewModel(errors),
    });
  }

  async function apply(req: Request, res: Response) {
    const org = await openOrg(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body[HONEYPOT_FIELD]) return showForm(req, res, 422, [{ field: 'form', message: BOT_REFUSAL }]);
    const stampProblem = join.stamps.problem(body.formStamp);
    if (stampProblem) return showForm(req, res, 422, [{ field: 'form', message: stampProblem }]);
    const form = parseForm(applicationSchema, body);
    if (!form.ok) return showForm(req, res, 422, form.errors);
    await join.createApplication({ ...form.data, organizationInpo: org.inpo }, { ip: clientIp(req) });
    res.redirect(303, `/join/${org.inpo}/sent`);
  }

  async function sentPage(req: Request, res: Response) {
    res.render('join/sent', { title: TITLE, org: await openOrg(req) });
  }

  async function printPage(req: Request, res: Response) {
    const org = await openOrg(req);
    res.render('join/print', { title: `${TITLE}: ${org.name}`, org, url: join.joinUrl(org.inpo) });
  }

  async function qrImage(req: Request, res: Response) {
    const org = await openOrg(req);
    res
      .type('image/svg+xml')
      .set('Cache-Control', 'public, max-age=86400')
      .send(await join.qrSvg(org.inpo));
  }

  async function confirmPage(req: Request, res: Response) {
    const application = await join.byConfirmLink(String(req.params.token));
    res.render('join/confirm', {
      title: TITLE,
      application,
      done: false,
      already: application.status !== 'unconfirmed',
    });
  }

  async function confirm(req: Request, res: Response) {
    const { confirmed, application } = await join.confirm(String(req.params.token));
    res.render('join/confirm', { title: TITLE, application, done: true, already: !confirmed });
  }
}

function applicationIdOf(req: Request): number {
  const id = parseId(String(req.params.applicationId));
  if (id === null) throw new NotFoundError('Заявление не найдено');
  return id;
}

/** `/orgs/{inpo}/applications`: the chair's queue (and, above the ППО, their overdue applications). */
export function joinQueueRoutes({ loaders, services: { join } }: Deps): Router {
  const routes = guardedRouter();
  routes.param('inpo', loaders.organization);
  routes.get('/orgs/:inpo/applications', can('member.edit'), (req, res) => queuePage(req, res));
  routes.get('/orgs/:inpo/applications/:applicationId', can('member.edit'), (req, res) => showApplication(req, res));
  routes.post('/orgs/:inpo/applications/:applicationId/accept', can('member.edit'), (req, res) => accept(req, res));
  routes.post('/orgs/:inpo/applications/:applicationId/reject', can('member.edit'), (req, res) => reject(req, res));
  routes.post('/orgs/:inpo/applications/:applicationId/transfer', can('member.edit'), (req, res) =>
    routeToTransfer(req, res),
  );
  return routes.router;

  async function queuePage(req: Request, res: Response) {
    const org = orgOf(req);
    const after = typeof req.query.after === 'string' ? parseId(req.query.after) : null;
    const page = await join.queue(org, after);
    res.render('join/queue', {
      title: `Заявления о вступлении: ${org.name}`,
      section: 'members',
      org,
      ...page,
      CATEGORY_LABELS,
    });
  }

  async function showApplication(
    req: Request,
    res: Response,
    status = 200,
    extra: { errors?: FieldError[]; duplicates?: Extract<AcceptResult, { accepted: false }>['duplicates'] } = {},
  ) {
    const org = orgOf(req);
    const application = await join.application(auditContextOf(req), org, applicationIdOf(req));
    res.status(status).render('join/application', {
      title: `Заявление ${application.surname} ${application.name}`,
      section: 'members',
      org,
      application,
      values: req.method === 'POST' ? req.body : {},
      duplicates: extra.duplicates,
      elsewhereMessage: MATCH_ELSEWHERE_MESSAGE,
      CATEGORY_LABELS,
      ...errorViewModel(extra.errors ?? []),
    });
  }

  async function accept(req: Request, res: Response) {
    const org = orgOf(req);
    const form = parseForm(acceptSchema, req.body);
    if (!form.ok) throw new ValidationError(form.errors);
    const result = await join.accept(
      principalOf(req),
      auditContextOf(req),
      org,
      applicationIdOf(req),
      form.data.notDuplicate,
    );
    if (!result.accepted) return showApplication(req, res, 409, { duplicates: result.duplicates });
    flash(
      req,
      'success',
      'Заявление принято: карточка создана, билет заказан, приглашение в личный кабинет отправлено',
    );
    res.redirect(303, `/members/${result.memberId}`);
  }

  async function reject(req: Request, res: Response) {
    const org = orgOf(req);
    const id = applicationIdOf(req);
    const form = parseForm(rejectSchema, req.body);
    if (!form.ok) return showApplication(req, res, 422, { errors: form.errors });
    await join.reject(principalOf(req), auditContextOf(req), org, id, form.data.reason);
    flash(req, 'success', 'Заявление отклонено: заявителю отправлено письмо с причиной');
    res.redirect(303, `/orgs/${org.inpo}/applications`);
  }

  async function routeToTransfer(req: Request, res: Response) {
    const org = orgOf(req);
    await join.routeToTransfer(principalOf(req), auditContextOf(req), org, applicationIdOf(req));
    flash(req, 'success', 'Заявление закрыто: заявителю отправлено письмо о переводе из его организации');
    res.redirect(303, `/orgs/${org.inpo}/applications`);
  }
}
