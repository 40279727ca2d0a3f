import type { Knex } from 'knex';
import { inTransaction } from '../db/transaction';
import type { MailService } from '../mail/mail.service';
import { KIND_NAMES, NOTIFICATION_KINDS, type Channel, type NotificationKind } from './kinds';
import {
  chosenChannels,
  countUnread,
  findRecipients,
  insertNotifications,
  insertOrganizationNotifications,
  listNotifications,
  markAllRead,
  savePreferences,
  userChannels,
  type OrganizationNotification,
  type Recipient,
} from './notifications.repo';

export type { OrganizationNotification } from './notifications.repo';

const LIST_SIZE = 50;

/** An event worth telling: to whom (users by id, or the holders of roles on an organization) and what. */
export interface NotificationEvent {
  kind: NotificationKind;
  to: { userIds?: (number | null)[]; organizationId?: number; roles?: string[] };
  title: string;
  body?: string | null;
  /** A path of the app (`/reports/…`): the list links it, the letter gives it with PUBLIC_URL. */
  link?: string | null;
  /** Reminders raised again and again (hourly) reach each user once per key. */
  dedupeKey?: string;
}

export function createNotificationsService(db: Knex, mail: MailService, options: { publicUrl: string }) {
  function letter(user: Recipient & { email: string }, event: Omit<NotificationEvent, 'kind' | 'to'>) {
    return {
      to: user.email,
      subject: `Реестр Профсоюза: ${event.title}`,
      text: [
        `Здравствуйте, ${user.fullName}!`,
        '',
        event.title,
        ...(event.body ? ['', event.body] : []),
        ...(event.link ? ['', `${options.publicUrl}${event.link}`] : []),
        '',
        `Какие уведомления приходят на почту, можно выбрать в личном кабинете: ${options.publicUrl}/account`,
      ].join('\n'),
    };
  }

  /** One event told on a transaction: list rows for those who want them, letters for those who chose e-mail. */
  async function tell(trx: Knex.Transaction, event: NotificationEvent): Promise<void> {
    const ids = (event.to.userIds ?? []).filter((id): id is number => id !== null);
    const users = await findRecipients(trx, { ...event.to, ids });
    if (!users.length) return;
    const chosen = await chosenChannels(
      trx,
      users.map((u) => u.id),
      event.kind,
    );
    const channelOf = (id: number): Channel => chosen.get(id) ?? NOTIFICATION_KINDS[event.kind].channel;
    const told = users.filter((u) => channelOf(u.id) !== 'none');
    const fresh = await insertNotifications(
      trx,
      told.map((u) => ({
        userId: u.id,
        kind: event.kind,
        title: event.title,
        body: event.body ?? null,
        link: event.link ?? null,
        dedupeKey: event.dedupeKey ?? null,
      })),
    );
    for (const user of told)
      if (fresh.has(user.id) && channelOf(user.id) === 'email' && user.email)
        await mail.send(letter({ ...user, email: user.email }, event), { trx });
  }

  return {
    /**
     * Tells the event's recipients, each by their channel for its kind, on the caller's transaction (or one
     * of its own): the list rows and the letters commit with the change they are about (the letters then
     * go through the mail queue).
     */
    notify: (on: Knex, event: NotificationEvent): Promise<void> => inTransaction(on, (trx) => tell(trx, event)),

    /**
     * Tells each of many organizations (a declared campaign's thousands of tasks) its own event — to the holders
     * of `roles` on it, each by their channel for the kind — on the caller's transaction, set-based: one
     * statement for the rows, two for the letters, however many organizations. Each item's dedupe key is
     * told once per user. Returns how many were told.
     */
    async notifyOrganizations(
      trx: Knex.Transaction,
      kind: NotificationKind,
      roles: string[],
      items: OrganizationNotification[],
    ): Promise<number> {
      const told = await insertOrganizationNotifications(trx, kind, NOTIFICATION_KINDS[kind].channel, roles, items);
      const letters = told.flatMap((r) => (r.email ? [letter({ ...r, email: r.email }, r)] : []));
      await mail.sendMany(letters, { trx });
      return told.length;
    },

    /** The user's latest notifications and how many are unread. */
    async inbox(userId: number) {
      const [items, unread] = await Promise.all([listNotifications(db, userId, LIST_SIZE), countUnread(db, userId)]);
      return { items, unread };
    },

    unreadCount: (userId: number) => countUnread(db, userId),
    markRead: (userId: number) => markAllRead(db, userId),

    /** Every kind with the user's channel (their choice or the default). */
    async preferences(userId: number) {
      const chosen = await userChannels(db, userId);
      return KIND_NAMES.map((kind) => ({
        kind,
        label: NOTIFICATION_KINDS[kind].label,
        channel: chosen.get(kind) ?? NOTIFICATION_KINDS[kind].channel,
      }));
    },

    /** Keeps the choices that differ from the defaults (a default changed later reaches those who never chose). */
    async savePreferences(userId: number, choices: Partial<Record<NotificationKind, Channel>>) {
      const differing = KIND_NAMES.filter((k) => choices[k] && choices[k] !== NOTIFICATION_KINDS[k].channel).map(
        (k): [NotificationKind, Channel] => [k, choices[k]!],
      );
      await inTransaction(db, (trx) => savePreferences(trx, userId, differing));
    },
  };
}

export type NotificationsService = ReturnType<typeof createNotificationsService>;
