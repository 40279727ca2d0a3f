import type { NextFunction, Request, Response, Router } from 'express';
import { ancestorsOf, memberOf, orgOf } from '../access/loaders';
import { can, guardedRouter, publicRoute } from '../access/route-guards';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import { clientIp } from '../http/client-ip';
import { BearerChallengeError, NotFoundError, ValidationError } from '../http/errors';
import { principalOf } from '../http/guards';
import { maskEmail, maskPhone } from '../members/contact-masks';
import { filterOf, readerOf, type ListQuery } from '../members/member-list-query';
import { MEMBER_SORT_CURSORS } from '../members/members.schemas';
import { reportJson } from '../reports/report-json';
import { API_PREFIX, API_REALM } from '../shared/api-path';
import { decodeCursor, encodeCursor } from '../shared/cursor';
import { createApiRegistry } from './api-registry';
import { docsViewModel } from './api-docs';
import {
  applicationBody,
  applicationCreated,
  childrenPage,
  childrenQuery,
  inpoParams,
  memberCard,
  memberListQuery,
  memberPage,
  memberParams,
  membershipHistory,
  organization,
  report,
  reportParams,
  reportQuery,
  sessionBody,
  sessionToken,
  unionCards,
} from './api.schemas';

const CHILDREN_PAGE = 100;
type MemberRow = ReturnType<typeof memberOf>;

const orgRef = (m: MemberRow) => ({
  inpo: m.organizationInpo,
  name: m.organizationName,
  level: m.organizationLevel,
});

/**
 * The JSON API (issue 18, item 5). Every call but the public four carries a bearer token; its owner
 * becomes the request's principal, and the same loaders and `can(...)` as the pages decide each object (404
 * outside the owner's subtrees), the same services read it and audit the reads of personal data.
 * Session cookies are not accepted here: app.ts mounts these routes before the session step, because a
 * cookie rides along on any cross-site request while the API takes no CSRF token; a bearer token is sent
 * only by a client that holds it.
 */
