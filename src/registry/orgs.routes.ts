import { Router, type Request, type Response } from 'express';
import { orgOf } from '../access/loaders';
import { can, guardedRouter } from '../access/route-guards';
import { z } from 'zod';
import type { Deps } from '../deps';
import { ConflictError, NotFoundError, type FieldError } from '../http/errors';
import { errorViewModel } from '../http/forms';
import { seenIn } from '../http/versioned-forms';
import { principalOf } from '../http/guards';
import { idParam } from '../http/params';
import { INT4_MAX } from '../shared/numbers';
import { todayIso } from '../shared/dates';
import { idInput } from '../shared/fields';
import { decodeCursor, encodeCursor } from '../shared/cursor';
import { DICTIONARY_LOCALS, passportForm, renderTab } from './org-pages';
import {
  agreementSchema,
  annexSchema,
  endOfficerSchema,
  generalSchema,
  headcountSchema,
  officerPersonSchema,
  officerSchema,
} from './passport.schemas';
import type { OrgRow } from './org-row';
import {
  endOfficerConfirmation,
  endedPowersText,
  holderReplacedBy,
  replaceHolderConfirmation,
} from './officer-confirmations';
import {
  agreementVersionFields,
  generalSnapshot,
  generalVersionFields,
  headcountVersionFields,
} from './passport-versions';
import { CHILD_SORT_KEYS, ORG_FILTER_KEYS } from './structure.schemas';
import { LEVELS } from './levels';
import { draftRoutes, forgetDraft, withDraft, type DraftForm } from '../drafts/drafts.routes';

const PAGE_SIZE = 50;

/** The general data form's server-side draft, with the version it was typed over (a stale one saves as a 409 merge). */
const GENERAL_DRAFT: DraftForm = {
  page: '/orgs/:inpo/edit',
  key: (req) => `passport-general:${orgOf(req).id}`,
  fields: [...Object.keys(generalSchema.shape), 'version', 'base'],
};

const structureQuery = z.object({
  sort: z.enum(CHILD_SORT_KEYS).catch('name'),
  page: idInput('Номер страницы — целое число', 10_000).catch(1),
});

const officerSearchQuery = z.object({ q: z.string().trim().max(200).optional().catch(undefined) });

const searchQuery = z.object({
  q: z.string().trim().max(200).optional().catch(undefined),
  filter: z.enum(ORG_FILTER_KEYS).optional().catch(undefined),
  level: z.enum(LEVELS).optional().catch(undefined),
  after: z.string().max(1000).optional().catch(undefined),
});

