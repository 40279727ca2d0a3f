import type { Request, Response, Router } from 'express';
import { orgOf } from '../access/loaders';
import { can, guardedRouter, mayOnTarget, publicRoute } from '../access/route-guards';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import { clientIp } from '../http/client-ip';
import { ValidationError, type FieldError } from '../http/errors';
import { flash } from '../http/flash';
import { errorViewModel, parseForm } from '../http/forms';
import { todayIso } from '../shared/dates';
import { formatDate } from '../shared/format';
import { parseDateInput } from '../shared/fields';
import {
  BODY_LABELS,
  PARTICIPANTS_LABELS,
  QUORUM_RULES,
  STATUS_LABELS,
  cancelSchema,
  closeSchema,
  codeSchema,
  decisionSchema,
  formValuesOf,
  inviteSchema,
  linkEventsSchema,
  manualSchema,
  meetingFormSchema,
  scanSchema,
  withdrawSchema,
} from './meetings.schemas';
import { quorumOf, type MeetingRow, type ScanOutcome } from './meetings.service';

const LABELS = { BODY_LABELS, STATUS_LABELS, PARTICIPANTS_LABELS, QUORUM_RULES };
const meetingUrl = (m: Pick<MeetingRow, 'id' | 'organizationInpo'>) => `/orgs/${m.organizationInpo}/meetings/${m.id}`;
const meetingIdOf = (req: Request) => String(req.params.meetingId);
const quorumUrlOf = (req: Request) => `/orgs/${orgOf(req).inpo}/meetings/${meetingIdOf(req)}/quorum`;
/** The participants' page asked for (`?page=`), the first when absent or not a page number. */
const pageOf = (req: Request) => {
  const n = typeof req.query.page === 'string' && /^\d{1,6}$/.test(req.query.page) ? Number(req.query.page) : 1;
  return Math.max(1, n);
};
/** htmx asks for the fragment it swaps in; a plain form post gets the whole page. */
const fromHtmx = (req: Request) => req.get('HX-Request') === 'true';

/** `/meeting-link/{token}`: a remote participant's personal link, public (before the login wall, app.ts). */
export function meetingLinkRoutes({ services: { meetings } }: Deps): Router {
  const routes = guardedRouter();
  const tokenOf = (req: Request) => String(req.params.token).slice(0, 100);
  const show = async (req: Request, res: Response, status = 200, errors: FieldError[] = []) =>
    res.status(status).render('meetings/remote', {
      title: 'Регистрация на собрании',
      token: tokenOf(req),
      link: await meetings.remoteLink(tokenOf(req)),
      registered: null,
      ...LABELS,
      ...errorViewModel(errors),
    });
  routes.get('/meeting-link/:token', publicRoute, (req, res) => show(req, res));
  routes.post('/meeting-link/:token', publicRoute, async (req, res) => {
    const form = parseForm(codeSchema, req.body);
    if (!form.ok) return show(req, res, 422, form.errors);
    const link = await meetings.remoteLink(tokenOf(req));
    const outcome = await meetings.registerRemote(tokenOf(req), form.data.code, clientIp(req));
    if (!outcome.ok) return show(req, res, 422, [{ field: 'code', message: outcome.message }]);
    res.render('meetings/remote', {
      title: 'Регистрация на собрании',
      token: tokenOf(req),
      link,
      registered: outcome,
      ...LABELS,
      ...errorViewModel([]),
    });
  });
  return routes.router;
}

/**
 * `/orgs/{inpo}/meetings`: meetings of the organization's bodies — whoever reads the members sees them, whoever
 * edits the members (the chair) runs them: opens the registration, scans the cards, records the decisions and
 * closes the meeting with its minutes.
 */
