import { Router, type Request, type Response } from 'express';
import { memberOf, orgOf } from '../access/loaders';
import { can, guardedRouter, signedIn } from '../access/route-guards';
import { z } from 'zod';
import { auditContextOf } from '../audit/audit';
import { exportMembers } from './member-export';
import { duplicateGroups } from './duplicates';
import type { Deps } from '../deps';
import { ConflictError, ValidationError, type FieldError } from '../http/errors';
import { sendDownload } from '../http/download';
import { flash } from '../http/flash';
import { errorViewModel, parseForm } from '../http/forms';
import { StaleEditError, mergeStale, seenIn, type Seen } from '../http/versioned-forms';
import { memberVersionFields } from './member-versions';
import { maskEmail, maskPhone } from './contact-masks';
import { principalOf, safeLocalPath } from '../http/guards';
import { idParam } from '../http/params';
import { decideRequest, incomingRequests, pendingRequestOf } from './transfer-requests';
import { todayIso } from '../shared/dates';
import { XLSX_MIME } from '../shared/spreadsheet';
import { CATEGORIES, CATEGORY_LABELS, LEFT_REASONS, LEFT_REASON_LABELS } from '../membership/membership';
import { MEMBER_SORT_CURSORS, countMembers, electedPostsOf, filteredMembers, listMembers } from './members.repo';
import { AGE_BANDS, TENURE_BANDS, filterOf, filterParams, listQuery, readerOf } from './member-list-query';
import { decodeCursor, encodeCursor } from '../shared/cursor';
import { OFFICER_POST_LABELS } from '../registry/passport.repo';
import { admissionSchema, bulkSchema, decisionSchema, mergeSchema, readmitSchema, cardMoveSchema, cardRequestSchema, categorySchema, personSchema, exitSchema, transferSchema } from './members.schemas';
import { CARD_STATUSES, CARD_STATUS_LABELS, LIVE_STATUSES, NEXT_STATUSES } from '../cards/card-statuses';
import { EMPLOYER_KINDS, EMPLOYER_KIND_LABELS } from '../registry/levels';
import { cardsOfMember } from '../cards/cards.service';
import { CHANNEL_LABELS, CONSENT_KIND_LABELS, SOURCE_LABELS, consentSchema, consentsOfMember, giveConsent, withdrawConsent, withdrawSchema } from './consents';
import { DuplicateFoundError, type BulkAction } from './members.service';
import { MATCH_ELSEWHERE_MESSAGE } from './duplicate-guard';

const PAGE_SIZE = 50;
/** Up to this many rows a list downloads at once; a bigger one is prepared as a background job. */
const DIRECT_EXPORT_LIMIT = 20_000;
const DICTIONARIES = { CATEGORIES, CATEGORY_LABELS, LEFT_REASONS, LEFT_REASON_LABELS };

/** The duplicate warning of the admission and card forms: the cards the user may open, and whether one elsewhere matched. */
function duplicatesViewModel(found?: DuplicateFoundError) {
  return { duplicates: found?.candidates ?? [], duplicateElsewhere: found?.elsewhere ?? false, duplicateFound: !!found, MATCH_ELSEWHERE_MESSAGE };
}

