import { Router, type Request, type Response } from 'express';
import { orgFiguresOf, orgOf } from '../access/loaders';
import { can, guardedRouter, mayOnTarget } from '../access/route-guards';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import { ConflictError, ValidationError, type FieldError } from '../http/errors';
import { sendDownload } from '../http/download';
import { askConfirmation, isConfirmed } from '../http/confirmation';
import { flash } from '../http/flash';
import { errorViewModel, parseForm } from '../http/forms';
import { maskEmail, maskPhone } from './contact-masks';
import { principalOf } from '../http/guards';
import { todayIso } from '../shared/dates';
import { formatDate } from '../shared/format';
import { LEFT_REASON_LABELS } from '../membership/membership';
import { XLSX_MIME } from '../shared/spreadsheet';
import { filterOf, filterParams, listQuery, readerOf } from './member-list-query';
import type { HeaderFigures } from '../registry/passport.service';
import { decodeCursor, encodeCursor } from '../shared/cursor';
import { ADMISSION_DRAFT_FIELDS, MEMBER_SORT_CURSORS, admissionSchema, bulkSchema } from './members.schemas';
import { draftRoutes, forgetDraft, withDraft, type DraftForm } from '../drafts/drafts.routes';
import { CARD_STATUS_LABELS } from '../cards/card-statuses';
import { DuplicateFoundError, type BulkAction } from './members.service';
import { MEMBER_DICTIONARIES as DICTIONARIES, MEMBER_FILTER_CHOICES, duplicatesViewModel } from './member-views';

const PAGE_SIZE = 50;
/** Up to this many rows a list downloads at once; a bigger one is prepared as a background job. */
const DIRECT_EXPORT_LIMIT = 20_000;
/** The admission form's server-side draft: one per user and organization. */
const ADMISSION_DRAFT: DraftForm = {
  page: '/orgs/:inpo/members/new',
  key: (req) => `admission:${orgOf(req).id}`,
  fields: ADMISSION_DRAFT_FIELDS,
};

