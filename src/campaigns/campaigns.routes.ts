import type { Request, Response, Router } from 'express';
import type { z } from 'zod';
import { orgOf } from '../access/loaders';
import { can, guardedRouter, mayOnTarget } from '../access/route-guards';
import { roleMay } from '../access/roles';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import { NotFoundError, ValidationError, type FieldError } from '../http/errors';
import { flash } from '../http/flash';
import { errorViewModel, parseForm } from '../http/forms';
import { principalOf } from '../http/guards';
import { idParam } from '../http/params';
import { LEVEL_LABELS, LEVELS } from '../registry/levels';
import type { OrgRow } from '../registry/org-row';
import { OFFICER_POST_LABELS } from '../registry/officer-posts';
import { todayIso } from '../shared/dates';
import { formatPercent } from '../shared/format';
import {
  BODY_KIND_LABELS,
  BODY_KINDS,
  CAMPAIGN_LEVELS,
  ELECTED_POSTS,
  TASK_STATE_LABELS,
  TASK_STATES,
  TASK_LIST_LIMIT,
  campaignForm,
  levelsInScopeOf,
  postponeForm,
  progressQuery,
  resultForm,
} from './campaigns.schemas';
import { MAX_TERM_YEARS, ruleField } from './term-rules.service';

const VIEW = {
  section: 'registry',
  LEVEL_LABELS,
  TASK_STATES,
  TASK_STATE_LABELS,
  BODY_KINDS,
  BODY_KIND_LABELS,
  CAMPAIGN_LEVELS,
  share: (part: number, whole: number) => (whole ? formatPercent((100 * part) / whole) : '—'),
};

/** The date a progress page counts on: `?on=` when given and valid, else today. */
const dateOf = (req: Request) => progressQuery.parse(req.query).on ?? todayIso();

/**
 * `/orgs/{inpo}/campaigns`: report-and-election campaigns (issue 21, item 2). The union's administrator or a
 * region's coordinator declares one for the levels below; each organization in scope records its result (or a
 * postponement) on its task page; the campaign's page, opened at any organization of the subtree, shows the
 * progress per child and per level on a date. `/admin/term-rules`: the terms of office per level and post.
 */
