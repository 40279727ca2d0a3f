import type { Knex } from 'knex';

export const OUTBOX_STATUSES = ['kept', 'queued', 'sending', 'sent', 'failed', 'uncertain'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];
/** The letters an administrator must look at: refused for good, or cut off while being handed over. */
export const UNDELIVERED: OutboxStatus[] = ['failed', 'uncertain'];

export interface OutboxMessage {
  id: number;
  to: string;
  subject: string;
  body: string | null;
  status: OutboxStatus;
  error: string | null;
  attempts: number;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = {
  id: 'id',
  to: 'to_address',
  subject: 'subject',
  body: 'body',
  status: 'status',
  error: 'error',
  attempts: 'attempts',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

export async function insertOutboxMessage(
  db: Knex,
  message: {
    to: string;
    subject: string;
    body: string;
    listUnsubscribe?: string;
    status: 'kept' | 'queued';
    batch?: string;
  },
): Promise<number> {
  const [row] = await db('mail_outbox')
    .insert({
      to_address: message.to,
      subject: message.subject,
      body: message.body,
      list_unsubscribe: message.listUnsubscribe ?? null,
      status: message.status,
      batch: message.batch ?? null,
    })
    .returning('id');
  return row.id;
}

/** Many letters in one statement; their ids in the given order. */
export async function insertOutboxMessages(
  db: Knex,
  messages: { to: string; subject: string; body: string; status: 'kept' | 'queued' }[],
): Promise<number[]> {
  if (!messages.length) return [];
  const rows = await db('mail_outbox')
    .insert(messages.map((m) => ({ to_address: m.to, subject: m.subject, body: m.body, status: m.status })))
    .returning('id');
  return rows.map((r: { id: number | string }) => Number(r.id));
}

/** Newest first, one keyset page: `before` is the id of the last message of the previous page. */
export async function listOutbox(
  db: Knex,
  options: { before?: number; limit: number; to?: string; statuses?: OutboxStatus[] },
): Promise<OutboxMessage[]> {
  const q = db('mail_outbox').select(COLUMNS).orderBy('id', 'desc').limit(options.limit);
  if (options.before) q.where('id', '<', options.before);
  if (options.to) q.whereRaw('lower(to_address) = lower(?)', [options.to]);
  if (options.statuses) q.whereIn('status', options.statuses);
  return q;
}

export async function findOutboxMessage(db: Knex, id: number): Promise<OutboxMessage | undefined> {
  return db('mail_outbox').select(COLUMNS).where({ id }).first();
}

/**
 * The worker's claim before it talks to the mail server: only a queued letter becomes `sending`. A letter
 * found `sending` was claimed by an attempt that never came back, and is not claimed again.
 */
export async function claimForSending(
  db: Knex,
  id: number,
): Promise<{ to: string; subject: string; body: string; listUnsubscribe: string | null } | undefined> {
  const [row] = await db('mail_outbox')
    .where({ id, status: 'queued' })
    .update({ status: 'sending', attempts: db.raw('attempts + 1'), updated_at: db.fn.now() })
    .returning(['to_address as to', 'subject', 'body', 'list_unsubscribe as listUnsubscribe']);
  return row;
}

/** Sent: the text and the unsubscribe link go (they carry links, which must not outlive the mailbox they went to). */
export async function markSent(db: Knex, id: number): Promise<void> {
  await db('mail_outbox')
    .where({ id, status: 'sending' })
    .update({ status: 'sent', body: null, list_unsubscribe: null, error: null, updated_at: db.fn.now() });
}

/** After an attempt that did not end in `sent`: back to the queue, or failed/uncertain with the reason. */
export async function markUnsent(
  db: Knex,
  id: number,
  status: 'queued' | 'failed' | 'uncertain',
  error: string,
): Promise<void> {
  await db('mail_outbox')
    .where({ id, status: 'sending' })
    .update({ status, error: error.slice(0, 500), updated_at: db.fn.now() });
}

/** A letter an administrator sends again: only an undelivered one whose text is still kept. */
export async function requeueUndelivered(db: Knex, id: number): Promise<boolean> {
  const count = await db('mail_outbox')
    .where({ id })
    .whereIn('status', UNDELIVERED)
    .whereNotNull('body')
    .update({ status: 'queued', error: null, updated_at: db.fn.now() });
  return count > 0;
}

/** The letters of a bulk run by state: how many went out (or were kept), failed, and are still on their way. */
export async function batchProgress(
  db: Knex,
  batch: string,
): Promise<{ delivered: number; undelivered: number; pending: number; lastChange: Date | null }> {
  const [row] = await db('mail_outbox')
    .where({ batch })
    .select(
      db.raw("count(*) FILTER (WHERE status IN ('sent','kept'))::int AS delivered"),
      db.raw("count(*) FILTER (WHERE status IN ('failed','uncertain'))::int AS undelivered"),
      db.raw("count(*) FILTER (WHERE status IN ('queued','sending'))::int AS pending"),
      db.raw('max(updated_at) AS "lastChange"'),
    );
  return row;
}