/** An organization's members: the list, its downloads and bulk actions, admission, duplicates and incoming transfers. */
export function memberListRoutes({ db, loaders, services: { members, drafts } }: Deps): Router {
  // the list has its own loader: the organization with its members on record (the unfiltered list's total)
  const list = guardedRouter();
  list.param('inpo', loaders.organizationWithFigures);
  list.get('/orgs/:inpo/members', can('member.view'), (req, res) => showList(req, res));
  const routes = guardedRouter();
  routes.param('inpo', loaders.organization);
  routes.get('/orgs/:inpo/members/export.xlsx', can('member.view'), (req, res) => exportList(req, res, 'xlsx'));
  routes.get('/orgs/:inpo/members/export.csv', can('member.view'), (req, res) => exportList(req, res, 'csv'));
  routes.post('/orgs/:inpo/members/bulk', can('member.edit'), (req, res) => bulk(req, res));
  routes.get('/orgs/:inpo/members/duplicates', can('member.edit'), (req, res) => showDuplicates(req, res));
  routes.get('/orgs/:inpo/members/new', can('member.edit'), (req, res) => showAdmission(req, res));
  routes.post('/orgs/:inpo/members', can('member.edit'), (req, res) => admit(req, res));
  draftRoutes(routes, can('member.edit'), drafts, ADMISSION_DRAFT);
  routes.get('/orgs/:inpo/transfer-requests', can('member.edit'), (req, res) => showRequests(req, res));
  return Router().use(list.router, routes.router);

  /** The current filter as a file; every export leaves an audit row with the filter and the row count. */
  async function exportList(req: Request, res: Response, format: 'xlsx' | 'csv') {
    const org = orgOf(req);
    const filter = filterOf(listQuery.parse(req.query));
    const reader = readerOf(req);
    if ((await members.countUpTo(org, filter, reader, DIRECT_EXPORT_LIMIT)).capped) {
      throw new ConflictError(
        'Список большой: нажмите «Подготовить файл», выгрузка будет готова через несколько минут',
      );
    }
    await sendDownload(db, req, res, {
      type: format === 'xlsx' ? XLSX_MIME : 'text/csv; charset=utf-8',
      fileName: `chleny-profsoyuza-${org.inpo}.${format}`,
      write: (sink) => members.exportList(org, filter, reader, format, sink),
      audit: {
        action: 'member.exported',
        entity: 'organization',
        entityId: org.id,
        organizationId: org.id,
        newValues: { format, filter: { ...filter } },
      },
    });
  }

  async function showList(req: Request, res: Response) {
    const org = orgOf(req);
    const query = listQuery.parse(req.query);
    const filter = filterOf(query);
    const reader = readerOf(req);
    const after = decodeCursor(query.after, MEMBER_SORT_CURSORS[query.sort]);
    // the unfiltered list's total is its members on record, read by the loader with the organization (the
    // counters countMembersUpTo reads for it): the page then sends one statement of its own (issue 15)
    const onRecord = isWholeActiveList(filter)
      ? (orgFiguresOf(req) as HeaderFigures | undefined)?.activeMembers
      : undefined;
    // any other total is counted up to the direct download's limit: past it the page says «более 20 000» (issue 15)
    const [page, found] =
      onRecord === undefined
        ? await members.listCountedUpTo(org, filter, reader, query.sort, after, PAGE_SIZE, DIRECT_EXPORT_LIMIT)
        : [await members.list(org, filter, reader, query.sort, after, PAGE_SIZE), { count: onRecord, capped: false }];
    const params = new URLSearchParams(filterParams(query));
    res.render('members/list', {
      title: `Члены Профсоюза: ${org.name}`,
      section: 'members',
      org,
      query,
      total: found.count,
      totalCapped: found.capped,
      mayEdit: mayOnTarget(req, 'member.edit'),
      items: page.items.map((m) => ({ ...m, phone: maskPhone(m.phone), email: maskEmail(m.email) })),
      exportQuery: params.toString(),
      directExport: !found.capped,
      filterFields: filterParams(query),
      today: todayIso(),
      ...MEMBER_FILTER_CHOICES,
      nextUrl: page.next ? `/orgs/${org.inpo}/members?${params.toString()}&after=${encodeCursor(page.next)}` : null,
      ...DICTIONARIES,
    });
  }

  /** A bulk action on the ticked members or on everyone the list's filter (carried in the form) matches. */
  async function bulk(req: Request, res: Response) {
    const principal = principalOf(req);
    const org = orgOf(req);
    const form = parseForm(bulkSchema, req.body);
    const back = `/orgs/${org.inpo}/members?${new URLSearchParams(filterParams(listQuery.parse(req.body ?? {}))).toString()}`;
    const fail = (errors: { message: string }[]) => {
      flash(req, 'danger', `Массовое действие не выполнено: ${errors.map((e) => e.message).join('; ')}`);
      res.redirect(303, back);
    };
    if (!form.ok) return fail(form.errors);
    const data = form.data;
    const ids =
      data.scope === 'selected'
        ? data.ids
        : await members.idsMatching(org, filterOf(listQuery.parse(req.body ?? {})), readerOf(req));
    const action: BulkAction =
      data.action === 'transfer'
        ? { kind: 'transfer', toInpo: data.toInpo, on: data.on }
        : data.action === 'exit'
          ? { kind: 'exit', reason: data.reason, on: data.on }
          : { kind: 'card', from: data.from, to: data.to, on: data.on };
    if (!isConfirmed(req)) {
      return askConfirmation(
        req,
        res,
        {
          title: 'Подтвердите массовое действие',
          consequence: bulkConsequence(action),
          affected: {
            count: ids.length,
            noun: data.scope === 'selected' ? 'Отмечено членов Профсоюза' : 'Найдено членов Профсоюза',
          },
          confirmLabel: `Подтвердить для ${ids.length}`,
          cancelHref: back,
        },
        { section: 'members', org },
      );
    }
    try {
      const changed = await members.bulk(principal, auditContextOf(req), org, ids, action);
      flash(req, 'success', `Выполнено для ${changed} из ${ids.length}`);
      res.redirect(303, back);
    } catch (err) {
      if (err instanceof ValidationError) return fail(err.fields);
      if (err instanceof ConflictError) return fail([err]);
      throw err;
    }
  }

  function bulkConsequence(action: BulkAction): string {
    if (action.kind === 'exit')
      return `Будет оформлен выход из Профсоюза с ${formatDate(action.on)}, причина: ${LEFT_REASON_LABELS[action.reason].toLowerCase()}.`;
    if (action.kind === 'transfer')
      return `Будет оформлен перевод с ${formatDate(action.on)} в организацию с ИНПО ${action.toInpo}.`;
    return `Состояние ЭПБ «${CARD_STATUS_LABELS[action.from]}» сменится на «${CARD_STATUS_LABELS[action.to]}» с ${formatDate(action.on)}.`;
  }

  async function showRequests(req: Request, res: Response) {
    const org = orgOf(req);
    res.render('members/transfer-requests', {
      title: `Запросы на перевод: ${org.name}`,
      section: 'members',
      org,
      requests: await members.incomingTransfers(org),
    });
  }

  async function showDuplicates(req: Request, res: Response) {
    const org = orgOf(req);
    res.render('members/duplicates', {
      title: `Возможные дубликаты: ${org.name}`,
      section: 'members',
      org,
      groups: await members.duplicateGroups(org),
    });
  }

  async function showAdmission(
    req: Request,
    res: Response,
    status = 200,
    errors: FieldError[] = [],
    duplicates?: DuplicateFoundError,
  ) {
    const org = orgOf(req);
    const initial =
      req.method === 'POST'
        ? req.body
        : { organizationInpo: org.inpo, joinedOn: todayIso(), category: 'working', sex: 'f' };
    res.status(status).render('members/new', {
      title: 'Новый член Профсоюза',
      section: 'members',
      org,
      ...duplicatesViewModel(duplicates),
      ...(await withDraft(req, drafts, ADMISSION_DRAFT, initial)),
      ...errorViewModel(errors),
      ...DICTIONARIES,
    });
  }

  async function admit(req: Request, res: Response) {
    const form = parseForm(admissionSchema, req.body);
    if (!form.ok) return showAdmission(req, res, 422, form.errors);
    try {
      const id = await members.admit(principalOf(req), auditContextOf(req), form.data);
      await forgetDraft(req, drafts, ADMISSION_DRAFT);
      flash(req, 'success', 'Член Профсоюза принят на учёт');
      res.redirect(303, `/members/${id}`);
    } catch (err) {
      if (err instanceof DuplicateFoundError) return showAdmission(req, res, 409, [], err);
      if (err instanceof ValidationError) return showAdmission(req, res, 422, err.fields);
      if (err instanceof ConflictError) return showAdmission(req, res, 409, [{ field: 'form', message: err.message }]);
      throw err;
    }
  }
}

/** The list without a filter: the cards on record, as many as the maintained counters count. */
function isWholeActiveList(filter: ReturnType<typeof filterOf>): boolean {
  return Object.entries(filter).every(([key, value]) => (key === 'status' ? value === 'active' : value === undefined));
}
