import type { Request, Response, Router } from 'express';
import { can, guardedRouter } from '../access/route-guards';
import { z } from 'zod';
import { QUEUE_POLICIES, type QueueName } from '../db/job-queues';
import type { Deps } from '../deps';
import { NotFoundError } from '../http/errors';
import { flash } from '../http/flash';
import { idParam } from '../http/params';
import { INT4_MAX } from '../shared/numbers';
import { isUuid } from '../shared/uuid';
import { UNDELIVERED } from './mail.service';

const PAGE_SIZE = 50;
const FAILED_JOBS_SHOWN = 20;
const listQuery = z.object({
  to: z.string().trim().max(254).optional().catch(undefined),
  status: z.enum(['undelivered']).optional().catch(undefined),
  before: z.coerce.number().int().min(1).max(INT4_MAX).optional().catch(undefined),
});
const retryForm = z.object({
  queue: z.enum(Object.keys(QUEUE_POLICIES) as [QueueName, ...QueueName[]]).catch('housekeeping'),
  id: z.string().trim().max(36).catch(''),
});

/**
 * The federal administrator's view of outgoing mail and of the job queue: every letter with its delivery
 * state (with no SMTP_URL the letters wait here to be read), the undelivered ones with a button to send
 * them again, and the jobs that failed their last attempt with a button to retry them.
 */
export function mailRoutes({ mail, jobs, loaders }: Deps): Router {
  const routes = guardedRouter();
  // letters carry one-time links to anyone's account: the union's own page, the federal administrator's
  routes.use('/admin/mail', loaders.union);

  routes.get('/admin/mail', can('mail.view'), list);
  routes.get('/admin/mail/:messageId', can('mail.view'), async (req, res) => {
    const message = await mail.outboxMessage(idParam(req, 'messageId', INT4_MAX));
    if (!message) throw new NotFoundError();
    res.render('admin/mail/message', { title: message.subject, section: 'mail', message });
  });
  routes.post('/admin/mail/:messageId/resend', can('mail.view'), resend);
  routes.post('/admin/mail/jobs/retry', can('mail.view'), retryJob);
  return routes.router;

  async function list(req: Request, res: Response) {
    const query = listQuery.parse(req.query);
    const statuses = query.status ? UNDELIVERED : undefined;
    const messages = await mail.outbox({ before: query.before, to: query.to || undefined, statuses, limit: PAGE_SIZE });
    const filter = { ...(query.to ? { to: query.to } : {}), ...(query.status ? { status: query.status } : {}) };
    const next =
      messages.length === PAGE_SIZE
        ? new URLSearchParams({ ...filter, before: String(messages.at(-1)!.id) }).toString()
        : null;
    res.render('admin/mail/list', {
      title: 'Исходящая почта',
      section: 'mail',
      messages,
      mode: mail.mode,
      to: query.to ?? '',
      undelivered: Boolean(query.status),
      failedJobs: query.before ? [] : await jobs.failed(FAILED_JOBS_SHOWN),
      next,
    });
  }

  async function resend(req: Request, res: Response) {
    const id = idParam(req, 'messageId', INT4_MAX);
    if (await mail.resend(id)) flash(req, 'success', 'Письмо снова поставлено в очередь на отправку');
    else flash(req, 'warning', 'Это письмо не ждёт повторной отправки: оно отправлено, хранится или уже в очереди');
    res.redirect(303, `/admin/mail/${id}`);
  }

  async function retryJob(req: Request, res: Response) {
    const form = retryForm.parse(req.body ?? {});
    const retried = isUuid(form.id) && (await jobs.retry(form.queue, form.id));
    if (retried) flash(req, 'success', 'Задание снова поставлено в очередь');
    else flash(req, 'warning', 'Задание не найдено среди завершившихся ошибкой');
    res.redirect(303, '/admin/mail?status=undelivered');
  }
}
