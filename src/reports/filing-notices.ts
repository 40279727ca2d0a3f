import type { NotificationsService } from '../notifications/notifications.service';
import type { OrgRow } from '../registry/orgs.repo';
import { formatDate } from '../shared/format';
import type { FilingFollower } from './filing';
import { lastFiler } from './filing.repo';

/** Who files and decides a report at an organization, and hears of it. */
const REPORTING_ROLES = ['chair', 'statistician', 'coordinator'];

/**
 * Who hears of a move of a report's workflow: a filing reaches those who decide it at the parent
 * organization; an acceptance or a return (with its comment) reaches whoever filed the version and those
 * who file at the organization.
 */
export function filingNotices(
  notifications: NotificationsService,
  t: { org: OrgRow; form: { code: string; definition: { name: string } }; date: string },
): FilingFollower {
  const link = `/reports/${t.form.code}/${t.org.inpo}/${t.date}`;
  const what = `${t.form.definition.name} на ${formatDate(t.date)}, ${t.org.name}`;
  return async (trx, move) => {
    if (move.action === 'filed') {
      if (t.org.parentId === null) return;
      const to = { organizationId: t.org.parentId, roles: REPORTING_ROLES };
      return notifications.notify(trx, { kind: 'report_filed', to, title: `Сдан отчёт: ${what}`, link });
    }
    const to = { userIds: [await lastFiler(trx, move.reportId)], organizationId: t.org.id, roles: REPORTING_ROLES };
    if (move.action === 'accepted')
      return notifications.notify(trx, { kind: 'report_accepted', to, title: `Отчёт принят: ${what}`, link });
    return notifications.notify(trx, {
      kind: 'report_returned',
      to,
      title: `Отчёт возвращён на доработку: ${what}`,
      body: move.comment ? `Комментарий: ${move.comment}` : 'Комментария нет.',
      link,
    });
  };
}
