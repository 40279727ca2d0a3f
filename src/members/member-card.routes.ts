import { Router, type Request, type Response } from 'express';
import { memberOf, memberPageOf } from '../access/loaders';
import { can, guardedRouter } from '../access/route-guards';
import { z } from 'zod';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import { ConflictError, ValidationError, type FieldError } from '../http/errors';
import { askConfirmation, isConfirmed, type Confirmation } from '../http/confirmation';
import { flash } from '../http/flash';
import { errorViewModel, parseForm } from '../http/forms';
import { StaleEditError, mergeStale, seenIn, type Seen } from '../http/versioned-forms';
import { memberVersionFields } from './member-versions';
import { principalOf } from '../http/guards';
import { todayIso } from '../shared/dates';
import { formatDate, fullName } from '../shared/format';
import { LEFT_REASON_LABELS } from '../membership/membership';
import { OFFICER_POST_LABELS } from '../registry/officer-posts';
import {
  mergeSchema,
  readmitSchema,
  cardMoveSchema,
  cardRequestSchema,
  categorySchema,
  personSchema,
  exitSchema,
  transferSchema,
} from './members.schemas';
import { CARD_STATUS_LABELS, LIVE_STATUSES, NEXT_STATUSES } from '../cards/card-statuses';
import { CHANNEL_LABELS, CONSENT_KIND_LABELS, SOURCE_LABELS, consentSchema, withdrawSchema } from './consents';
import { DuplicateFoundError, type CardPageDetails } from './members.service';
import { MEMBER_DICTIONARIES as DICTIONARIES, duplicatesViewModel } from './member-views';

