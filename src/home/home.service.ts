import type { Knex } from 'knex';
import { can, homeOrganizations } from '../access/access';
import type { Principal } from '../access/principal';
import { countMembersOnRecord } from '../membership/membership';
import { chairTermUntil, findOrgById, type OrgRow } from '../registry/organizations.service';
import type { ReportsService } from '../reports/reports.service';
import type { MemberRequestsService } from '../me/member-requests.service';
import type { JoinService } from '../join/join.service';
import type { MonitoringService } from '../monitoring/monitoring.service';
import type { MembersService } from '../members/members.service';
import { currentReportingDate, dueDate } from '../reports/periods';
import { isOverdue } from '../reports/filing';
import { todayIso } from '../shared/dates';

/** What the home page is built from (deps.ts hands the services over). */
export interface HomeSources {
  reports: Pick<ReportsService, 'returnedReports' | 'formsOf' | 'reportOf' | 'builtMembersOn'>;
  memberRequests: Pick<MemberRequestsService, 'count'>;
  join: Pick<JoinService, 'waitingCount'>;
  monitoring: Pick<MonitoringService, 'dashboard'>;
  members: Pick<MembersService, 'incomingTransferCount'>;
}

/** The roles whose home page carries the dashboard of their organization (a chair's carries their ППО's own). */
const DASHBOARD_ROLES = new Set(['admin', 'coordinator', 'curator']);

/** A task of the dashboard: a count and the list that holds exactly those items. */
export interface HomeTask {
  key: 'overdue' | 'returned' | 'transfers' | 'expired-terms';
  label: string;
  count: number;
  href: string;
}

/** The chair's own figures of their ППО. */
async function chairFigures(sources: HomeSources, org: OrgRow) {
  const today = todayIso();
  const forms = (await sources.reports.formsOf(org)).filter((f) => f.definition.kind === 'lines');
  const reports = await Promise.all(
    forms.map(async (form) => {
      const date = currentReportingDate(form.definition, today);
      const report = await sources.reports.reportOf({ org, form, date });
      const due = dueDate(form.definition, date);
      return { form, date, due, status: report?.status ?? 'missing', overdue: isOverdue(report, due, today) };
    }),
  );
  // the change since the latest reporting date of the quarterly forms (the first they file)
  const quarterly = forms.find((f) => f.definition.reportingDates.length > 1) ?? forms[0];
  const date = quarterly && currentReportingDate(quarterly.definition, today);
  const previous =
    quarterly && date ? { date, members: await sources.reports.builtMembersOn(org, quarterly, date) } : null;
  return { reports, previous };
}

/** The home page's cards; the returned reports come from the reports' service (deps.ts hands it over). */
export function createHomeService(db: Knex, sources: HomeSources) {
  const { reports, memberRequests, join, monitoring, members } = sources;

  /** The dashboard's tasks: each count with its list, only those the user may open. */
  async function tasksOf(
    principal: Principal,
    org: OrgRow,
    dashboard: Awaited<ReturnType<typeof monitoring.dashboard>>,
  ) {
    const tasks: HomeTask[] = [];
    const campaign = dashboard.campaign;
    if (campaign && can(principal, 'report.view', org)) {
      tasks.push({
        key: 'overdue',
        label: 'Просрочены отчёты',
        count: campaign.totals.overdue,
        href: `${campaign.boardHref}&show=overdue`,
      });
      tasks.push({
        key: 'returned',
        label: 'Отчёты возвращены на доработку',
        count: campaign.totals.returned,
        href: `${campaign.boardHref}&show=returned`,
      });
    }
    if (can(principal, 'member.edit', org))
      tasks.push({
        key: 'transfers',
        label: 'Запросы на перевод ждут решения',
        count: await members.incomingTransferCount(org),
        href: `/orgs/${org.inpo}/transfer-requests`,
      });
    tasks.push({
      key: 'expired-terms',
      label: 'ППО с истёкшим сроком полномочий председателя',
      count: dashboard.expiredTerm,
      href: `/orgs/${org.inpo}/search?level=primary&filter=expired_term`,
    });
    return tasks;
  }

  return {
    /** One card per organization the user holds a grant on. */
    async summaries(principal: Principal) {
      const summaries: {
        org: OrgRow;
        roles: string[];
        activeMembers: number | null;
        canOpen: boolean;
        /** Members' corrections and requests to leave waiting in the subtree (for whoever decides them). */
        pendingRequests: number | null;
        returned: Awaited<ReturnType<typeof reports.returnedReports>>;
        /** Confirmed online applications waiting for the chair's decision (null: not theirs to decide). */
        applications: number | null;
        /** The dashboard of a coordinator's, curator's or the federal administrator's organization. */
        dashboard: (Awaited<ReturnType<typeof monitoring.dashboard>> & { tasks: HomeTask[] }) | null;
        /** A chair's own: their reports of the current dates, the change of members, their term. */
        chair: (Awaited<ReturnType<typeof chairFigures>> & { termUntil: string | null }) | null;
      }[] = [];
      for (const granted of homeOrganizations(principal)) {
        const org = await findOrgById(db, granted.id);
        if (!org) continue;
        const roles = principal.grants.filter((g) => g.organizationId === org.id).map((g) => g.role);
        const counts = can(principal, 'org.members.count', org);
        const withDashboard =
          counts &&
          org.level !== 'primary' &&
          roles.some((r) => DASHBOARD_ROLES.has(r)) &&
          can(principal, 'org.view', org);
        const dashboard = withDashboard ? await monitoring.dashboard(org) : null;
        const withChair = counts && org.level === 'primary' && roles.includes('chair');
        summaries.push({
          org,
          roles,
          activeMembers: dashboard ? dashboard.members : counts ? await countMembersOnRecord(db, org) : null,
          canOpen: can(principal, 'org.view', org),
          pendingRequests: can(principal, 'member.edit', org) ? await memberRequests.count(org) : null,
          returned: can(principal, 'report.file', org) ? await reports.returnedReports(org.id) : [],
          applications: can(principal, 'member.edit', org) ? await join.waitingCount(org.id) : null,
          dashboard: dashboard && { ...dashboard, tasks: await tasksOf(principal, org, dashboard) },
          chair: withChair
            ? { ...(await chairFigures(sources, org)), termUntil: await chairTermUntil(db, org.id) }
            : null,
        });
      }
      return summaries;
    },
  };
}
