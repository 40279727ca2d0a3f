import type { Express } from 'express';
import { allowedRoots, homeOrganizations } from '../../access/access';
import type { Principal } from '../../access/principal';

export interface NavItem {
  label: string;
  href: string;
  section: string;
}

/** Sections of the main menu the user may open; sections that do not exist yet are not listed. */
export function navigationFor(principal: Principal): NavItem[] {
  const items: NavItem[] = [];
  const orgRoot = principal.grants.find((g) => allowedRoots(principal, 'org.view').includes(g.organizationPath));
  if (orgRoot) items.push({ label: 'Реестр', href: `/orgs/${orgRoot.organizationInpo}`, section: 'registry' });
  return items;
}

export function setUpNavigation(app: Express) {
  app.use((req, res, next) => {
    res.locals.currentUser = req.user ?? null;
    res.locals.nav = req.user ? navigationFor(req.user) : [];
    res.locals.userOrganizations = req.user ? homeOrganizations(req.user) : [];
    res.locals.currentPath = req.path;
    next();
  });
}
