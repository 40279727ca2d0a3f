import type { Knex } from 'knex';
import { can, homeOrganizations } from '../access/access';
import type { Principal } from '../access/principal';
import { countMembersOnRecord } from '../membership/membership';
import { chairTermUntil, findOrgById, type OrgRow } from '../registry/organizations.service';
import type { ReportsService } from '../reports/reports.service';
import type { MemberRequestsService } from '../me/member-requests.service';
import type { JoinService } from '../join/join.service';
import type { SurveysService } from '../surveys/surveys.service';
import type { MonitoringService } from '../monitoring/monitoring.service';
import type { MembersService } from '../members/members.service';
import { currentReportingDate, dueDate } from '../reports/periods';
import { isOverdue } from '../reports/filing';
import { todayIso } from '../shared/dates';

/** What the home page is built from (deps.ts hands the services over). */
export interface HomeSources {
  reports: Pick<ReportsService, 'returnedReports' | 'formsOf' | 'reportsOn' | 'builtMembersOn'>;
  memberRequests: Pick<MemberRequestsService, 'count'>;
  join: Pick<JoinService, 'waitingCount'>;
  monitoring: Pick<MonitoringService, 'dashboard'>;
  members: Pick<MembersService, 'incomingTransferCount'>;
  surveys: Pick<SurveysService, 'tasks'>;
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
async function chairFigures(sources: HomeSources, db: Knex, org: OrgRow) {
  const today = todayIso();
  const forms = (await sources.reports.formsOf(org)).filter((f) => f.definition.kind === 'lines');
  // the change since the latest reporting date of the quarterly forms (the first they file)
  const quarterly = forms.find((f) => f.definition.reportingDates.length > 1) ?? forms[0];
  const date = quarterly && currentReportingDate(quarterly.definition, today);
  // the current reporting date of each form: one query per date for all the forms due on it
  const dateOf = new Map(forms.map((f) => [f.code, currentReportingDate(f.definition, today)]));
  const dates = [...new Set(dateOf.values())];
  const [rows, then, termUntil] = await Promise.all([
    Promise.all(
      dates.map((on) =>
        sources.reports.reportsOn(
          org,
          forms.filter((f) => dateOf.get(f.code) === on).map((f) => f.code),
          on,
        ),
      ),
    ),
    quarterly && date ? sources.reports.builtMembersOn(org, quarterly, date) : null,
    chairTermUntil(db, org.id),
  ]);
  const found = new Map(rows.flat().map((r) => [r.formCode, r]));
  const reports = forms.map((form) => {
    const on = dateOf.get(form.code)!;
    const report = found.get(form.code);
    const due = dueDate(form.definition, on);
    return { form, date: on, due, status: report?.status ?? 'missing', overdue: isOverdue(report, due, today) };
  });
  return { reports, previous: date ? { date, members: then } : null, termUntil };
}

/** The home page's cards; the returned reports come from the reports' service (deps.ts hands it over). */
export function createHomeService(db: Knex, sources: HomeSources) {
  const { reports, memberRequests, join, monitoring, members, surveys } = sources;

  /** The dashboard's tasks: each count with its list, only those the user may open. */
  function tasksOf(
    principal: Principal,
    org: OrgRow,
    dashboard: Awaited<ReturnType<typeof monitoring.dashboard>>,
    transfers: number | null,
  ): HomeTask[] {
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
    if (transfers !== null)
      tasks.push({
        key: 'transfers',
        label: 'Запросы на перевод ждут решения',
        count: transfers,
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

  /** The dashboard of the organization with its tasks. */
  async function withTasks(principal: Principal, org: OrgRow) {
    const [dashboard, transfers] = await Promise.all([
      monitoring.dashboard(org),
      can(principal, 'member.edit', org) ? members.incomingTransferCount(org) : null,
    ]);
    return { ...dashboard, tasks: tasksOf(principal, org, dashboard, transfers) };
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
        chair: Awaited<ReturnType<typeof chairFigures>> | null;
        /** Open surveys the organization has yet to submit (for whoever answers for it). */
        surveys: number;
      }[] = [];
      const tasks = await surveys.tasks(principal);
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
        const withChair = counts && org.level === 'primary' && roles.includes('chair');
        const edits = can(principal, 'member.edit', org);
        // independent counts: asked side by side, each on its own connection
        const [dashboard, activeMembers, pendingRequests, returned, applications, chair] = await Promise.all([
          withDashboard ? withTasks(principal, org) : null,
          counts && !withDashboard ? countMembersOnRecord(db, org) : null,
          edits ? memberRequests.count(org) : null,
          can(principal, 'report.file', org) ? reports.returnedReports(org.id) : [],
          edits ? join.waitingCount(org.id) : null,
          withChair ? chairFigures(sources, db, org) : null,
        ]);
        summaries.push({
          org,
          roles,
          activeMembers: dashboard ? dashboard.members : activeMembers,
          canOpen: can(principal, 'org.view', org),
          pendingRequests,
          returned,
          applications,
          dashboard,
          chair,
          surveys: tasks.filter((t) => t.organizationId === org.id).length,
        });
      }
      return summaries;
    },
  };
}