export function membersRoutes({ db, eventDates, loaders, services: { members, cards } }: Deps): Router {
  const routes = guardedRouter();
  routes.param('inpo', loaders.organization);
  routes.param('id', loaders.member);
  // a transfer request's id is not a card's: its route lives beside, without the card loader
  const requests = guardedRouter();

  routes.get('/orgs/:inpo/members', can('member.view'), (req, res) => showList(req, res));
  routes.get('/orgs/:inpo/members/export.xlsx', can('member.view'), (req, res) => exportList(req, res, 'xlsx'));
  routes.get('/orgs/:inpo/members/export.csv', can('member.view'), (req, res) => exportList(req, res, 'csv'));
  routes.post('/orgs/:inpo/members/bulk', can('member.edit'), (req, res) => bulk(req, res));
  routes.get('/orgs/:inpo/members/duplicates', can('member.edit'), (req, res) => showDuplicates(req, res));
  routes.get('/orgs/:inpo/members/new', can('member.edit'), (req, res) => showAdmission(req, res));
  routes.post('/orgs/:inpo/members', can('member.edit'), (req, res) => admit(req, res));
  routes.get('/members/:id', can('member.view'), (req, res) => showCard(req, res));
  routes.get('/members/:id/edit', can('member.edit'), (req, res) => showEdit(req, res));
  routes.post('/members/:id/edit', can('member.edit'), (req, res) => saveCard(req, res));
  routes.post('/members/:id/transfer', can('member.edit'), (req, res) => memberEvent(req, res, 'transfer', transferSchema, async (p, c, id, d, seen) => {
    if ((await members.transfer(p, c, id, d, seen)) === 'requested') return 'Организация вне вашей структуры: ей отправлен запрос, перевод произойдёт, когда его примут';
  }, 'Перевод выполнен', true));
  routes.get('/orgs/:inpo/transfer-requests', can('member.edit'), (req, res) => showRequests(req, res));
  requests.post('/transfer-requests/:id/decide', signedIn, (req, res) => decide(req, res));
  routes.post('/members/:id/exit', can('member.edit'), (req, res) => memberEvent(req, res, 'exit', exitSchema, (p, c, id, d, seen) => members.exit(p, c, id, d, seen), 'Выход из Профсоюза оформлен', true));
  routes.post('/members/:id/cards', can('member.edit'), (req, res) => memberEvent(req, res, 'card', cardRequestSchema, async (p, c, id, d) => void (await cards.request(p, c, id, d.kind, d.on)), 'Заявка на карту оформлена'));
  routes.post('/members/:id/cards/move', can('member.edit'), (req, res) => memberEvent(req, res, 'cardmove', cardMoveSchema, (p, c, id, d) => cards.move(p, c, id, d.cardId, d.to, d.on, d.reason), 'Состояние карты изменено'));
  routes.post('/members/:id/consents', can('member.edit'), (req, res) => memberEvent(req, res, 'consent', consentSchema, (_p, c, id, d) => giveConsent(db, c, id, d, eventDates), 'Согласие зарегистрировано'));
  routes.post('/members/:id/consents/withdraw', can('member.edit'), (req, res) => memberEvent(req, res, 'withdraw', withdrawSchema, (_p, c, _id, d) => withdrawConsent(db, c, memberOf(req), d.consentId, d.on, eventDates), 'Согласие отозвано'));
  routes.post('/members/:id/readmit', can('member.edit'), (req, res) => memberEvent(req, res, 'readmit', readmitSchema, (p, c, id, d, seen) => members.readmit(p, c, id, d, seen), 'Повторный приём оформлен', true));
  routes.post('/members/:id/merge', can('member.edit'), (req, res) => merge(req, res));
  routes.post('/members/:id/category', can('member.edit'), (req, res) => memberEvent(req, res, 'category', categorySchema, (p, c, id, d, seen) => members.changeCategory(p, c, id, d, seen), 'Категория изменена', true));
  return Router().use(routes.router, requests.router);

  /** The current filter as a file; every export leaves an audit row with the filter and the row count. */
  async function exportList(req: Request, res: Response, format: 'xlsx' | 'csv') {
    const org = orgOf(req);
    const filter = filterOf(listQuery.parse(req.query));
    const reader = readerOf(req);
    if ((await countMembers(db, org, filter, reader)) > DIRECT_EXPORT_LIMIT) {
      throw new ConflictError('Список большой: нажмите «Подготовить файл», выгрузка будет готова через несколько минут');
    }
    await sendDownload(db, req, res, {
      type: format === 'xlsx' ? XLSX_MIME : 'text/csv; charset=utf-8', fileName: `chleny-profsoyuza-${org.inpo}.${format}`,
      write: (sink) => exportMembers(db, org, filter, reader, format, sink),
      audit: { action: 'member.exported', entity: 'organization', entityId: org.id, organizationId: org.id, newValues: { format, filter: { ...filter } } },
    });
  }

  async function showList(req: Request, res: Response) {
    const org = orgOf(req);
    const query = listQuery.parse(req.query);
    const filter = filterOf(query);
    const reader = readerOf(req);
    const [page, total] = await Promise.all([
      listMembers(db, org, filter, reader, query.sort, decodeCursor(query.after, MEMBER_SORT_CURSORS[query.sort]), PAGE_SIZE), countMembers(db, org, filter, reader),
    ]);
    const params = new URLSearchParams(filterParams(query));
    res.render('members/list', {
      title: `Члены Профсоюза: ${org.name}`, section: 'members', org, query, total, items: page.items.map((m) => ({ ...m, phone: maskPhone(m.phone), email: maskEmail(m.email) })),
      exportQuery: params.toString(), directExport: total <= DIRECT_EXPORT_LIMIT, filterFields: filterParams(query), today: todayIso(), AGE_BANDS, TENURE_BANDS, CARD_STATUSES, CARD_STATUS_LABELS, EMPLOYER_KINDS, EMPLOYER_KIND_LABELS,
      nextUrl: page.next ? `/orgs/${org.inpo}/members?${params.toString()}&after=${encodeCursor(page.next)}` : null, ...DICTIONARIES,
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
    const ids = data.scope === 'selected' ? data.ids : (await filteredMembers(db, org, filterOf(listQuery.parse(req.body ?? {})), readerOf(req)).clearSelect().pluck('m.id')).map(Number);
    const action: BulkAction = data.action === 'transfer' ? { kind: 'transfer', toInpo: data.toInpo, on: data.on }
      : data.action === 'exit' ? { kind: 'exit', reason: data.reason, on: data.on } : { kind: 'card', from: data.from, to: data.to, on: data.on };
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

  async function showRequests(req: Request, res: Response) {
    const org = orgOf(req);
    res.render('members/transfer-requests', { title: `Запросы на перевод: ${org.name}`, section: 'members', org, requests: await incomingRequests(db, org.path) });
  }

  async function decide(req: Request, res: Response) {
    const form = parseForm(decisionSchema, req.body);
    if (!form.ok) throw new ValidationError(form.errors);
    await decideRequest(db, principalOf(req), auditContextOf(req), idParam(req), form.data.decision === 'accept', form.data.reason, eventDates);
    flash(req, 'success', form.data.decision === 'accept' ? 'Перевод принят' : 'В переводе отказано');
    res.redirect(303, safeLocalPath(form.data.back, '/'));
  }

  async function showDuplicates(req: Request, res: Response) {
    const org = orgOf(req);
    res.render('members/duplicates', { title: `Возможные дубликаты: ${org.name}`, section: 'members', org, groups: await duplicateGroups(db, org.path) });
  }

  /** Merges the card named in the form into the card of the URL; both must be the user's to edit. */
  async function merge(req: Request, res: Response) {
    const principal = principalOf(req);
    const survivor = memberOf(req);
    const form = parseForm(mergeSchema, req.body);
    if (!form.ok) throw new ValidationError(form.errors);
    await members.merge(principal, auditContextOf(req), survivor, form.data.duplicateId);
    flash(req, 'success', 'Карточки объединены: история сохранена');
    res.redirect(303, `/members/${survivor.id}`);
  }

  async function showAdmission(req: Request, res: Response, status = 200, errors: FieldError[] = [], duplicates?: DuplicateFoundError) {
    const org = orgOf(req);
    res.status(status).render('members/new', {
      title: 'Новый член Профсоюза', section: 'members', org, ...duplicatesViewModel(duplicates),
      values: req.method === 'POST' ? req.body : { organizationInpo: org.inpo, joinedOn: todayIso(), category: 'working', sex: 'f' },
      ...errorViewModel(errors), ...DICTIONARIES,
    });
  }

  async function admit(req: Request, res: Response) {
    const form = parseForm(admissionSchema, req.body);
    if (!form.ok) return showAdmission(req, res, 422, form.errors);
    try {
      const id = await members.admit(principalOf(req), auditContextOf(req), form.data);
      flash(req, 'success', 'Член Профсоюза принят на учёт');
      res.redirect(303, `/members/${id}`);
    } catch (err) {
      if (err instanceof DuplicateFoundError) return showAdmission(req, res, 409, [], err);
      if (err instanceof ValidationError) return showAdmission(req, res, 422, err.fields);
      if (err instanceof ConflictError) return showAdmission(req, res, 409, [{ field: 'form', message: err.message }]);
      throw err;
    }
  }

  async function showCard(req: Request, res: Response, status = 200, errors: FieldError[] = []) {
    const card = await members.card(principalOf(req), auditContextOf(req), memberOf(req));
    const id = card.member.id;
    const [cards, pendingTransfer, consents, posts] = await Promise.all([
      cardsOfMember(db, id), pendingRequestOf(db, id), consentsOfMember(db, id), electedPostsOf(db, id),
    ]);
    res.status(status).render('members/card', {
      title: `${card.member.surname} ${card.member.name}`, section: 'members', ...card, cards, pendingTransfer, consents, posts, today: todayIso(), versionFields: memberVersionFields(card.member),
      OFFICER_POST_LABELS, CONSENT_KIND_LABELS, CHANNEL_LABELS, SOURCE_LABELS, CARD_STATUS_LABELS, NEXT_STATUSES, LIVE_STATUSES,
      values: req.method === 'POST' ? req.body : {}, ...errorViewModel(errors), ...DICTIONARIES,
    });
  }

  /** The card's form: from the card (with its version), the submitted values (422), or those merged with another user's change (409). */
  async function showEdit(req: Request, res: Response, status = 200, errors: FieldError[] = [], values?: Record<string, unknown>, duplicates?: DuplicateFoundError) {
    const member = await members.cardForEdit(auditContextOf(req), memberOf(req));
    const shown = values ?? (req.method === 'POST' ? req.body : { ...member, ...memberVersionFields(member) });
    res.status(status).render('members/edit', {
      title: `Карточка: ${member.surname} ${member.name}`, section: 'members', member, values: shown,
      ...duplicatesViewModel(duplicates), ...errorViewModel(errors), ...DICTIONARIES,
    });
  }

  async function saveCard(req: Request, res: Response) {
    const member = memberOf(req);
    const form = parseForm(personSchema, req.body);
    if (!form.ok) return showEdit(req, res, 422, form.errors);
    try {
      await members.updateCard(principalOf(req), auditContextOf(req), member.id, form.data, seenIn(req.body), req.body?.notDuplicate === 'on');
    } catch (err) {
      if (err instanceof StaleEditError) return showEdit(req, res, 409, [{ field: 'form', message: err.message }], mergeStale(req.body, err));
      if (err instanceof DuplicateFoundError) return showEdit(req, res, 409, [], undefined, err);
      if (err instanceof ValidationError) return showEdit(req, res, 422, err.fields);
      throw err;
    }
    flash(req, 'success', 'Карточка сохранена');
    res.redirect(303, `/members/${member.id}`);
  }

  /** The card's event forms, errors keyed by form (`transfer-on`: forms share field names); a `versioned` one (a membership change) names the card's version it was shown with and loses to a change made since (409). */
  async function memberEvent<S extends z.ZodType>(
    req: Request, res: Response, formKey: string, schema: S,
    run: (principal: ReturnType<typeof principalOf>, ctx: ReturnType<typeof auditContextOf>, id: number, data: z.output<S>, seen: Seen | undefined) => Promise<void | string>,
    done: string, versioned = false,
  ) {
    const id = memberOf(req).id;
    const keyed = (errors: FieldError[]) => errors.map((e) => ({ ...e, field: e.field === 'form' ? 'form' : `${formKey}-${e.field}` }));
    const form = parseForm(schema, req.body);
    if (!form.ok) return showCard(req, res, 422, keyed(form.errors));
    let message: void | string;
    try {
      message = await run(principalOf(req), auditContextOf(req), id, form.data, versioned ? seenIn(req.body) : undefined);
    } catch (err) {
      if (err instanceof ValidationError) return showCard(req, res, 422, keyed(err.fields));
      if (err instanceof ConflictError) return showCard(req, res, 409, [{ field: 'form', message: err.message }]);
      throw err;
    }
    flash(req, 'success', message || done);
    res.redirect(303, `/members/${id}`);
  }
}