export function orgsRoutes({ loaders, services: { passport, drafts } }: Deps): Router {
  // the passport tabs have their own loader: the organization with its header's figures, in one statement
  const tabs = guardedRouter();
  tabs.param('inpo', loaders.organizationWithFigures);
  const routes = guardedRouter();
  routes.param('inpo', loaders.organization);

  // Passport tabs (read)
  tabs.get('/orgs/:inpo', can('org.view'), (req, res) => renderTab(passport, req, res, 'general', async () => ({})));
  tabs.get('/orgs/:inpo/officers', can('org.view'), (req, res) => showOfficers(req, res));
  tabs.get('/orgs/:inpo/headcount', can('org.view'), (req, res) => showHeadcount(req, res));
  tabs.get('/orgs/:inpo/structure', can('org.view'), (req, res) => showStructure(req, res));
  tabs.get('/orgs/:inpo/agreement', can('org.view'), (req, res) => showAgreement(req, res));
  routes.get('/orgs/:inpo/search', can('org.view'), (req, res) => showSearch(req, res));

  // Passport edits, one form per tab
  routes.get('/orgs/:inpo/edit', can('org.passport.edit'), (req, res) => showGeneralForm(req, res));
  routes.post(
    '/orgs/:inpo/edit',
    can('org.passport.edit'),
    passportForm({
      schema: generalSchema,
      save: (ctx, org, data, req) => passport.updateGeneral(ctx, org, data, todayIso(), seenIn(req.body)),
      rerender: (req, res, errors, status) => showGeneralForm(req, res, errors, status),
      afterSave: (req) => forgetDraft(req, drafts, GENERAL_DRAFT),
      done: (org) => ({ to: `/orgs/${org.inpo}`, message: 'Общие сведения сохранены' }),
    }),
  );
  draftRoutes(routes, can('org.passport.edit'), drafts, GENERAL_DRAFT);
  routes.get('/orgs/:inpo/officers/new', can('org.passport.edit'), (req, res) => showOfficerForm(req, res));
  routes.post(
    '/orgs/:inpo/officers',
    can('org.passport.edit'),
    passportForm({
      schema: officerSchema,
      confirmation: async (_req, org, data) => {
        const holder = holderReplacedBy(await passport.officers(org), data.post);
        return holder && replaceHolderConfirmation(org, holder, data.electedOn);
      },
      save: async (ctx, org, data, req) => {
        const replaced = holderReplacedBy(await passport.officers(org), data.post);
        await passport.addOfficer(ctx, principalOf(req), org, data);
        return replaced && endedPowersText(replaced, data.electedOn, true);
      },
      rerender: (req, res, errors, status) => showOfficerForm(req, res, errors, status),
      done: (org, ended) => ({
        to: `/orgs/${org.inpo}/officers`,
        message: ['Выборное лицо добавлено', ended].filter(Boolean).join('. '),
      }),
    }),
  );
  routes.get('/orgs/:inpo/officers/:officerId/person', can('org.passport.edit'), (req, res) =>
    showOfficerPersonForm(req, res),
  );
  routes.post(
    '/orgs/:inpo/officers/:officerId/person',
    can('org.passport.edit'),
    passportForm({
      schema: officerPersonSchema,
      save: (ctx, org, data, req) => passport.setOfficerPerson(ctx, principalOf(req), org, officerIdOf(req), data),
      rerender: (req, res, errors, status) => showOfficerPersonForm(req, res, errors, status),
      done: (org) => ({ to: `/orgs/${org.inpo}/officers`, message: 'Человек выборного лица указан' }),
    }),
  );
  routes.post(
    '/orgs/:inpo/officers/:officerId/end',
    can('org.passport.edit'),
    passportForm({
      schema: endOfficerSchema,
      confirmation: async (req, org, data) => endOfficerConfirmation(org, await listedOfficer(req, org), data.endedOn),
      save: (ctx, org, data, req) => passport.endOfficer(ctx, org, officerIdOf(req), data.endedOn),
      rerender: (req, res, errors, status) =>
        showOfficers(
          req,
          res,
          errors.map((e) => ({ ...e, field: `endedOn-${officerIdOf(req)}` })),
          status,
        ),
      done: (org) => ({ to: `/orgs/${org.inpo}/officers`, message: 'Полномочия прекращены' }),
    }),
  );
  routes.post(
    '/orgs/:inpo/headcount',
    can('org.passport.edit'),
    passportForm({
      schema: headcountSchema,
      save: (ctx, org, data, req) => passport.saveHeadcount(ctx, org, data, seenIn(req.body, true)),
      rerender: (req, res, errors, status) => showHeadcount(req, res, errors, status),
      done: (org) => ({ to: `/orgs/${org.inpo}/headcount`, message: 'Численность сохранена' }),
    }),
  );
  routes.get('/orgs/:inpo/agreement/edit', can('org.passport.edit'), (req, res) => showAgreementForm(req, res));
  routes.post(
    '/orgs/:inpo/agreement',
    can('org.passport.edit'),
    passportForm({
      schema: agreementSchema,
      save: (ctx, org, data, req) => passport.saveAgreement(ctx, org, data, seenIn(req.body, true)),
      rerender: (req, res, errors, status) => showAgreementForm(req, res, errors, status),
      done: (org) => ({ to: `/orgs/${org.inpo}/agreement`, message: 'Сведения о коллективном договоре сохранены' }),
    }),
  );
  routes.post(
    '/orgs/:inpo/agreement/annexes',
    can('org.passport.edit'),
    passportForm({
      schema: annexSchema,
      save: (ctx, org, data) => passport.addAnnex(ctx, org, data),
      rerender: (req, res, errors, status) => showAgreement(req, res, errors, status),
      done: (org) => ({ to: `/orgs/${org.inpo}/agreement`, message: 'Приложение добавлено' }),
    }),
  );
  return Router().use(tabs.router, routes.router);

  function showOfficers(req: Request, res: Response, errors: FieldError[] = [], status = errors.length ? 422 : 200) {
    return renderTab(
      passport,
      req,
      res,
      'officers',
      async (org) => ({ officers: await passport.officers(org), today: todayIso() }),
      {
        status,
        errors,
        values: req.method === 'POST' ? req.body : {},
      },
    );
  }

  /** The figures by date; the form carries the versions of those listed (a figure not seen is not replaced silently). */
  function showHeadcount(req: Request, res: Response, errors: FieldError[] = [], status = errors.length ? 422 : 200) {
    return renderTab(
      passport,
      req,
      res,
      'headcount',
      async (org) => {
        const headcounts = await passport.headcounts(org);
        return {
          headcounts,
          values: req.method === 'POST' ? req.body : { asOf: todayIso(), ...headcountVersionFields(headcounts) },
        };
      },
      { status, errors },
    );
  }

  function showAgreement(req: Request, res: Response, errors: FieldError[] = [], status = errors.length ? 422 : 200) {
    return renderTab(passport, req, res, 'agreement', (org) => passport.agreement(org), {
      status,
      errors,
      values: req.method === 'POST' ? req.body : {},
    });
  }

  function showStructure(req: Request, res: Response) {
    const query = structureQuery.parse(req.query);
    return renderTab(passport, req, res, 'structure', async (org) => {
      const [{ children, total }, liquidated] = await Promise.all([
        passport.children(org, query.sort, query.page, PAGE_SIZE),
        passport.liquidatedChildren(org),
      ]);
      return {
        children,
        total,
        liquidated,
        sort: query.sort,
        page: query.page,
        pages: Math.max(1, Math.ceil(total / PAGE_SIZE)),
      };
    });
  }

  async function showSearch(req: Request, res: Response) {
    const query = searchQuery.parse(req.query);
    const org = orgOf(req);
    const cursor = decodeCursor(query.after, ['text', 'integer']);
    const after = cursor ? { name: cursor[0] as string, id: cursor[1] as number } : null;
    const searched = Boolean(query.q || query.filter || query.level);
    const criteria = { q: query.q ?? null, filter: query.filter ?? null, level: query.level ?? null, after };
    const result = searched ? await passport.search(org, criteria, PAGE_SIZE) : null;
    res.render('orgs/search', {
      title: `Поиск: ${org.name}`,
      section: 'registry',
      org,
      q: query.q ?? '',
      filter: query.filter ?? '',
      level: query.level ?? '',
      result,
      nextCursor: result?.next ? encodeCursor([result.next.name, result.next.id]) : null,
      ...DICTIONARY_LOCALS,
    });
  }

  async function showGeneralForm(req: Request, res: Response, errors: FieldError[] = [], status?: number) {
    const org = orgOf(req);
    const shown = req.method === 'POST' ? req.body : { ...generalSnapshot(org), ...generalVersionFields(org) };
    const { values, draft } = await withDraft(req, drafts, GENERAL_DRAFT, shown);
    await editPage(req, res, 'orgs/edit-general', 'Общие сведения', errors, () => values, status, { draft });
  }

  /** The form with the cards found by the search (`q`, kept through a re-render after errors). */
  async function showOfficerForm(req: Request, res: Response, errors: FieldError[] = [], status?: number) {
    const q = officerSearchQuery.parse(req.method === 'POST' ? { q: req.body?.q } : req.query).q ?? '';
    const cards = await passport.officerCandidates(principalOf(req), q);
    await editPage(
      req,
      res,
      'orgs/officer-new',
      'Новое выборное лицо',
      errors,
      (org) => ({
        post: org.level === 'group' ? 'group_organizer' : 'chair',
        electedOn: todayIso(),
        personKind: 'member',
      }),
      status,
      { q, cards, searched: q !== '' },
    );
  }

  /** The officer of the URL among the organization's, with the names the person has now. */
  async function listedOfficer(req: Request, org: OrgRow) {
    const officer = (await passport.officers(org)).find((o) => o.id === officerIdOf(req));
    if (!officer) throw new NotFoundError();
    return officer;
  }

  /** The person part of the officer form, for an officer recorded before officers were people (searched by the typed name first). */
  async function showOfficerPersonForm(req: Request, res: Response, errors: FieldError[] = [], status?: number) {
    const org = orgOf(req);
    const officer = await listedOfficer(req, org);
    if (officer.memberId || officer.personId) throw new ConflictError('Человек этого выборного лица уже указан');
    const q =
      officerSearchQuery.parse(req.method === 'POST' ? { q: req.body?.q } : req.query).q ??
      `${officer.surname} ${officer.name}`;
    const initial = {
      personKind: 'member',
      surname: officer.surname,
      name: officer.name,
      patronymic: officer.patronymic,
    };
    await editPage(req, res, 'orgs/officer-person', 'Человек выборного лица', errors, () => initial, status, {
      q,
      cards: await passport.officerCandidates(principalOf(req), q),
      searched: q !== '',
      officer,
    });
  }

  async function showAgreementForm(req: Request, res: Response, errors: FieldError[] = [], status?: number) {
    await editPage(
      req,
      res,
      'orgs/agreement-edit',
      'Коллективный договор',
      errors,
      async (org) => {
        const { agreement } = await passport.agreement(org);
        return { asOf: todayIso(), ...(agreement ?? { status: 'negotiating' }), ...agreementVersionFields(agreement) };
      },
      status,
    );
  }

  async function editPage(
    req: Request,
    res: Response,
    view: string,
    heading: string,
    errors: FieldError[],
    initial: (org: OrgRow) => Record<string, unknown> | Promise<Record<string, unknown>>,
    status = errors.length ? 422 : 200,
    locals: Record<string, unknown> = {},
  ) {
    const org = orgOf(req);
    const values = req.method === 'POST' ? req.body : await initial(org);
    res.status(status).render(view, {
      title: `${heading}: ${org.name}`,
      section: 'registry',
      org,
      heading,
      values,
      ...errorViewModel(errors),
      ...DICTIONARY_LOCALS,
      ...locals,
    });
  }
}

function officerIdOf(req: Request): number {
  return idParam(req, 'officerId', INT4_MAX);
}