/** One member card: the page, its edit form, its events (transfer, exit, cards, consents, category, readmission) and merges. */
export function memberCardRoutes({ loaders, services: { members, cards, cardCheck } }: Deps): Router {
  // the page itself has its own loader: the card with everything the page shows, in one statement
  const page = guardedRouter();
  page.param('id', loaders.memberPage);
  page.get('/members/:id', can('member.view'), (req, res) => showCard(req, res));
  const routes = guardedRouter();
  routes.param('id', loaders.member);
  routes.get('/members/:id/edit', can('member.edit'), (req, res) => showEdit(req, res));
  routes.get('/members/:id/application', can('member.view'), (req, res) => showApplication(req, res));
  routes.post('/members/:id/edit', can('member.edit'), (req, res) => saveCard(req, res));
  routes.post('/members/:id/transfer', can('member.edit'), (req, res) =>
    memberEvent(
      req,
      res,
      'transfer',
      transferSchema,
      async (p, c, id, d, seen) => {
        if ((await members.transfer(p, c, id, d, seen)) === 'requested')
          return 'Организация вне вашей структуры: ей отправлен запрос, перевод произойдёт, когда его примут';
      },
      'Перевод выполнен',
      true,
    ),
  );
  routes.post('/members/:id/exit', can('member.edit'), (req, res) =>
    memberEvent(
      req,
      res,
      'exit',
      exitSchema,
      (p, c, id, d, seen) => members.exit(p, c, id, d, seen),
      'Выход из Профсоюза оформлен',
      true,
      (d) => ({
        title: 'Подтвердите выход из Профсоюза',
        consequence: `${fullName(memberOf(req))}: будет оформлен выход из Профсоюза с ${formatDate(d.on)}, причина: ${LEFT_REASON_LABELS[d.reason].toLowerCase()}.`,
        affected: { count: 1, noun: 'Выходит членов Профсоюза' },
        details: ['Действующая ЭПБ будет заблокирована.'],
        confirmLabel: 'Оформить выход',
        cancelHref: `/members/${memberOf(req).id}`,
      }),
    ),
  );
  routes.post('/members/:id/cards', can('member.edit'), (req, res) =>
    memberEvent(
      req,
      res,
      'card',
      cardRequestSchema,
      async (p, c, id, d) => void (await cards.request(p, c, id, d.kind, d.on)),
      'Заявка на карту оформлена',
    ),
  );
  routes.post('/members/:id/cards/move', can('member.edit'), (req, res) =>
    memberEvent(
      req,
      res,
      'cardmove',
      cardMoveSchema,
      (p, c, id, d) => cards.move(p, c, id, d.cardId, d.to, d.on, d.reason),
      'Состояние карты изменено',
    ),
  );
  routes.post('/members/:id/consents', can('member.edit'), (req, res) =>
    memberEvent(
      req,
      res,
      'consent',
      consentSchema,
      (_p, c, id, d) => members.giveConsent(c, id, d),
      'Согласие зарегистрировано',
    ),
  );
  routes.post('/members/:id/consents/withdraw', can('member.edit'), (req, res) =>
    memberEvent(
      req,
      res,
      'withdraw',
      withdrawSchema,
      (_p, c, _id, d) => members.withdrawConsent(c, memberOf(req), d.consentId, d.on),
      'Согласие отозвано',
    ),
  );
  routes.post('/members/:id/readmit', can('member.edit'), (req, res) =>
    memberEvent(
      req,
      res,
      'readmit',
      readmitSchema,
      (p, c, id, d, seen) => members.readmit(p, c, id, d, seen),
      'Повторный приём оформлен',
      true,
    ),
  );
  routes.post('/members/:id/merge', can('member.edit'), (req, res) => merge(req, res));
  routes.post('/members/:id/category', can('member.edit'), (req, res) =>
    memberEvent(
      req,
      res,
      'category',
      categorySchema,
      (p, c, id, d, seen) => members.changeCategory(p, c, id, d, seen),
      'Категория изменена',
      true,
    ),
  );
  return Router().use(page.router, routes.router);

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

  async function showCard(req: Request, res: Response, status = 200, errors: FieldError[] = []) {
    const read = memberPageOf(req) as CardPageDetails | undefined;
    const card = await members.cardPage(principalOf(req), auditContextOf(req), memberOf(req), read);
    // a live card's QR code leads to its public check (issue 18, item 4); an ended card is printed no more
    const checkCodes = cardCheck.checkCodesOf(card.cards.filter((c) => LIVE_STATUSES.includes(c.status)));
    res.status(status).render('members/card', {
      title: `${card.member.surname} ${card.member.name}`,
      section: 'members',
      ...card,
      checkCodes,
      today: todayIso(),
      versionFields: memberVersionFields(card.member),
      OFFICER_POST_LABELS,
      CONSENT_KIND_LABELS,
      CHANNEL_LABELS,
      SOURCE_LABELS,
      CARD_STATUS_LABELS,
      NEXT_STATUSES,
      LIVE_STATUSES,
      values: req.method === 'POST' ? req.body : {},
      ...errorViewModel(errors),
      ...DICTIONARIES,
    });
  }

  /** The membership application filled from the card, to print and sign: a read of personal data like the card. */
  async function showApplication(req: Request, res: Response) {
    const member = await members.cardForEdit(auditContextOf(req), memberOf(req));
    res.render('members/application', {
      title: `Заявление: ${member.surname} ${member.name}`,
      section: 'members',
      member,
    });
  }

  /** The card's form: from the card (with its version), the submitted values (422), or those merged with another user's change (409). */
  async function showEdit(
    req: Request,
    res: Response,
    status = 200,
    errors: FieldError[] = [],
    values?: Record<string, unknown>,
    duplicates?: DuplicateFoundError,
  ) {
    const member = await members.cardForEdit(auditContextOf(req), memberOf(req));
    const shown = values ?? (req.method === 'POST' ? req.body : { ...member, ...memberVersionFields(member) });
    res.status(status).render('members/edit', {
      title: `Карточка: ${member.surname} ${member.name}`,
      section: 'members',
      member,
      values: shown,
      ...duplicatesViewModel(duplicates),
      ...errorViewModel(errors),
      ...DICTIONARIES,
    });
  }

  async function saveCard(req: Request, res: Response) {
    const member = memberOf(req);
    const form = parseForm(personSchema, req.body);
    if (!form.ok) return showEdit(req, res, 422, form.errors);
    try {
      await members.updateCard(
        principalOf(req),
        auditContextOf(req),
        member.id,
        form.data,
        seenIn(req.body),
        req.body?.notDuplicate === 'on',
      );
    } catch (err) {
      if (err instanceof StaleEditError)
        return showEdit(req, res, 409, [{ field: 'form', message: err.message }], mergeStale(req.body, err));
      if (err instanceof DuplicateFoundError) return showEdit(req, res, 409, [], undefined, err);
      if (err instanceof ValidationError) return showEdit(req, res, 422, err.fields);
      throw err;
    }
    flash(req, 'success', 'Карточка сохранена');
    res.redirect(303, `/members/${member.id}`);
  }

  /** The card's event forms, errors keyed by form (`transfer-on`: forms share field names); a `versioned` one (a membership change) names the card's version it was shown with and loses to a change made since (409). */
  async function memberEvent<S extends z.ZodType>(
    req: Request,
    res: Response,
    formKey: string,
    schema: S,
    run: (
      principal: ReturnType<typeof principalOf>,
      ctx: ReturnType<typeof auditContextOf>,
      id: number,
      data: z.output<S>,
      seen: Seen | undefined,
    ) => Promise<void | string>,
    done: string,
    versioned = false,
    /** Set for a destructive event: it waits for the confirmation step this describes. */
    confirmation?: (data: z.output<S>) => Confirmation,
  ) {
    const id = memberOf(req).id;
    const keyed = (errors: FieldError[]) =>
      errors.map((e) => ({ ...e, field: e.field === 'form' ? 'form' : `${formKey}-${e.field}` }));
    const form = parseForm(schema, req.body);
    if (!form.ok) return showCard(req, res, 422, keyed(form.errors));
    if (confirmation && !isConfirmed(req))
      return askConfirmation(req, res, confirmation(form.data), { section: 'members' });
    let message: void | string;
    try {
      message = await run(
        principalOf(req),
        auditContextOf(req),
        id,
        form.data,
        versioned ? seenIn(req.body) : undefined,
      );
    } catch (err) {
      if (err instanceof ValidationError) return showCard(req, res, 422, keyed(err.fields));
      if (err instanceof ConflictError) return showCard(req, res, 409, [{ field: 'form', message: err.message }]);
      throw err;
    }
    flash(req, 'success', message || done);
    res.redirect(303, `/members/${id}`);
  }
}
