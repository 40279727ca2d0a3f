import type { Knex } from 'knex';
import type { NotificationsService } from '../notifications/notifications.service';
import { formatDate } from '../shared/format';
import { FILER_ROLES, organizationsNotFiled } from './filing-reminders.repo';
import { appliesTo, listActiveForms } from './forms/forms.repo';
import { currentReportingDate, dueDate } from './periods';

/** How many days before its deadline a report not filed is announced, and for how many after it. */
const DAYS_BEFORE = 3;
const DAYS_AFTER = 3;

const plusDays = (iso: string, days: number) => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

/** Which reminder the day calls for around a deadline: before it, just after it, or none. */
function reminderOn(today: string, due: string): 'filing_due' | 'filing_overdue' | null {
  if (today <= due) return today >= plusDays(due, -DAYS_BEFORE) ? 'filing_due' : null;
  return today <= plusDays(due, DAYS_AFTER) ? 'filing_overdue' : null;
}

/**
 * The hourly job's deadline reminders: for every active form, the report of the current reporting date
 * that an organization files and has not filed is announced to its filers in the three days before its
 * deadline and once more when it is overdue — once per organization, form and date (the notification's
 * key), however many hours the day stays in the window: organizations already told are not read again.
 * Outside the windows nothing is read.
 */
export async function sendFilingReminders(
  db: Knex,
  notifications: NotificationsService,
  today: string,
): Promise<number> {
  let told = 0;
  for (const form of await listActiveForms(db)) {
    const def = form.definition;
    const date = currentReportingDate(def, today);
    const due = dueDate(def, date);
    const kind = reminderOn(today, due);
    if (!kind) continue;
    const what = `${def.name} на ${formatDate(date)}`;
    const reminderKey = `${kind}:${form.code}:${date}:`;
    for (const org of await organizationsNotFiled(db, form.code, date, reminderKey)) {
      if (!appliesTo(def, org)) continue;
      await notifications.notify(db, {
        kind,
        to: { organizationId: org.id, roles: FILER_ROLES },
        title:
          kind === 'filing_due'
            ? `Срок сдачи отчёта ${what} — ${formatDate(due)}: ${org.name}`
            : `Отчёт ${what} не сдан в срок (${formatDate(due)}): ${org.name}`,
        link: `/reports/${form.code}/${org.inpo}/${date}`,
        dedupeKey: `${reminderKey}${org.id}`,
      });
      told++;
    }
  }
  return told;
}
