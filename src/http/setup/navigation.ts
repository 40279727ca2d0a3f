import type { Express } from 'express';
import { can, homeOrganizations } from '../../access/access';
import { userManagementPaths } from '../../access/grant-rules';
import type { Principal } from '../../access/principal';

export interface NavItem {
  label: string;
  href: string;
  section: string;
}

/** Sections of the main menu the user may open; sections that do not exist yet are not listed. */
export function navigationFor(principal: Principal): NavItem[] {
  const items: NavItem[] = [];
  if (principal.memberId != null) items.push({ label: 'Личный кабинет', href: '/me', section: 'me' });
  const orgRoot = homeOrganizations(principal).find((o) => can(principal, 'org.view', o));
  if (orgRoot) items.push({ label: 'Реестр', href: `/orgs/${orgRoot.inpo}`, section: 'registry' });
  const memberRoot = homeOrganizations(principal).find((o) => can(principal, 'member.view', o));
  if (memberRoot)
    items.push({ label: 'Члены Профсоюза', href: `/orgs/${memberRoot.inpo}/members`, section: 'members' });
  const reportRoot = homeOrganizations(principal).find((o) => can(principal, 'report.view', o));
  if (reportRoot) items.push({ label: 'Отчёты', href: `/orgs/${reportRoot.inpo}/reports`, section: 'reports' });
  const monitoringRoot = homeOrganizations(principal).find((o) => can(principal, 'org.view', o) && o.level !== 'group');
  if (monitoringRoot)
    items.push({ label: 'Мониторинг', href: `/orgs/${monitoringRoot.inpo}/monitoring`, section: 'monitoring' });
  items.push({ label: 'Библиотека', href: '/library', section: 'library' });
  const formsRoot = homeOrganizations(principal).find((o) => o.level === 'union' && can(principal, 'form.manage', o));
  if (formsRoot) items.push({ label: 'Формы', href: '/admin/forms', section: 'forms' });
  if (formsRoot) items.push({ label: 'Шаблоны документов', href: '/admin/templates', section: 'templates' });
  if (homeOrganizations(principal).some((o) => can(principal, 'audit.view', o)))
    items.push({ label: 'Журнал аудита', href: '/admin/audit', section: 'audit' });
  if (userManagementPaths(principal).length)
    items.push({ label: 'Пользователи', href: '/admin/users', section: 'users' });
  if (homeOrganizations(principal).some((o) => o.level === 'union' && can(principal, 'mail.view', o)))
    items.push({ label: 'Почта', href: '/admin/mail', section: 'mail' });
  return items;
}

export function setUpNavigation(app: Express) {
  app.use((req, res, next) => {
    res.locals.currentUser = req.user ?? null;
    res.locals.nav = req.user ? navigationFor(req.user) : [];
    res.locals.userOrganizations = req.user ? homeOrganizations(req.user) : [];
    res.locals.currentPath = req.path;
    // machine formats (a report's JSON) are offered to administrators; everyone keeps them through the URL and the API
    res.locals.isAdministrator = !!req.user?.grants.some((g) => g.role === 'admin');
    next();
  });
}
