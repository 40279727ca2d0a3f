import type { Knex } from 'knex';
import type { Channel, NotificationKind } from './kinds';

export interface Recipient {
  id: number;
  email: string | null;
  fullName: string;
}

export interface Notification {
  id: number;
  kind: NotificationKind;
  title: string;
  body: string | null;
  link: string | null;
  createdAt: Date;
  readAt: Date | null;
}

/** The users (not blocked) among `ids`, and those holding one of `roles` on the organization itself today. */
export async function findRecipients(
  db: Knex,
  who: { ids?: number[]; organizationId?: number; roles?: string[] },
): Promise<Recipient[]> {
  return db('users as u')
    .whereNull('u.blocked_at')
    .where((q) => {
      q.whereIn('u.id', who.ids ?? []);
      if (who.organizationId !== undefined)
        q.orWhereExists(
          db('role_grants as g')
            .whereRaw('g.user_id = u.id')
            .where({ 'g.organization_id': who.organizationId })
            .whereIn('g.role', who.roles ?? [])
            .where((v) => v.whereNull('g.valid_until').orWhere('g.valid_until', '>=', db.raw('CURRENT_DATE'))),
        );
    })
    .select({ id: 'u.id', email: 'u.email', fullName: 'u.full_name' });
}

/** The chosen channels of a kind, per user; users without a choice are absent. */
export async function chosenChannels(
  db: Knex,
  userIds: number[],
  kind: NotificationKind,
): Promise<Map<number, Channel>> {
  const rows: { userId: number; channel: Channel }[] = await db('notification_preferences')
    .whereIn('user_id', userIds)
    .where({ kind })
    .select({ userId: 'user_id', channel: 'channel' });
  return new Map(rows.map((r) => [r.userId, r.channel]));
}

/** The user's own choices by kind. */
export async function userChannels(db: Knex, userId: number): Promise<Map<NotificationKind, Channel>> {
  const rows: { kind: NotificationKind; channel: Channel }[] = await db('notification_preferences')
    .where({ user_id: userId })
    .select('kind', 'channel');
  return new Map(rows.map((r) => [r.kind, r.channel]));
}

/** New rows; with a dedupe key, a user who already has one gets none. Returns the users who got one. */
export async function insertNotifications(
  db: Knex,
  rows: {
    userId: number;
    kind: NotificationKind;
    title: string;
    body: string | null;
    link: string | null;
    dedupeKey: string | null;
  }[],
): Promise<Set<number>> {
  if (!rows.length) return new Set();
  const inserted: { user_id: number }[] = await db('notifications')
    .insert(
      rows.map((r) => ({
        user_id: r.userId,
        kind: r.kind,
        title: r.title.slice(0, 300),
        body: r.body?.slice(0, 2000) ?? null,
        link: r.link,
        dedupe_key: r.dedupeKey,
      })),
    )
    .onConflict(['user_id', 'dedupe_key'])
    .ignore()
    .returning('user_id');
  return new Set(inserted.map((r) => r.user_id));
}

export async function listNotifications(db: Knex, userId: number, limit: number): Promise<Notification[]> {
  return db('notifications').where({ user_id: userId }).orderBy('id', 'desc').limit(limit).select({
    id: 'id',
    kind: 'kind',
    title: 'title',
    body: 'body',
    link: 'link',
    createdAt: 'created_at',
    readAt: 'read_at',
  });
}

export async function countUnread(db: Knex, userId: number): Promise<number> {
  const [row] = await db('notifications')
    .where({ user_id: userId })
    .whereNull('read_at')
    .count<{ count: number }[]>('* as count');
  return Number(row!.count);
}

export async function markAllRead(db: Knex, userId: number): Promise<number> {
  return db('notifications').where({ user_id: userId }).whereNull('read_at').update({ read_at: db.fn.now() });
}

export async function savePreferences(
  db: Knex,
  userId: number,
  channels: [NotificationKind, Channel][],
): Promise<void> {
  await db('notification_preferences').where({ user_id: userId }).delete();
  if (channels.length)
    await db('notification_preferences').insert(
      channels.map(([kind, channel]) => ({ user_id: userId, kind, channel })),
    );
}
