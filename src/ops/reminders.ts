import type { Knex } from 'knex';
import type { NotificationsService } from '../notifications/notifications.service';
import { formatDate } from '../shared/format';
import { chairTermsEnding } from './reminders.repo';

/** A chair's term is announced this many days ahead; the window's width lets a missed day catch up. */
export const CHAIR_TERM_NOTICE_DAYS = 60;
const CATCH_UP_DAYS = 5;

const plusDays = (iso: string, days: number) => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

/**
 * The hourly job's reminders: a chair's term ending in 60 days reaches the organization's chair and
 * coordinators and the coordinators of its parent, once per term (the notification's key), however many
 * hours the term stays in the window.
 */
export async function sendReminders(db: Knex, notifications: NotificationsService, today: string): Promise<number> {
  const last = plusDays(today, CHAIR_TERM_NOTICE_DAYS);
  const terms = await chairTermsEnding(db, plusDays(last, -CATCH_UP_DAYS), last);
  for (const term of terms) {
    const event = {
      kind: 'chair_term_ending' as const,
      title: `Срок полномочий председателя истекает ${formatDate(term.termUntil)}: ${term.name}`,
      body: 'Подготовьте отчётно-выборное собрание и внесите итоги выборов на вкладку «Председатель и выборные органы».',
      link: `/orgs/${term.inpo}`,
      dedupeKey: `chair-term:${term.officerId}:${term.termUntil}`,
    };
    await notifications.notify(db, {
      ...event,
      to: { organizationId: term.organizationId, roles: ['chair', 'coordinator'] },
    });
    if (term.parentId !== null)
      await notifications.notify(db, { ...event, to: { organizationId: term.parentId, roles: ['coordinator'] } });
  }
  return terms.length;
}
