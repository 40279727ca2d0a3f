import type { Knex } from 'knex';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import { findOutboxMessage, insertOutboxMessage, listOutbox, type OutboxMessage } from './outbox.repo';

export interface MailMessage {
  to: string;
  subject: string;
  /** Plain text: the letters carry a link and a few sentences, nothing a client must render. */
  text: string;
}

export interface MailService {
  /** Sends now through SMTP, or keeps the letter in the outbox when no SMTP_URL is configured. */
  send(message: MailMessage): Promise<void>;
  /** Where letters go: shown to administrators so a «sent» never hides that it was only kept. */
  readonly mode: 'smtp' | 'outbox';
  /** The recorded letters, newest first: a page of `limit` before the id `before`, to one address if given. */
  outbox(options: { before?: number; limit: number; to?: string }): Promise<OutboxMessage[]>;
  outboxMessage(id: number): Promise<OutboxMessage | undefined>;
}

/**
 * One mail service for the app. Every letter is also recorded in `mail_outbox` (status sent / failed /
 * kept), so an administrator can see what was sent to whom; the queue of a later issue replaces
 * `send` without its callers changing.
 */
export function createMailService(
  db: Knex,
  options: { smtpUrl: string | undefined; from: string; logger: Logger },
): MailService {
  const transport: Transporter | null = options.smtpUrl ? nodemailer.createTransport(options.smtpUrl) : null;
  return {
    mode: transport ? 'smtp' : 'outbox',
    outbox: (listOptions) => listOutbox(db, listOptions),
    outboxMessage: (id) => findOutboxMessage(db, id),
    async send(message) {
      if (!transport) {
        await insertOutboxMessage(db, { to: message.to, subject: message.subject, body: message.text, status: 'kept' });
        return;
      }
      try {
        await transport.sendMail({ from: options.from, to: message.to, subject: message.subject, text: message.text });
        await insertOutboxMessage(db, { to: message.to, subject: message.subject, body: null, status: 'sent' });
      } catch (err) {
        options.logger.warn({ err, to: message.to }, 'mail not sent');
        await insertOutboxMessage(db, {
          to: message.to,
          subject: message.subject,
          body: null,
          status: 'failed',
          error: (err as Error).message.slice(0, 500),
        });
        throw err;
      }
    },
  };
}
