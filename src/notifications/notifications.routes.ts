import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { guardedRouter, signedIn } from '../access/route-guards';
import type { Deps } from '../deps';
import { flash } from '../http/flash';
import { errorViewModel, parseForm } from '../http/forms';
import type { FieldError } from '../http/errors';
import { principalOf } from '../http/guards';
import { CHANNEL_LABELS, KIND_NAMES, type Channel, type NotificationKind } from './kinds';

const channel = z.enum(['email', 'app', 'none'], {
  error: 'Выберите, как сообщать: по почте, только в реестре или никак',
});
const preferencesForm = z.object(
  Object.fromEntries(KIND_NAMES.map((kind) => [kind, channel])) as Record<NotificationKind, typeof channel>,
);
const CHANNEL_OPTIONS = (Object.keys(CHANNEL_LABELS) as Channel[]).map((value) => ({
  value,
  label: CHANNEL_LABELS[value],
}));

/** The user's own notifications (every signed-in user has them) and their choice of channel per kind. */
export function notificationsRoutes({ notifications }: Deps): Router {
  const routes = guardedRouter();
  routes.get('/notifications', signedIn, async (req, res) => {
    const inbox = await notifications.inbox(principalOf(req).id);
    res.render('notifications/list', { title: 'Уведомления', section: 'notifications', ...inbox });
  });
  routes.post('/notifications/read', signedIn, async (req, res) => {
    await notifications.markRead(principalOf(req).id);
    res.redirect(303, '/notifications');
  });
  routes.get('/account/notifications', signedIn, async (req, res) => renderPreferences(req, res, 200));
  routes.post('/account/notifications', signedIn, savePreferences);
  return routes.router;

  async function renderPreferences(req: Request, res: Response, status: number, errors: FieldError[] = []) {
    const kinds = await notifications.preferences(principalOf(req).id);
    const given = (req.body ?? {}) as Record<string, unknown>;
    res.status(status).render('notifications/preferences', {
      title: 'Уведомления: как сообщать',
      kinds: errors.length ? kinds.map((k) => ({ ...k, channel: String(given[k.kind] ?? k.channel) })) : kinds,
      options: CHANNEL_OPTIONS,
      ...errorViewModel(errors),
    });
  }

  async function savePreferences(req: Request, res: Response) {
    const form = parseForm(preferencesForm, req.body);
    if (!form.ok) return renderPreferences(req, res, 422, form.errors);
    await notifications.savePreferences(principalOf(req).id, form.data);
    flash(req, 'success', 'Настройки уведомлений сохранены');
    res.redirect(303, '/account/notifications');
  }
}