export function apiRoutes({
  loaders,
  services: { apiTokens, members, passport, reports, cardCheck, join },
}: Deps): Router {
  const routes = guardedRouter();
  const api = createApiRegistry(routes);
  routes.param('inpo', loaders.organization);
  routes.param('id', loaders.member);

  // ── public: the document, its reference page, the member app's sign-in ──
  api.describe(`${API_PREFIX}/openapi.json`, 'Документ OpenAPI 3.1 этого API', 'application/json');
  api.describe(`${API_PREFIX}/docs`, 'Справочник API (эта страница)', 'text/html');
  routes.get(`${API_PREFIX}/openapi.json`, publicRoute, (_req, res) => void res.json(api.document()));
  routes.get(`${API_PREFIX}/docs`, publicRoute, (_req, res) =>
    res.render('api/docs', { title: 'Справочник API', ...docsViewModel(api.document()) }),
  );
  api.operation({
    method: 'post',
    path: `${API_PREFIX}/sessions`,
    guard: publicRoute,
    scope: null,
    tag: 'Вход',
    summary: 'Вход приложения члена Профсоюза',
    description:
      'Имя пользователя и пароль, как на странице входа (те же ограничения числа попыток) → токен с правом `me` на 12 часов. Пользователям со вторым фактором вход по паролю недоступен (403): им нужен персональный токен со страницы «Мой аккаунт».',
    body: sessionBody,
    response: sessionToken,
    status: 201,
    errors: [401, 403, 422, 429],
    handle: (req, { body }) => apiTokens.signIn(body.username, body.password, clientIp(req) ?? '0.0.0.0'),
  });

  // The app's «Вступить в Профсоюз»: an applicant has no login, so this is public like /join, and the join
  // service's own method keeps its rules, consents, e-mail confirmation and per-address/per-e-mail limits.
  // The form's honeypot and signed fill time are for browsers (a script fills neither like a person); an app
  // cannot carry them, so here the two rate limits alone hold back floods.
  api.operation({
    method: 'post',
    path: `${API_PREFIX}/applications`,
    guard: publicRoute,
    scope: null,
    tag: 'Вступление',
    summary: 'Заявление о вступлении в Профсоюз',
    description:
      'Как форма /join: заявление сохраняется неподтверждённым, на e-mail заявителя уходит ссылка для подтверждения (неделю); после подтверждения его рассматривает председатель ППО. 404 — организации нет или она не принимает заявления онлайн; 429 — превышен предел заявлений с одного адреса (в час) или с одного e-mail (в сутки).',
    body: applicationBody,
    response: applicationCreated,
    status: 201,
    errors: [404, 422, 429],
    handle: async (req, { body }) => ({
      ...(await join.createApplication(body, { ip: clientIp(req) })),
      status: 'unconfirmed' as const,
    }),
  });

  // ── everything below needs a token ──
  routes.use(API_PREFIX, bearer);
  routes.use(`${API_PREFIX}/me`, ownCard);

  api.operation({
    method: 'get',
    path: `${API_PREFIX}/me`,
    guard: can('member.view'),
    scope: 'me',
    tag: 'Личный кабинет',
    summary: 'Своя карточка члена Профсоюза',
    response: memberCard,
    errors: [404],
    handle: async (req) => cardOf((await members.card(principalOf(req), auditContextOf(req), memberOf(req))).member),
  });
  api.operation({
    method: 'get',
    path: `${API_PREFIX}/me/card`,
    guard: can('member.view'),
    scope: 'me',
    tag: 'Личный кабинет',
    summary: 'Свои электронные профсоюзные билеты',
    response: unionCards,
    errors: [404],
    handle: async (req) => {
      const member = memberOf(req);
      await members.card(principalOf(req), auditContextOf(req), member); // a read of the card, audited as the page's
      const { cards } = await members.cardDetails(member.id, ['cards']);
      return {
        memberId: member.id,
        cards: cards.map((c) => ({
          number: c.number,
          kind: c.kind,
          status: c.status,
          statusOn: c.statusOn,
          checkUrl: cardCheck.checkUrl(c.checkToken),
        })),
      };
    },
  });
  api.operation({
    method: 'get',
    path: `${API_PREFIX}/me/history`,
    guard: can('member.view'),
    scope: 'me',
    tag: 'Личный кабинет',
    summary: 'История своего членства',
    response: membershipHistory,
    errors: [404],
    handle: async (req) => {
      const { member, timeline } = await members.card(principalOf(req), auditContextOf(req), memberOf(req));
      return {
        memberId: member.id,
        events: timeline.map((e) => ({
          kind: e.kind,
          on: e.on,
          category: e.category ?? null,
          reason: e.reason ?? null,
          from: e.fromName ?? null,
          to: e.toName ?? null,
        })),
      };
    },
  });

  api.operation({
    method: 'get',
    path: `${API_PREFIX}/orgs/{inpo}`,
    guard: can('org.view'),
    scope: 'orgs:read',
    tag: 'Организации',
    summary: 'Паспорт организации: общие сведения',
    params: inpoParams,
    response: organization,
    errors: [404],
    handle: async (req) => {
      const org = orgOf(req);
      const parent = ancestorsOf(req).at(-1);
      return {
        ...org,
        parent: parent ? { inpo: parent.inpo, name: parent.name, level: parent.level } : null,
      };
    },
  });
  api.operation({
    method: 'get',
    path: `${API_PREFIX}/orgs/{inpo}/children`,
    guard: can('org.view'),
    scope: 'orgs:read',
    tag: 'Организации',
    summary: 'Структура: действующие организации на уровень ниже, с численностью',
    params: inpoParams,
    query: childrenQuery,
    response: childrenPage,
    errors: [404, 422],
    handle: async (req, { query }) => {
      const { children, total } = await passport.children(orgOf(req), 'name', query.page, CHILDREN_PAGE);
      return { items: children, page: query.page, total };
    },
  });

  api.operation({
    method: 'get',
    path: `${API_PREFIX}/orgs/{inpo}/members`,
    guard: can('member.view'),
    scope: 'members:read',
    tag: 'Члены Профсоюза',
    summary: 'Члены Профсоюза организации и её поддерева',
    description:
      'Фильтры — как у списка на странице организации; страницы по курсору: `next` ответа передайте в `after`. Телефоны и e-mail скрыты по маске, как в списках.',
    params: inpoParams,
    query: memberListQuery,
    response: memberPage,
    errors: [404, 422],
    handle: async (req, { query }) => {
      const org = orgOf(req);
      const after = query.after ? decodeCursor(query.after, MEMBER_SORT_CURSORS[query.sort]) : null;
      if (query.after && !after)
        throw new ValidationError([
          { field: 'after', message: 'Курсор не подходит к этому порядку строк: начните с первой страницы' },
        ]);
      const filter = filterOf(query as ListQuery);
      const reader = readerOf(req);
      const [page, total] = await Promise.all([
        members.list(org, filter, reader, query.sort, after, query.limit),
        members.count(org, filter, reader),
      ]);
      return {
        items: page.items.map((m) => ({
          ...m,
          organization: orgRef(m),
          phone: maskPhone(m.phone),
          email: maskEmail(m.email),
        })),
        total,
        next: page.next ? encodeCursor(page.next) : null,
      };
    },
  });
  api.operation({
    method: 'get',
    path: `${API_PREFIX}/members/{id}`,
    guard: can('member.view'),
    scope: 'members:read',
    tag: 'Члены Профсоюза',
    summary: 'Карточка члена Профсоюза',
    description: 'Как карточка на странице реестра; каждое чтение записывается в журнал аудита.',
    params: memberParams,
    response: memberCard,
    errors: [404],
    handle: async (req) => cardOf((await members.card(principalOf(req), auditContextOf(req), memberOf(req))).member),
  });

  api.operation({
    method: 'get',
    path: `${API_PREFIX}/orgs/{inpo}/reports/{form}`,
    guard: can('report.view'),
    scope: 'reports:read',
    tag: 'Отчёты',
    summary: 'Статистический отчёт организации на дату',
    description:
      'Последняя сданная версия, если отчёт сдан, иначе расчёт по реестру на дату — как загрузка `.json` на странице отчёта.',
    params: reportParams,
    query: reportQuery,
    response: report,
    errors: [404, 422],
    handle: async (req, { params, query }) => {
      const t = await reports.target(orgOf(req), params.form, query.on);
      const { result } = await reports.current(t);
      return reportJson(await reports.readableFor(principalOf(req), result));
    },
  });

  routes.use(API_PREFIX, () => {
    throw new NotFoundError('Такого адреса в API нет: см. /api/v1/docs');
  });
  return routes.router;

  /** The bearer token's owner as the request's principal, and its scopes (401 without a live token, 429 past its rate). */
  async function bearer(req: Request, res: Response, next: NextFunction) {
    const match = /^Bearer +([^\s]+) *$/i.exec(req.get('authorization') ?? '');
    if (!match)
      throw new BearerChallengeError(
        401,
        'unauthenticated',
        'Нужен токен доступа: заголовок Authorization: Bearer …',
        `Bearer ${API_REALM}`,
      );
    const caller = await apiTokens.authenticate(match[1]!);
    req.user = caller.principal;
    res.locals.apiScopes = caller.scopes;
    next();
  }

  /** `/me…`: the caller's own card, resolved by the same loader as `/members/:id` (so the same rule applies). */
  async function ownCard(req: Request, res: Response, next: NextFunction) {
    const memberId = principalOf(req).memberId;
    if (memberId == null) throw new NotFoundError('К вашей учётной записи не привязана карточка члена Профсоюза');
    await loaders.member(req, res, next, String(memberId));
  }
}

function cardOf(m: MemberRow) {
  return { ...m, organization: orgRef(m) };
}
