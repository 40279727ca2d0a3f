import type { Knex } from 'knex';
import { can, homeOrganizations } from '../access/access';
import type { Principal } from '../access/principal';
import { countMembersOnRecord } from '../membership/membership';
import { findOrgById, type OrgRow } from '../registry/organizations.service';
import type { ReportsService } from '../reports/reports.service';
import type { MemberRequestsService } from '../me/member-requests.service';
import type { JoinService } from '../join/join.service';
import type { SurveysService } from '../surveys/surveys.service';

/** The home page's cards; the returned reports come from the reports' service (deps.ts hands it over). */
export function createHomeService(
  db: Knex,
  reports: Pick<ReportsService, 'returnedReports'>,
  memberRequests: Pick<MemberRequestsService, 'count'>,
  join: Pick<JoinService, 'waitingCount'>,
  surveys: Pick<SurveysService, 'tasks'>,
) {
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
        /** Open surveys the organization has yet to submit (for whoever answers for it). */
        surveys: number;
      }[] = [];
      const tasks = await surveys.tasks(principal);
      for (const granted of homeOrganizations(principal)) {
        const org = await findOrgById(db, granted.id);
        if (!org) continue;
        summaries.push({
          org,
          roles: principal.grants.filter((g) => g.organizationId === org.id).map((g) => g.role),
          activeMembers: can(principal, 'org.members.count', org) ? await countMembersOnRecord(db, org) : null,
          canOpen: can(principal, 'org.view', org),
          pendingRequests: can(principal, 'member.edit', org) ? await memberRequests.count(org) : null,
          returned: can(principal, 'report.file', org) ? await reports.returnedReports(org.id) : [],
          applications: can(principal, 'member.edit', org) ? await join.waitingCount(org.id) : null,
          surveys: tasks.filter((t) => t.organizationId === org.id).length,
        });
      }
      return summaries;
    },
  };
}