export function campaignsRoutes({ loaders, services: { campaigns, passport, termRules } }: Deps): Router {
  const routes = guardedRouter();
  routes.param('inpo', loaders.organization);
  routes.get('/orgs/:inpo/campaigns', can('campaign.view'), list);
  routes.get('/orgs/:inpo/campaigns/new', can('campaign.manage'), (req, res) => declareForm(req, res, 200, []));
  routes.post('/orgs/:inpo/campaigns', can('campaign.manage'), declare);
  routes.get('/orgs/:inpo/campaigns/:campaignId', can('campaign.view'), show);
  routes.get('/orgs/:inpo/campaigns/:campaignId/tasks', can('campaign.view'), tasks);
  routes.get('/orgs/:inpo/campaigns/:campaignId/task', can('campaign.view'), (req, res) => taskPage(req, res, 200, []));
  routes.post(
    '/orgs/:inpo/campaigns/:campaignId/result',
    can('campaign.record'),
    taskForm(
      resultForm,
      (req, org, id, data) => campaigns.recordResult(auditContextOf(req), principalOf(req), org, id, data),
      'Итоги внесены: председатель избран, полномочия прежнего прекращены датой собрания',
    ),
  );
  routes.post(
    '/orgs/:inpo/campaigns/:campaignId/postpone',
    can('campaign.record'),
    taskForm(
      postponeForm,
      (req, org, id, data) => campaigns.postpone(auditContextOf(req), org, id, data),
      'Перенос внесён',
    ),
  );
  routes.use('/admin/term-rules', loaders.union);
  routes.get('/admin/term-rules', can('reference.manage'), (req, res) => rulesPage(req, res, 200, []));
  routes.post('/admin/term-rules', can('reference.manage'), saveRules);
  return routes.router;

  async function list(req: Request, res: Response) {
    const org = orgOf(req);
    const [declared, own] = await Promise.all([campaigns.list(org), campaigns.tasksOf(org)]);
    res.render('campaigns/list', {
      ...VIEW,
      title: `Отчёты и выборы: ${org.name}`,
      org,
      declared,
      own,
      mayDeclare: campaigns.mayDeclareAt(org) && mayOnTarget(req, 'campaign.manage'),
      // the term rules are the union's: their page is offered to whoever keeps the union's reference lists
      mayKeepRules: principalOf(req).grants.some(
        (g) => g.organizationLevel === 'union' && roleMay(g.role, 'reference.manage'),
      ),
    });
  }

  async function declareForm(req: Request, res: Response, status: number, errors: FieldError[]) {
    const org = orgOf(req);
    if (!campaigns.mayDeclareAt(org)) throw new NotFoundError();
    res.status(status).render('campaigns/new', {
      ...VIEW,
      title: `Новая отчётно-выборная кампания: ${org.name}`,
      org,
      levels: levelsInScopeOf(org.level),
      values:
        req.method === 'POST'
          ? { ...req.body, levels: ([] as unknown[]).concat(req.body?.levels ?? []) }
          : { levels: ['primary'], startsOn: todayIso() },
      ...errorViewModel(errors),
    });
  }

  async function declare(req: Request, res: Response) {
    const org = orgOf(req);
    if (!campaigns.mayDeclareAt(org)) throw new NotFoundError();
    const form = parseForm(campaignForm, req.body);
    if (!form.ok) return declareForm(req, res, 422, form.errors);
    try {
      const { id, tasks } = await campaigns.declare(org, principalOf(req), auditContextOf(req), form.data);
      flash(req, 'success', `Кампания объявлена: организаций в ней ${tasks}`);
      res.redirect(303, `/orgs/${org.inpo}/campaigns/${id}`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return declareForm(req, res, 422, err.fields);
    }
  }

  async function show(req: Request, res: Response) {
    const org = orgOf(req);
    const campaign = await campaigns.visible(org, idParam(req, 'campaignId'));
    const on = dateOf(req);
    res.render('campaigns/show', {
      ...VIEW,
      title: `Кампания: ${campaign.name}`,
      org,
      campaign,
      on,
      ...(await campaigns.progress(org, campaign, on)),
    });
  }

  async function tasks(req: Request, res: Response) {
    const org = orgOf(req);
    const campaign = await campaigns.visible(org, idParam(req, 'campaignId'));
    const { state, level } = progressQuery.parse(req.query);
    const on = dateOf(req);
    res.render('campaigns/tasks', {
      ...VIEW,
      title: `Кампания: ${campaign.name}`,
      org,
      campaign,
      on,
      state: state ?? null,
      level: level ?? null,
      rows: await campaigns.tasks(org, campaign, on, { state, level }),
      limit: TASK_LIST_LIMIT,
    });
  }

  async function taskPage(req: Request, res: Response, status: number, errors: FieldError[]) {
    const org = orgOf(req);
    const { campaign, task } = await campaigns.taskOf(org, idParam(req, 'campaignId'));
    const q = progressQuery.parse(req.method === 'POST' ? { q: req.body?.q } : req.query).q ?? '';
    const mayRecord = mayOnTarget(req, 'campaign.record');
    const cards = mayRecord && q ? await passport.officerCandidates(principalOf(req), q) : [];
    res.status(status).render('campaigns/task', {
      ...VIEW,
      title: `Отчёты и выборы: ${org.name}`,
      org,
      campaign,
      task,
      officers: (await passport.officers(org)).filter((o) => !o.endedOn && o.post === 'chair'),
      OFFICER_POST_LABELS,
      mayRecord,
      q,
      cards,
      searched: q !== '',
      values:
        req.method === 'POST'
          ? { ...req.body, committeeIds: ([] as unknown[]).concat(req.body?.committeeIds ?? []).map(String) }
          : { personKind: 'member', bodyKind: org.level === 'primary' ? 'meeting' : 'conference', committeeIds: [] },
      ...errorViewModel(errors),
    });
  }

  /**
   * A form of the task page: the organization's task must exist (404 before any parsing), a bad field is shown next
   * to it on the task page, a saved one redirects back to it with its message.
   */
  function taskForm<S extends z.ZodType>(
    schema: S,
    save: (req: Request, org: OrgRow, id: number, data: z.output<S>) => Promise<void>,
    message: string,
  ) {
    return async (req: Request, res: Response) => {
      const org = orgOf(req);
      const id = idParam(req, 'campaignId');
      await campaigns.taskOf(org, id);
      const form = parseForm(schema, req.body);
      if (!form.ok) return taskPage(req, res, 422, form.errors);
      try {
        await save(req, org, id, form.data);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        return taskPage(req, res, 422, err.fields);
      }
      flash(req, 'success', message);
      res.redirect(303, `/orgs/${org.inpo}/campaigns/${id}/task`);
    };
  }

  async function rulesPage(req: Request, res: Response, status: number, errors: FieldError[]) {
    const rules = await termRules.list();
    const stored = Object.fromEntries(rules.map((r) => [ruleField(r.level, r.post), r.years ?? '']));
    res.status(status).render('campaigns/term-rules', {
      title: 'Сроки полномочий',
      section: 'forms',
      LEVELS,
      LEVEL_LABELS,
      ELECTED_POSTS,
      OFFICER_POST_LABELS,
      MAX_TERM_YEARS,
      ruleField,
      values: req.method === 'POST' ? req.body : stored,
      ...errorViewModel(errors),
    });
  }

  async function saveRules(req: Request, res: Response) {
    try {
      const { changed, moved } = await termRules.save(auditContextOf(req), req.body ?? {});
      flash(req, 'success', `Сроки сохранены: изменено правил ${changed}, пересчитано сроков полномочий ${moved}`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return rulesPage(req, res, 422, err.fields);
    }
    res.redirect(303, '/admin/term-rules');
  }
}
