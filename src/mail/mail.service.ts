import type { Knex } from 'knex';
import type { Config } from '../config';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { inTransaction } from '../db/transaction';
import type { JobQueue, QueuedJob } from '../jobs/job-queue';
import { deliveryVerdict } from './delivery';
import {
  batchProgress,
  claimForSending,
  findOutboxMessage,
  insertOutboxMessage,
  insertOutboxMessages,
  listOutbox,
  markSent,
  markUnsent,
  requeueUndelivered,
  type OutboxMessage,
  type OutboxStatus,
} from './outbox.repo';
import { createThrottle } from './throttle';
import { newUnsubscribeLink, oneClickHeaders, unsubscribeTarget, withUnsubscribeFooter } from './unsubscribe-links';

export { UNDELIVERED } from './outbox.repo';

export interface MailMessage {
  to: string;
  subject: string;
  /** Plain text: the letters carry a link and a few sentences, nothing a client must render. */
  text: string;
  /**
   * A letter to a member: it gets a one-click unsubscribe link (List-Unsubscribe and List-Unsubscribe-Post
   * headers, RFC 8058, and the link at the end of the text) that withdraws the member's mailing consent.
   */
  unsubscribeMemberId?: number;
}

export interface MailOptions {
  smtpUrl: string | undefined;
  from: string;
  /** The app's address as the recipient reaches it: unsubscribe links point there. */
  publicUrl: string;
  logger: Logger;
  rate: { perSecond: number; perDomain: number };
  retry: { limit: number; delaySeconds: number };
  sendTimeoutSeconds: number;
}

export interface MailService {
  /**
   * Queues a letter: its outbox row and its job commit with `trx` (the change that called for it) or on
   * their own. Without SMTP_URL the letter is only kept in the outbox. Returns the letter's id.
   */
  send(message: MailMessage, options?: { trx?: Knex.Transaction; batch?: string }): Promise<number>;
  /**
   * Queues many letters without unsubscribe links (personal, not mailings) on `trx`: their outbox rows and jobs
   * in one statement each.
   */
  sendMany(messages: Omit<MailMessage, 'unsubscribeMemberId'>[], options: { trx: Knex.Transaction }): Promise<void>;
  /** Where letters go: shown to administrators so a «sent» never hides that it was only kept. */
  readonly mode: 'smtp' | 'outbox';
  /** The recorded letters, newest first: a page of `limit` before the id `before`, to one address, in given states. */
  outbox(options: { before?: number; limit: number; to?: string; statuses?: OutboxStatus[] }): Promise<OutboxMessage[]>;
  outboxMessage(id: number): Promise<OutboxMessage | undefined>;
  /** A bulk run's letters by state (`send`'s `batch`). */
  batchProgress(batch: string): ReturnType<typeof batchProgress>;
  /** Sends an undelivered letter again (an administrator's decision); false when it is not undelivered. */
  resend(id: number): Promise<boolean>;
  /** The member an unsubscribe link names, while it works (a year); undefined for an unknown or expired one. */
  unsubscribeTarget(token: string): ReturnType<typeof unsubscribeTarget>;
}

type MailJob = QueuedJob<{ messageId: number }>;

/** The mail service's settings from the app's configuration. */
export function mailOptionsOf(config: Config, logger: Logger): MailOptions {
  return {
    smtpUrl: config.smtpUrl,
    from: config.mailFrom,
    publicUrl: config.publicUrl,
    logger,
    rate: config.mailRate,
    retry: config.mailRetry,
    sendTimeoutSeconds: config.mailSendTimeoutSeconds,
  };
}

/**
 * One mail service for the app: every letter is an outbox row plus a job of the `mail` queue, handed to
 * the mail server by a worker (throttled, retried with backoff on temporary refusals).
 *
 * At most once: the worker marks the row `sending` before it talks to the server and `sent` after; an
 * attempt that finds its letter already `sending` (its worker died or lost the database mid-send, so the
 * server may have accepted it) marks it `uncertain` and does not send it — a letter is never sent twice,
 * and the rare one cut off mid-send waits on /admin/mail for an administrator to send it again.
 */
export function createMailService(db: Knex, jobs: JobQueue, options: MailOptions): MailService {
  const transport: Transporter | null = options.smtpUrl ? nodemailer.createTransport(options.smtpUrl) : null;
  const throttle = createThrottle(options.rate);
  const jobOptions = {
    retryLimit: options.retry.limit,
    retryDelay: options.retry.delaySeconds,
    retryBackoff: true,
    expireInSeconds: options.sendTimeoutSeconds,
  };
  const queue = (trx: Knex, messageId: number) => jobs.send(trx, 'mail', { messageId }, jobOptions);

  async function deliver(job: MailJob): Promise<void> {
    const id = job.data.messageId;
    const letter = await claimForSending(db, id);
    if (!letter) {
      await markUnsent(db, id, 'uncertain', 'Отправка прервалась: письмо могло дойти, повторно не отправлялось');
      return;
    }
    await throttle(letter.to);
    try {
      await transport!.sendMail({
        from: options.from,
        to: letter.to,
        subject: letter.subject,
        text: letter.body,
        ...(letter.listUnsubscribe ? { headers: oneClickHeaders(letter.listUnsubscribe) } : {}),
      });
    } catch (err) {
      const verdict = deliveryVerdict(err);
      const reason = (err as Error).message;
      options.logger.warn({ err, messageId: id, verdict }, 'mail not sent');
      if (verdict === 'temporary' && job.retryCount < job.retryLimit) {
        await markUnsent(db, id, 'queued', reason);
        throw err; // pg-boss tries again after its backoff
      }
      await markUnsent(db, id, verdict === 'uncertain' ? 'uncertain' : 'failed', reason);
      return;
    }
    await markSent(db, id);
  }

  if (transport) jobs.handle('mail', deliver);

  return {
    mode: transport ? 'smtp' : 'outbox',
    outbox: (listOptions) => listOutbox(db, listOptions),
    outboxMessage: (id) => findOutboxMessage(db, id),
    batchProgress: (batch) => batchProgress(db, batch),
    unsubscribeTarget: (token) => unsubscribeTarget(db, token),
    async send(message, sendOptions = {}) {
      const id = await inTransaction(sendOptions.trx ?? db, async (trx) => {
        const link =
          message.unsubscribeMemberId === undefined
            ? undefined
            : await newUnsubscribeLink(trx, options.publicUrl, message.unsubscribeMemberId);
        const body = link ? withUnsubscribeFooter(message.text, link) : message.text;
        const row = { to: message.to, subject: message.subject, body, listUnsubscribe: link, batch: sendOptions.batch };
        const messageId = await insertOutboxMessage(trx, { ...row, status: transport ? 'queued' : 'kept' });
        if (transport) await queue(trx, messageId);
        return messageId;
      });
      if (!sendOptions.trx) jobs.wake('mail');
      return id;
    },
    async sendMany(messages, sendOptions) {
      const status = transport ? 'queued' : 'kept';
      const ids = await insertOutboxMessages(
        sendOptions.trx,
        messages.map((m) => ({ to: m.to, subject: m.subject, body: m.text, status })),
      );
      if (transport)
        await jobs.sendMany(
          sendOptions.trx,
          'mail',
          ids.map((messageId) => ({ messageId })),
          jobOptions,
        );
    },
    async resend(id) {
      if (!transport) return false;
      const queued = await inTransaction(db, async (trx) => {
        if (!(await requeueUndelivered(trx, id))) return false;
        await queue(trx, id);
        return true;
      });
      if (queued) jobs.wake('mail');
      return queued;
    },
  };
}