export function meetingsRoutes({ loaders, services: { meetings } }: Deps): Router {
  const routes = guardedRouter();
  routes.param('inpo', loaders.organization);

  routes.get('/orgs/:inpo/meetings', can('member.view'), async (req, res) => {
    const org = orgOf(req);
    const from = typeof req.query.from === 'string' ? parseDateInput(req.query.from) : null;
    const to = typeof req.query.to === 'string' ? parseDateInput(req.query.to) : null;
    const held = from && to ? { from, to } : null;
    res.render('meetings/list', {
      title: `Собрания: ${org.name}`,
      section: 'members',
      org,
      held,
      list: await meetings.list(org, held),
      mayRun: mayOnTarget(req, 'member.edit'),
      meetingUrl,
      ...LABELS,
    });
  });

  routes.get('/orgs/:inpo/meetings/new', can('member.edit'), (req, res) => showNew(req, res));
  routes.post('/orgs/:inpo/meetings', can('member.edit'), async (req, res) => {
    const form = parseForm(meetingFormSchema, req.body);
    if (!form.ok) return showNew(req, res, 422, form.errors);
    let id: number;
    try {
      id = await meetings.create(auditContextOf(req), orgOf(req), form.data);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return showNew(req, res, 422, err.fields);
    }
    flash(req, 'success', 'Собрание назначено');
    res.redirect(303, `/orgs/${orgOf(req).inpo}/meetings/${id}`);
  });

  routes.get('/orgs/:inpo/meetings/:meetingId', can('member.view'), (req, res) => showMeeting(req, res));

  // editing covers rescheduling: a new date or time is told to the participants (meetings.service.ts `update`)
  routes.get('/orgs/:inpo/meetings/:meetingId/edit', can('member.edit'), (req, res) => showEdit(req, res));
  routes.post('/orgs/:inpo/meetings/:meetingId/edit', can('member.edit'), async (req, res) => {
    const form = parseForm(meetingFormSchema, req.body);
    const withdraw = parseForm(withdrawSchema, req.body);
    if (!form.ok || !withdraw.ok)
      return showEdit(req, res, 422, [...(form.ok ? [] : form.errors), ...(withdraw.ok ? [] : withdraw.errors)]);
    let outcome;
    try {
      outcome = await meetings.update(
        auditContextOf(req),
        orgOf(req),
        meetingIdOf(req),
        form.data,
        withdraw.data.withdraw,
      );
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return showEdit(req, res, 422, err.fields);
    }
    flash(
      req,
      'success',
      outcome.rescheduled
        ? `Собрание перенесено; уведомления отправлены участникам: ${outcome.notified}`
        : 'Изменения сохранены',
    );
    if (outcome.withdrawn) flash(req, 'success', `Приглашений отозвано: ${outcome.withdrawn}`);
    res.redirect(303, `/orgs/${orgOf(req).inpo}/meetings/${meetingIdOf(req)}`);
  });
  routes.post('/orgs/:inpo/meetings/:meetingId/cancel', can('member.edit'), async (req, res) => {
    const form = parseForm(cancelSchema, req.body);
    if (!form.ok) return showMeeting(req, res, 422, form.errors);
    const notified = await meetings.cancel(auditContextOf(req), orgOf(req), meetingIdOf(req), form.data.reason);
    flash(req, 'success', `Собрание отменено; уведомления отправлены участникам: ${notified}`);
    res.redirect(303, `/orgs/${orgOf(req).inpo}/meetings/${meetingIdOf(req)}`);
  });

  routes.post('/orgs/:inpo/meetings/:meetingId/invite', can('member.edit'), async (req, res) => {
    const form = parseForm(inviteSchema, req.body);
    if (!form.ok) return showMeeting(req, res, 422, form.errors);
    const { invited, unknown } = await meetings.invite(
      auditContextOf(req),
      orgOf(req),
      meetingIdOf(req),
      form.data.numbers,
    );
    flash(req, 'success', `Приглашено участников: ${invited}`);
    if (unknown.length)
      flash(req, 'warning', `Не найдены среди членов Профсоюза организации билеты: ${unknown.slice(0, 20).join(', ')}`);
    res.redirect(303, `/orgs/${orgOf(req).inpo}/meetings/${meetingIdOf(req)}`);
  });

  routes.post('/orgs/:inpo/meetings/:meetingId/open', can('member.edit'), async (req, res) => {
    await meetings.open(auditContextOf(req), orgOf(req), meetingIdOf(req));
    flash(req, 'success', 'Собрание открыто: идёт регистрация участников');
    res.redirect(303, `/orgs/${orgOf(req).inpo}/meetings/${meetingIdOf(req)}/attendance`);
  });

  // the quorum indicator alone: the registration page refreshes it, so that scans at other entrances show
  routes.get('/orgs/:inpo/meetings/:meetingId/quorum', can('member.view'), async (req, res) => {
    const meeting = await meetings.meetingOf(orgOf(req), meetingIdOf(req));
    res.render('meetings/_quorum', { layout: false, quorum: quorumOf(meeting), pollUrl: req.originalUrl });
  });
  routes.get('/orgs/:inpo/meetings/:meetingId/attendance', can('member.edit'), (req, res) => showAttendance(req, res));
  routes.post('/orgs/:inpo/meetings/:meetingId/attendance', can('member.edit'), async (req, res) => {
    const form = parseForm(scanSchema, req.body);
    const outcome: ScanOutcome | null = form.ok
      ? await meetings.scan(auditContextOf(req), orgOf(req), meetingIdOf(req), form.data.scan)
      : null;
    const errors = form.ok ? [] : form.errors;
    if (fromHtmx(req)) {
      const meeting = await meetings.meetingOf(orgOf(req), meetingIdOf(req));
      const quorum = outcome?.quorum ?? quorumOf(meeting);
      return res
        .status(200)
        .render('meetings/_scan-result', { layout: false, outcome, errors, quorum, pollUrl: quorumUrlOf(req) });
    }
    return showAttendance(req, res, outcome && !outcome.ok ? 422 : errors.length ? 422 : 200, errors, outcome);
  });
  routes.post('/orgs/:inpo/meetings/:meetingId/attendance/manual', can('member.edit'), async (req, res) => {
    const form = parseForm(manualSchema, req.body);
    if (!form.ok) return showAttendance(req, res, 422, form.errors);
    await meetings.registerManually(
      auditContextOf(req),
      orgOf(req),
      meetingIdOf(req),
      form.data.memberId,
      form.data.reason,
    );
    flash(req, 'success', 'Участник зарегистрирован без билета, причина записана');
    res.redirect(303, `/orgs/${orgOf(req).inpo}/meetings/${meetingIdOf(req)}/attendance`);
  });
  routes.post('/orgs/:inpo/meetings/:meetingId/remote-links', can('member.edit'), async (req, res) => {
    const { sent, without } = await meetings.sendRemoteLinks(auditContextOf(req), orgOf(req), meetingIdOf(req));
    flash(req, 'success', `Персональные ссылки с кодом отправлены: ${sent}`);
    if (without)
      flash(req, 'warning', `Без адреса электронной почты участников: ${without} — их регистрируют по билету`);
    res.redirect(303, `/orgs/${orgOf(req).inpo}/meetings/${meetingIdOf(req)}/attendance`);
  });

  routes.post('/orgs/:inpo/meetings/:meetingId/decision', can('member.edit'), async (req, res) => {
    const form = parseForm(decisionSchema, req.body);
    if (!form.ok) return showMeeting(req, res, 422, form.errors);
    try {
      await meetings.decide(auditContextOf(req), orgOf(req), meetingIdOf(req), form.data);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return showMeeting(req, res, 422, err.fields);
    }
    flash(req, 'success', `Решение по вопросу ${form.data.item} записано`);
    res.redirect(303, `/orgs/${orgOf(req).inpo}/meetings/${meetingIdOf(req)}#item-${form.data.item}`);
  });
  routes.post('/orgs/:inpo/meetings/:meetingId/close', can('member.edit'), async (req, res) => {
    const form = parseForm(closeSchema, req.body);
    if (!form.ok) return showMeeting(req, res, 422, form.errors);
    await meetings.close(auditContextOf(req), orgOf(req), meetingIdOf(req), form.data.minutesNumber);
    flash(req, 'success', 'Собрание закрыто, протокол сформирован и приложен');
    res.redirect(303, `/orgs/${orgOf(req).inpo}/meetings/${meetingIdOf(req)}`);
  });
  routes.get('/orgs/:inpo/meetings/:meetingId/minutes.pdf', can('member.view'), async (req, res) => {
    const { meeting, pdf } = await meetings.minutes(orgOf(req), meetingIdOf(req));
    res.type('application/pdf').attachment(`protocol-${meeting.id}.pdf`).send(pdf);
  });
  routes.post('/orgs/:inpo/meetings/:meetingId/membership-events', can('member.edit'), async (req, res) => {
    const form = parseForm(linkEventsSchema, req.body);
    if (!form.ok) return showMeeting(req, res, 422, form.errors);
    const linked = await meetings.linkMembershipEvents(
      auditContextOf(req),
      orgOf(req),
      meetingIdOf(req),
      form.data.events,
    );
    flash(req, 'success', `Связано с протоколом: ${linked}`);
    res.redirect(303, `/orgs/${orgOf(req).inpo}/meetings/${meetingIdOf(req)}`);
  });
  return routes.router;

  function showNew(req: Request, res: Response, status = 200, errors: FieldError[] = []) {
    const org = orgOf(req);
    res.status(status).render('meetings/new', {
      title: `Новое собрание: ${org.name}`,
      section: 'members',
      org,
      values: req.method === 'POST' ? req.body : { heldOn: todayIso(), quorum: 'half', participants: 'members' },
      ...LABELS,
      ...errorViewModel(errors),
    });
  }

  async function showEdit(req: Request, res: Response, status = 200, errors: FieldError[] = []) {
    const org = orgOf(req);
    const meeting = await meetings.meetingOf(org, meetingIdOf(req));
    const { agenda, withdrawable } = await meetings.editView(meeting);
    res.status(status).render('meetings/edit', {
      title: `Изменить собрание: ${BODY_LABELS[meeting.body]} ${formatDate(meeting.heldOn)}`,
      section: 'members',
      org,
      meeting,
      decided: agenda.filter((i) => i.decision !== null),
      withdrawable,
      values: req.method === 'POST' ? req.body : formValuesOf(meeting, agenda),
      ...LABELS,
      ...errorViewModel(errors),
    });
  }

  async function showMeeting(req: Request, res: Response, status = 200, errors: FieldError[] = []) {
    const org = orgOf(req);
    const meeting = await meetings.meetingOf(org, meetingIdOf(req));
    res.status(status).render('meetings/show', {
      title: `${BODY_LABELS[meeting.body]} ${formatDate(meeting.heldOn)}`,
      section: 'members',
      org,
      meeting,
      ...(await meetings.page(meeting, { page: pageOf(req) })),
      mayRun: mayOnTarget(req, 'member.edit'),
      values: req.method === 'POST' ? req.body : {},
      ...LABELS,
      ...errorViewModel(errors),
    });
  }

  async function showAttendance(
    req: Request,
    res: Response,
    status = 200,
    errors: FieldError[] = [],
    outcome: ScanOutcome | null = null,
  ) {
    const org = orgOf(req);
    const meeting = await meetings.meetingOf(org, meetingIdOf(req));
    const search = typeof req.query.q === 'string' ? req.query.q.slice(0, 100) : undefined;
    const page = await meetings.page(meeting, { search });
    res.status(status).render('meetings/attendance', {
      title: `Регистрация участников: ${BODY_LABELS[meeting.body]}`,
      section: 'members',
      org,
      meeting,
      ...page,
      quorum: outcome?.quorum ?? page.quorum,
      pollUrl: meeting.status === 'open' ? quorumUrlOf(req) : null,
      outcome,
      values: req.method === 'POST' && outcome && !outcome.ok ? req.body : {},
      ...LABELS,
      ...errorViewModel(errors),
    });
  }
}
