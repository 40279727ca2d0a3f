import type { Router } from 'express';
import { guardedRouter, signedIn } from '../access/route-guards';
import type { Deps } from '../deps';
import { principalOf } from '../http/guards';
import { LEVEL_LABELS } from '../registry/levels';
import { REPORT_STATUS_LABELS } from '../reports/filing';
import { todayIso } from '../shared/dates';

const HOME_NOTIFICATIONS = 5;

export function homeRoutes({ services: { home }, notifications }: Deps): Router {
  const routes = guardedRouter();
  routes.get('/', signedIn, async (req, res) => {
    // a member's login (no staff grant) lands in the personal account
    const principal = principalOf(req);
    if (principal.memberId != null && principal.grants.every((g) => g.role === 'member'))
      return res.redirect(303, '/me');
    const [summaries, inbox] = await Promise.all([
      home.summaries(principalOf(req)),
      notifications.inbox(principalOf(req).id),
    ]);
    // the unread first, at most a few: the whole list is /notifications
    const recent = inbox.items.filter((n) => !n.readAt).slice(0, HOME_NOTIFICATIONS);
    res.render('home/index', {
      title: 'Главная',
      section: 'home',
      summaries,
      LEVEL_LABELS,
      recent,
      unread: inbox.unread,
      REPORT_STATUS_LABELS,
      today: todayIso(),
    });
  });
  return routes.router;
}
