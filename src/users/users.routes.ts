import { type Router, type Request, type Response } from 'express';
import { canOnObjects, guardedRouter } from '../access/route-guards';
import { grantableRoles } from '../access/grant-rules';
import { can, homeOrganizations } from '../access/access';
import { ROLE_LABELS } from '../access/roles';
import { ENTITY_LABELS, actionLabel } from '../audit/labels';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import type { FieldError } from '../http/errors';
import { flash } from '../http/flash';
import { errorViewModel, parseForm } from '../http/forms';
import { principalOf } from '../http/guards';
import { idParam } from '../http/params';
import { INT4_MAX } from '../shared/numbers';
import { renderRefusal } from './form-refusals';
import { createUserSchema, editUserSchema, grantSchema, userListQuery } from './users.schemas';

const STATUS_LABELS = { active: 'действует', blocked: 'заблокирован', never_signed_in: 'ещё не входил' };
const BY_FIELD = { notFound: 'inpo', forbidden: 'role' };

/** /admin/users: the logins of the manager's subtree, their grants, blocking and invitations. */
export function usersRoutes({ services: { users, secondFactor } }: Deps): Router {
  const routes = guardedRouter();
  routes.get('/admin/users', canOnObjects('user.manage'), showList);
  routes.get('/admin/users/new', canOnObjects('user.manage'), (req, res) => renderNew(req, res, 200, {}, []));
  routes.post('/admin/users', canOnObjects('user.manage'), create);
  routes.get('/admin/users/:userId', canOnObjects('user.manage'), showUser);
  routes.get('/admin/users/:userId/edit', canOnObjects('user.manage'), showEdit);
  routes.post('/admin/users/:userId/edit', canOnObjects('user.manage'), edit);
  routes.post('/admin/users/:userId/block', canOnObjects('user.manage'), (req, res) => setBlocked(req, res, true));
  routes.post('/admin/users/:userId/unblock', canOnObjects('user.manage'), (req, res) => setBlocked(req, res, false));
  routes.post('/admin/users/:userId/delete', canOnObjects('user.manage'), remove);
  routes.post('/admin/users/:userId/invite', canOnObjects('user.manage'), invite);
  routes.post('/admin/users/:userId/grants', canOnObjects('user.manage'), addGrant);
  routes.post('/admin/users/:userId/grants/:grantId/revoke', canOnObjects('user.manage'), revokeGrant);
  return routes.router;

  async function showList(req: Request, res: Response) {
    const query = userListQuery.parse(req.query);
    const { rows, next } = await users.list(principalOf(req), query);
    const nextQuery = next ? new URLSearchParams({ ...compact(query), after: next }).toString() : null;
    res.render('admin/users/list', {
      title: 'Пользователи',
      section: 'users',
      rows,
      query,
      nextQuery,
      roleLabels: ROLE_LABELS,
      statusLabels: STATUS_LABELS,
    });
  }

  async function renderNew(
    req: Request,
    res: Response,
    status: number,
    values: Record<string, unknown>,
    errors: FieldError[],
  ) {
    users.assertManager(principalOf(req));
    res.status(status).render('admin/users/new', {
      title: 'Новый пользователь',
      section: 'users',
      values,
      roles: roleOptions(req),
      ...errorViewModel(errors),
    });
  }

  async function create(req: Request, res: Response) {
    users.assertManager(principalOf(req));
    const form = parseForm(createUserSchema, req.body);
    if (!form.ok) return renderNew(req, res, 422, req.body ?? {}, form.errors);
    try {
      const { id, mailed } = await users.create(principalOf(req), form.data, auditContextOf(req));
      flash(
        req,
        mailed ? 'success' : 'warning',
        mailed
          ? `Пользователь создан, приглашение отправлено на ${form.data.email}`
          : 'Пользователь создан, но письмо с приглашением не отправлено: отправьте его повторно со страницы пользователя',
      );
      res.redirect(303, `/admin/users/${id}`);
    } catch (err) {
      await renderRefusal(err, BY_FIELD, (status, errors) => renderNew(req, res, status, req.body, errors));
    }
  }

  async function showUser(req: Request, res: Response) {
    await renderUser(req, res, 200, {}, []);
  }

  async function renderUser(
    req: Request,
    res: Response,
    status: number,
    grantValues: Record<string, unknown>,
    errors: FieldError[],
  ) {
    const principal = principalOf(req);
    const page = await users.page(principal, idParam(req, 'userId', INT4_MAX));
    const factor = await secondFactor.status(page.user.id);
    // the reset itself is refused unless the administrator may reset on every organization the user holds
    const mayResetFactor = homeOrganizations(principal).some((o) => can(principal, 'user.second_factor.reset', o));
    res.status(status).render('admin/users/user', {
      title: page.user.fullName,
      section: 'users',
      ...page,
      factor,
      mayResetFactor,
      actionLabel,
      entityLabels: ENTITY_LABELS,
      grantValues,
      roles: roleOptions(req),
      roleLabels: ROLE_LABELS,
      ...errorViewModel(errors),
    });
  }

  async function showEdit(req: Request, res: Response) {
    const user = await users.findForEdit(principalOf(req), idParam(req, 'userId', INT4_MAX));
    res.render('admin/users/edit', {
      title: `Изменить: ${user.fullName}`,
      section: 'users',
      user,
      values: user,
      ...errorViewModel([]),
    });
  }

  async function edit(req: Request, res: Response) {
    const userId = idParam(req, 'userId', INT4_MAX);
    const user = await users.findForEdit(principalOf(req), userId);
    const form = parseForm(editUserSchema, req.body);
    if (!form.ok) {
      return res.status(422).render('admin/users/edit', {
        title: `Изменить: ${user.fullName}`,
        section: 'users',
        user,
        values: req.body,
        ...errorViewModel(form.errors),
      });
    }
    await users.update(principalOf(req), userId, form.data, auditContextOf(req));
    flash(req, 'success', 'Данные пользователя сохранены');
    res.redirect(303, `/admin/users/${userId}`);
  }

  async function setBlocked(req: Request, res: Response, blocked: boolean) {
    const userId = idParam(req, 'userId', INT4_MAX);
    await users.setBlocked(principalOf(req), userId, blocked, auditContextOf(req));
    flash(req, 'success', blocked ? 'Пользователь заблокирован, его сеансы завершены' : 'Пользователь разблокирован');
    res.redirect(303, `/admin/users/${userId}`);
  }

  async function remove(req: Request, res: Response) {
    await users.remove(principalOf(req), idParam(req, 'userId', INT4_MAX), auditContextOf(req));
    flash(req, 'success', 'Пользователь удалён');
    res.redirect(303, '/admin/users');
  }

  async function invite(req: Request, res: Response) {
    const userId = idParam(req, 'userId', INT4_MAX);
    const mailed = await users.invite(principalOf(req), userId, auditContextOf(req));
    flash(
      req,
      mailed ? 'success' : 'warning',
      mailed
        ? 'Приглашение отправлено повторно; прежние ссылки больше не действуют'
        : 'Письмо не отправлено: почтовый сервер не ответил. Повторите позже.',
    );
    res.redirect(303, `/admin/users/${userId}`);
  }

  async function addGrant(req: Request, res: Response) {
    const userId = idParam(req, 'userId', INT4_MAX);
    await users.findVisible(principalOf(req), userId);
    const form = parseForm(grantSchema, req.body);
    if (!form.ok) return renderUser(req, res, 422, req.body, form.errors);
    try {
      await users.addGrant(principalOf(req), userId, form.data, auditContextOf(req));
    } catch (err) {
      return renderRefusal(err, BY_FIELD, (status, errors) => renderUser(req, res, status, req.body, errors));
    }
    flash(req, 'success', `Роль «${ROLE_LABELS[form.data.role]}» выдана`);
    res.redirect(303, `/admin/users/${userId}`);
  }

  async function revokeGrant(req: Request, res: Response) {
    const userId = idParam(req, 'userId', INT4_MAX);
    await users.revokeGrant(principalOf(req), userId, idParam(req, 'grantId', INT4_MAX), auditContextOf(req));
    flash(req, 'success', 'Роль отозвана, сеансы пользователя завершены');
    res.redirect(303, `/admin/users/${userId}`);
  }
}

function roleOptions(req: Request) {
  return grantableRoles(principalOf(req)).map((role) => ({ value: role, label: ROLE_LABELS[role] }));
}

function compact(query: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(query).filter(([k, v]) => k !== 'after' && typeof v === 'string' && v !== ''),
  ) as Record<string, string>;
}
