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

/** One organization's notification of a set told at once (`insertOrganizationNotifications`). */
export interface OrganizationNotification {
  organizationId: number;
  title: string;
  body: string | null;
  link: string | null;
  /** One per organization: a user told of it once is never told again. */
  dedupeKey: string;
}

/**
 * Tells each organization's holders of `roles` (valid grants, users not blocked) its own notification, in one
 * statement for the whole set: a row for each whose channel for the kind (their choice, else `defaultChannel`)
 * is not `none`, none where the key was already told. Returns the fresh rows, `email` set where a letter is wanted.
 */
export async function insertOrganizationNotifications(
  trx: Knex.Transaction,
  kind: NotificationKind,
  defaultChannel: Channel,
  roles: string[],
  items: OrganizationNotification[],
): Promise<(Recipient & { title: string; body: string | null; link: string | null })[]> {
  if (!items.length) return [];
  const { rows } = await trx.raw(
    `WITH item AS (
       SELECT * FROM jsonb_to_recordset(:items::jsonb) AS x ("organizationId" int, title text, body text, link text, "dedupeKey" text)),
     -- a user holding two of the roles on one organization is told once
     who AS (
       SELECT DISTINCT ON (u.id, i."organizationId") u.id AS user_id, u.email, u.full_name, i.*,
              coalesce(p.channel, :defaultChannel) AS channel
         FROM item i
         JOIN role_grants g ON g.organization_id = i."organizationId" AND g.role = ANY(:roles::text[])
                           AND (g.valid_until IS NULL OR g.valid_until >= CURRENT_DATE)
         JOIN users u ON u.id = g.user_id AND u.blocked_at IS NULL
         LEFT JOIN notification_preferences p ON p.user_id = u.id AND p.kind = :kind
        ORDER BY u.id, i."organizationId"),
     told AS (
       INSERT INTO notifications (user_id, kind, title, body, link, dedupe_key)
       SELECT user_id, :kind, left(title, 300), left(body, 2000), link, "dedupeKey" FROM who WHERE channel <> 'none'
       ON CONFLICT (user_id, dedupe_key) DO NOTHING
       RETURNING user_id, dedupe_key)
     SELECT w.user_id AS id, CASE WHEN w.channel = 'email' THEN w.email END AS email, w.full_name AS "fullName",
            w.title, w.body, w.link
       FROM told t JOIN who w ON w.user_id = t.user_id AND w."dedupeKey" = t.dedupe_key
      ORDER BY w.user_id, w."dedupeKey"`,
    { items: JSON.stringify(items), defaultChannel, roles, kind },
  );
  return rows;
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
