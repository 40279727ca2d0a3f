import type { Knex } from 'knex';

export type OutboxStatus = 'kept' | 'sent' | 'failed';

export interface OutboxMessage {
  id: number;
  to: string;
  subject: string;
  body: string | null;
  status: OutboxStatus;
  error: string | null;
  createdAt: Date;
}

const COLUMNS = {
  id: 'id',
  to: 'to_address',
  subject: 'subject',
  body: 'body',
  status: 'status',
  error: 'error',
  createdAt: 'created_at',
};

export async function insertOutboxMessage(
  db: Knex,
  message: { to: string; subject: string; body: string | null; status: OutboxStatus; error?: string | null },
): Promise<number> {
  const [row] = await db('mail_outbox')
    .insert({
      to_address: message.to,
      subject: message.subject,
      body: message.body,
      status: message.status,
      error: message.error ?? null,
    })
    .returning('id');
  return row.id;
}

/** Newest first, one keyset page: `before` is the id of the last message of the previous page. */
export async function listOutbox(
  db: Knex,
  options: { before?: number; limit: number; to?: string },
): Promise<OutboxMessage[]> {
  const q = db('mail_outbox').select(COLUMNS).orderBy('id', 'desc').limit(options.limit);
  if (options.before) q.where('id', '<', options.before);
  if (options.to) q.whereRaw('lower(to_address) = lower(?)', [options.to]);
  return q;
}

export async function findOutboxMessage(db: Knex, id: number): Promise<OutboxMessage | undefined> {
  return db('mail_outbox').select(COLUMNS).where({ id }).first();
}
