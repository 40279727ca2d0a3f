import type { Request, Response } from 'express';
import { ancestorsOf, orgOf, orgFiguresOf } from '../access/loaders';
import { auditContextOf } from '../audit/audit';
import { ConflictError, ValidationError, type FieldError } from '../http/errors';
import { askConfirmation, isConfirmed, type Confirmation } from '../http/confirmation';
import { flash } from '../http/flash';
import { errorViewModel, parseForm } from '../http/forms';
import { StaleEditError, mergeStale } from '../http/versioned-forms';
import { principalOf } from '../http/guards';
import { formatDate, formatNumber } from '../shared/format';
import { EMPLOYER_KIND_LABELS, EMPLOYER_KINDS, LEVEL_LABELS, PRIMARY_FORMS, PRIMARY_FORM_LABELS } from './levels';
import type { OrgRow } from './orgs.repo';
import type { HeaderFigures } from './passport.repo';
import { AGREEMENT_STATUS_LABELS, AGREEMENT_STATUSES } from './passport.schemas';
import { OFFICER_POST_LABELS, OFFICER_POSTS } from './officer-posts';
import type { PassportService } from './passport.service';
import type { z } from 'zod';

export const PASSPORT_TABS = [
  { key: 'general', label: 'Общие сведения', suffix: '' },
  { key: 'officers', label: 'Председатель и выборные', suffix: '/officers' },
  { key: 'headcount', label: 'Численность', suffix: '/headcount' },
  { key: 'structure', label: 'Структура', suffix: '/structure' },
  { key: 'agreement', label: 'Коллективный договор', suffix: '/agreement' },
] as const;
export type TabKey = (typeof PASSPORT_TABS)[number]['key'];

const DICTIONARIES = {
  LEVEL_LABELS,
  EMPLOYER_KIND_LABELS,
  EMPLOYER_KINDS,
  PRIMARY_FORMS,
  PRIMARY_FORM_LABELS,
  OFFICER_POST_LABELS,
  OFFICER_POSTS,
  AGREEMENT_STATUS_LABELS,
  AGREEMENT_STATUSES,
  PASSPORT_TABS,
};

/** Renders one passport tab: the common header (breadcrumbs, completeness, tabs) plus the tab's own data. */
export async function renderTab(
  passport: PassportService,
  req: Request,
  res: Response,
  tab: TabKey,
  content: (org: OrgRow) => Promise<Record<string, unknown>>,
  extra: { status?: number; errors?: FieldError[]; values?: Record<string, unknown> } = {},
) {
  const org = orgOf(req);
  const figures = orgFiguresOf(req) as HeaderFigures | undefined;
  const [header, data] = await Promise.all([
    passport.header(principalOf(req), org, ancestorsOf(req), figures),
    content(org),
  ]);
  const errorView = errorViewModel(extra.errors ?? []);
  res.status(extra.status ?? 200).render(`orgs/${tab}`, {
    title: org.name,
    section: 'registry',
    tab,
    values: extra.values ?? {},
    ...errorView,
    ...DICTIONARIES,
    ...header,
    ...data,
    // the common header's own parameters, for partial() (src/http/setup/views.ts): not the page's ~60 names
    orgHeader: {
      ...header,
      tab,
      errorList: errorView.errorList,
      LEVEL_LABELS,
      PASSPORT_TABS,
      formatDate,
      formatNumber,
    },
  });
}

/**
 * A passport form's POST (the route's `can(...)` has checked the action): parse with zod, save, and either
 * redirect with a flash (303) or re-render the page with 422 and the messages next to the fields — or
 * with 409 when another user changed the row meanwhile (the form then shows their change merged in).
 */
export function passportForm<S extends z.ZodType, R = unknown>(options: {
  schema: S;
  save: (ctx: ReturnType<typeof auditContextOf>, org: OrgRow, data: z.output<S>, req: Request) => Promise<R>;
  rerender: (req: Request, res: Response, errors: FieldError[], status?: number) => Promise<void>;
  /** `saved` is what `save` returned (e.g. whose powers the save ended), for the message. */
  done: (org: OrgRow, saved: R) => { to: string; message: string };
  /** A save with side effects the person must see first: a Confirmation makes it wait for confirmed=1. */
  confirmation?: (req: Request, org: OrgRow, data: z.output<S>) => Promise<Confirmation | undefined>;
  /** After a successful save, before the redirect (the form's draft is done with). */
  afterSave?: (req: Request) => Promise<void>;
}) {
  return async (req: Request, res: Response) => {
    const org = orgOf(req);
    if (org.liquidatedOn)
      throw new ValidationError([
        { field: 'form', message: 'Организация ликвидирована: паспорт доступен только для чтения' },
      ]);
    const form = parseForm(options.schema, req.body);
    if (!form.ok) return options.rerender(req, res, form.errors);
    if (options.confirmation && !isConfirmed(req)) {
      const confirmation = await options.confirmation(req, org, form.data);
      if (confirmation) return askConfirmation(req, res, confirmation, { section: 'registry', org });
    }
    let saved: R;
    try {
      saved = await options.save(auditContextOf(req), org, form.data, req);
    } catch (err) {
      if (err instanceof ValidationError) return options.rerender(req, res, err.fields);
      if (!(err instanceof ConflictError)) throw err;
      // the form is shown again from the submitted values: after a stale save, with the other user's change taken in
      if (err instanceof StaleEditError) req.body = mergeStale(req.body, err);
      return options.rerender(req, res, [{ field: 'form', message: err.message }], 409);
    }
    await options.afterSave?.(req);
    const { to, message } = options.done(org, saved);
    flash(req, 'success', message);
    res.redirect(303, to);
  };
}

export const DICTIONARY_LOCALS = DICTIONARIES;
