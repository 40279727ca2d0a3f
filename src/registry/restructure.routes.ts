import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import { can } from '../access/access';
import type { Principal } from '../access/principal';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import { ConflictError, ValidationError, type FieldError } from '../http/errors';
import { flash } from '../http/flash';
import { errorViewModel, parseForm } from '../http/forms';
import { principalOf } from '../http/guards';
import { todayIso } from '../shared/dates';
import { listOrgAudit } from './history.repo';
import { ACTION_LABELS } from '../audit/labels';
import { LEVELS, mayContain, type Level } from './levels';
import { DICTIONARY_LOCALS } from './org-pages';
import type { OrgRow } from './orgs.repo';
import { createPassportService } from './passport.service';
import { childSchema, liquidateSchema, mergeSchema, moveSchema } from './restructure.schemas';
import { createRestructureService, type Operation } from './restructure.service';


const OPERATION_TITLES: Record<Operation, string> = { move: 'Перемещение организации', merge: 'Присоединение к другой организации', liquidate: 'Ликвидация организации' };

export function restructureRoutes({ db, eventDates }: Deps): Router {
  const passport = createPassportService(db, eventDates);
  const restructure = createRestructureService(db, eventDates);
  const router = Router();

  router.get('/orgs/:inpo/children/new', (req, res) => showChildForm(req, res));
  router.post('/orgs/:inpo/children', (req, res) => createChild(req, res));
  router.get('/orgs/:inpo/move', (req, res) => showOperation(req, res, 'move'));
  router.post('/orgs/:inpo/move', (req, res) => runOperation(req, res, 'move', moveSchema));
  router.get('/orgs/:inpo/merge', (req, res) => showOperation(req, res, 'merge'));
  router.post('/orgs/:inpo/merge', (req, res) => runOperation(req, res, 'merge', mergeSchema));
  router.get('/orgs/:inpo/liquidate', (req, res) => showOperation(req, res, 'liquidate'));
  router.post('/orgs/:inpo/liquidate', (req, res) => runOperation(req, res, 'liquidate', liquidateSchema));
  router.get('/orgs/:inpo/history', (req, res) => showHistory(req, res));
  return router;

  /** Levels this user may create under `parent`. */
  function creatableLevels(principal: Principal, parent: OrgRow): Level[] {
    return LEVELS.filter((level) => mayContain(parent, level))
      .filter((level) => can(principal, level === 'subdivision' || level === 'group' ? 'org.units.create' : 'org.restructure', parent));
  }

  async function showChildForm(req: Request, res: Response, errors: FieldError[] = []) {
    const principal = principalOf(req);
    const parent = await passport.orgFor(principal, String(req.params.inpo), 'org.units.create');
    const levels = creatableLevels(principal, parent);
    res.status(errors.length ? 422 : 200).render('orgs/child-new', {
      title: 'Новая организация', section: 'registry', org: parent, levels, values: req.method === 'POST' ? req.body : { level: levels[0] },
      ...errorViewModel(errors), ...DICTIONARY_LOCALS,
    });
  }

  async function createChild(req: Request, res: Response) {
    const principal = principalOf(req);
    const parent = await passport.orgFor(principal, String(req.params.inpo), 'org.units.create');
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

  async function showOperation(req: Request, res: Response, operation: Operation, errors: FieldError[] = [], preview?: object, status = errors.length ? 422 : 200) {
    const org = await passport.orgFor(principalOf(req), String(req.params.inpo), 'org.restructure');
    const impact = await restructure.impactOf(org);
    res.status(status).render('orgs/restructure', {
      title: OPERATION_TITLES[operation], section: 'registry', org, operation, heading: OPERATION_TITLES[operation], impact, preview,
      values: req.method === 'POST' ? req.body : { on: todayIso() }, ...errorViewModel(errors), ...DICTIONARY_LOCALS,
    });
  }

  async function runOperation<S extends typeof moveSchema | typeof mergeSchema | typeof liquidateSchema>(req: Request, res: Response, operation: Operation, schema: S) {
    const principal = principalOf(req);
    const org = await passport.orgFor(principal, String(req.params.inpo), 'org.restructure');
    const form = parseForm(schema, req.body);
    if (!form.ok) return showOperation(req, res, operation, form.errors);
    const data = form.data as z.output<typeof moveSchema> & z.output<typeof liquidateSchema>;
    try {
      if (org.liquidatedOn) throw new ValidationError([{ field: 'on', message: 'Организация уже ликвидирована' }]);
      const ctx = auditContextOf(req);
      const target = data.target ? await restructure.targetByInpo(principal, data.target, 'target') : null;
      const transferTo = data.transferTo ? await restructure.targetByInpo(principal, data.transferTo, 'transferTo') : null;
      if (operation === 'move') restructure.checkMove(principal, org, target!);
      if (operation === 'merge') restructure.checkMerge(org, target!);
      if (operation !== 'liquidate') await restructure.checkTreeDate(org, target!, operation, data.on);
      if (operation === 'liquidate') restructure.checkLiquidation(org, await restructure.impactOf(org), transferTo);
      await restructure.checkDate(operation, org, operation === 'liquidate' ? transferTo : target, data.on);
      if (!data.confirm) return showOperation(req, res, operation, [], { target, transferTo, on: data.on });
      if (operation === 'move') await restructure.move(principal, ctx, org, target!, data.on);
      if (operation === 'merge') await restructure.merge(ctx, org, target!, data.on);
      if (operation === 'liquidate') await restructure.liquidate(ctx, org, data.on, transferTo);
    } catch (err) {
      if (err instanceof ValidationError) return showOperation(req, res, operation, err.fields);
      if (err instanceof ConflictError) return showOperation(req, res, operation, [{ field: 'form', message: err.message }], undefined, 409);
      throw err;
    }
    flash(req, 'success', `${OPERATION_TITLES[operation]}: выполнено`);
    res.redirect(303, `/orgs/${org.inpo}`);
  }

  async function showHistory(req: Request, res: Response) {
    const org = await passport.orgFor(principalOf(req), String(req.params.inpo), 'org.passport.edit');
    const entries = await listOrgAudit(db, org.id);
    res.render('orgs/history', { title: `Журнал изменений: ${org.name}`, section: 'registry', org, entries, AUDIT_LABELS: ACTION_LABELS, ...DICTIONARY_LOCALS });
  }
}
