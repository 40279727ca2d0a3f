import type { Request, Response, Router } from 'express';
import { orgOf } from '../access/loaders';
import { can, guardedRouter } from '../access/route-guards';
import { z } from 'zod';
import { mayCreateChild } from '../access/access';
import type { Principal } from '../access/principal';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import { ConflictError, ValidationError, type FieldError } from '../http/errors';
import { flash } from '../http/flash';
import { errorViewModel, parseForm } from '../http/forms';
import { principalOf } from '../http/guards';
import { todayIso } from '../shared/dates';
import { LEVELS, mayContain, type Level } from './levels';
import { DICTIONARY_LOCALS } from './org-pages';
import type { OrgRow } from './org-row';
import { childSchema, liquidateSchema, mergeSchema, moveSchema } from './restructure.schemas';
import type { Operation } from './restructure.service';

const suggestionQuery = z.object({ target: z.string().trim().max(200).catch('').default('') });

const OPERATION_TITLES: Record<Operation, string> = {
  move: 'Перемещение организации',
  merge: 'Присоединение к другой организации',
  liquidate: 'Ликвидация организации',
};

export function restructureRoutes({ loaders, services: { restructure, passport } }: Deps): Router {
  const routes = guardedRouter();
  routes.param('inpo', loaders.organization);

  routes.get('/orgs/:inpo/children/new', can('org.units.create'), (req, res) => showChildForm(req, res));
  routes.post('/orgs/:inpo/children', can('org.units.create'), (req, res) => createChild(req, res));
  routes.get('/orgs/:inpo/move', can('org.restructure'), (req, res) => showOperation(req, res, 'move'));
  routes.post('/orgs/:inpo/move', can('org.restructure'), (req, res) => runOperation(req, res, 'move', moveSchema));
  routes.get('/orgs/:inpo/merge', can('org.restructure'), (req, res) => showOperation(req, res, 'merge'));
  routes.post('/orgs/:inpo/merge', can('org.restructure'), (req, res) => runOperation(req, res, 'merge', mergeSchema));
  routes.get('/orgs/:inpo/move/targets', can('org.restructure'), (req, res) => suggestTargets(req, res, 'move'));
  routes.get('/orgs/:inpo/merge/targets', can('org.restructure'), (req, res) => suggestTargets(req, res, 'merge'));
  routes.get('/orgs/:inpo/liquidate', can('org.restructure'), (req, res) => showOperation(req, res, 'liquidate'));
  routes.post('/orgs/:inpo/liquidate', can('org.restructure'), (req, res) =>
    runOperation(req, res, 'liquidate', liquidateSchema),
  );
  routes.get('/orgs/:inpo/history', can('org.passport.edit'), (req, res) => showHistory(req, res));
  return routes.router;

  /** Levels this user may create under `parent`. */
  function creatableLevels(principal: Principal, parent: OrgRow): Level[] {
    return LEVELS.filter((level) => mayContain(parent, level) && mayCreateChild(principal, parent, level));
  }

  async function showChildForm(req: Request, res: Response, errors: FieldError[] = []) {
    const principal = principalOf(req);
    const parent = orgOf(req);
    const levels = creatableLevels(principal, parent);
    res.status(errors.length ? 422 : 200).render('orgs/child-new', {
      title: 'Новая организация',
      section: 'registry',
      org: parent,
      levels,
      values: req.method === 'POST' ? req.body : { level: levels[0] },
      ...errorViewModel(errors),
      ...DICTIONARY_LOCALS,
    });
  }

  async function createChild(req: Request, res: Response) {
    const principal = principalOf(req);
    const parent = orgOf(req);
    const form = parseForm(childSchema, req.body);
    if (!form.ok) return showChildForm(req, res, form.errors);
    try {
      const created = await restructure.createChild(principal, auditContextOf(req), parent, form.data, todayIso());
      flash(req, 'success', `Организация создана, ИНПО ${created.inpo}`);
      res.redirect(303, `/orgs/${created.inpo}`);
    } catch (err) {
      if (err instanceof ValidationError) return showChildForm(req, res, err.fields);
      throw err;
    }
  }

  async function showOperation(
    req: Request,
    res: Response,
    operation: Operation,
    errors: FieldError[] = [],
    preview?: object,
    status = errors.length ? 422 : 200,
  ) {
    const org = orgOf(req);
    const impact = await restructure.impactOf(org);
    res.status(status).render('orgs/restructure', {
      title: OPERATION_TITLES[operation],
      section: 'registry',
      org,
      operation,
      heading: OPERATION_TITLES[operation],
      impact,
      preview,
      values: req.method === 'POST' ? req.body : { on: todayIso() },
      ...errorViewModel(errors),
      ...DICTIONARY_LOCALS,
    });
  }

  async function runOperation<S extends typeof moveSchema | typeof mergeSchema | typeof liquidateSchema>(
    req: Request,
    res: Response,
    operation: Operation,
    schema: S,
  ) {
    const principal = principalOf(req);
    const org = orgOf(req);
    const form = parseForm(schema, req.body);
    if (!form.ok) return showOperation(req, res, operation, form.errors);
    const data = form.data as z.output<typeof moveSchema> & z.output<typeof liquidateSchema>;
    try {
      if (org.liquidatedOn) throw new ValidationError([{ field: 'on', message: 'Организация уже ликвидирована' }]);
      const ctx = auditContextOf(req);
      const target = data.target ? await restructure.targetByInpo(principal, data.target, 'target') : null;
      const transferTo = data.transferTo
        ? await restructure.targetByInpo(principal, data.transferTo, 'transferTo')
        : null;
      if (operation === 'move') restructure.checkMove(principal, org, target!);
      if (operation === 'merge') restructure.checkMerge(org, target!);
      if (operation !== 'liquidate') await restructure.checkTreeDate(org, target!, operation, data.on);
      if (operation === 'liquidate') restructure.checkLiquidation(org, await restructure.impactOf(org), transferTo);
      await restructure.checkDate(operation, org, operation === 'liquidate' ? transferTo : target, data.on);
      if (!data.confirm) {
        const regionChange = operation === 'liquidate' ? null : await restructure.regionChange(org, target!);
        return showOperation(req, res, operation, [], { target, transferTo, on: data.on, regionChange });
      }
      if (operation === 'move') await restructure.move(principal, ctx, org, target!, data.on);
      if (operation === 'merge') await restructure.merge(ctx, org, target!, data.on);
      if (operation === 'liquidate') await restructure.liquidate(ctx, org, data.on, transferTo);
    } catch (err) {
      if (err instanceof ValidationError) return showOperation(req, res, operation, err.fields);
      if (err instanceof ConflictError)
        return showOperation(req, res, operation, [{ field: 'form', message: err.message }], undefined, 409);
      throw err;
    }
    flash(req, 'success', `${OPERATION_TITLES[operation]}: выполнено`);
    res.redirect(303, `/orgs/${org.inpo}`);
  }

  /**
   * The picker's suggestions for the typed name or ИНПО (the field's own value, as htmx sends it): an HTML
   * fragment of buttons that put an ИНПО into the field; too short a query suggests nothing.
   */
  async function suggestTargets(req: Request, res: Response, operation: 'move' | 'merge') {
    const { target: q } = suggestionQuery.parse(req.query);
    const suggestions =
      q.length >= 2 ? await restructure.targetSuggestions(principalOf(req), orgOf(req), operation, q) : [];
    res.render('orgs/target-suggestions', { layout: false, suggestions, searched: q.length >= 2, field: 'target' });
  }

  async function showHistory(req: Request, res: Response) {
    const org = orgOf(req);
    const entries = await passport.journal(principalOf(req), org);
    res.render('orgs/history', {
      title: `Журнал изменений: ${org.name}`,
      section: 'registry',
      org,
      entries,
      ...DICTIONARY_LOCALS,
    });
  }
}
