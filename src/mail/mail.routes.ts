import type { Router } from 'express';
import { can, guardedRouter } from '../access/route-guards';
import { z } from 'zod';
import type { Deps } from '../deps';
import { NotFoundError } from '../http/errors';
import { idParam } from '../http/params';
import { INT4_MAX } from '../shared/numbers';

const PAGE_SIZE = 50;
const listQuery = z.object({
  to: z.string().trim().max(254).optional().catch(undefined),
  before: z.coerce.number().int().min(1).max(INT4_MAX).optional().catch(undefined),
});

/** The federal administrator's view of outgoing mail: with no SMTP_URL the letters wait here to be read. */
export function mailRoutes({ mail, loaders }: Deps): Router {
  const routes = guardedRouter();
  // letters carry one-time links to anyone's account: the union's own page, the federal administrator's
  routes.use('/admin/mail', loaders.union);

  routes.get('/admin/mail', can('mail.view'), async (req, res) => {
    const query = listQuery.parse(req.query);
    const messages = await mail.outbox({ before: query.before, to: query.to || undefined, limit: PAGE_SIZE });
    const next =
      messages.length === PAGE_SIZE
        ? new URLSearchParams({ ...(query.to ? { to: query.to } : {}), before: String(messages.at(-1)!.id) }).toString()
        : null;
    res.render('admin/mail/list', {
      title: 'Исходящая почта',
      section: 'mail',
      messages,
      mode: mail.mode,
      to: query.to ?? '',
      next,
    });
  });

  routes.get('/admin/mail/:messageId', can('mail.view'), async (req, res) => {
    const message = await mail.outboxMessage(idParam(req, 'messageId', INT4_MAX));
    if (!message) throw new NotFoundError();
    res.render('admin/mail/message', { title: message.subject, section: 'mail', message });
  });

  return routes.router;
}
