import type { Knex } from 'knex';
import { can, homeOrganizations } from '../access/access';
import type { Principal } from '../access/principal';
import { findOrgById, type OrgRow } from '../registry/orgs.repo';
import { countMembersOnRecord } from '../membership/member-counts.repo';
import { listReturnedReports, type ReturnedReport } from '../reports/filing.repo';
import { listActiveForms } from '../reports/forms/forms.repo';

export function createHomeService(db: Knex) {
  /** The reports the chair is asked to fix, with the form's name as the chair knows it («5-СП»). */
  async function returnedReports(org: OrgRow): Promise<(ReturnedReport & { formName: string })[]> {
    const returned = await listReturnedReports(db, org.id);
    if (!returned.length) return [];
    const names = new Map((await listActiveForms(db)).map((f) => [f.code, f.definition.name]));
    return returned.map((r) => ({ ...r, formName: names.get(r.formCode) ?? r.formCode }));
  }

  return {
    /** One card per organization the user holds a grant on. */
    async summaries(principal: Principal) {
      const summaries: {
        org: OrgRow;
        roles: string[];
        activeMembers: number | null;
        canOpen: boolean;
        returned: Awaited<ReturnType<typeof returnedReports>>;
      }[] = [];
      for (const granted of homeOrganizations(principal)) {
        const org = await findOrgById(db, granted.id);
        if (!org) continue;
        summaries.push({
          org,
          roles: principal.grants.filter((g) => g.organizationId === org.id).map((g) => g.role),
          activeMembers: can(principal, 'org.members.count', org) ? await countMembersOnRecord(db, org) : null,
          canOpen: can(principal, 'org.view', org),
          returned: can(principal, 'report.file', org) ? await returnedReports(org) : [],
        });
      }
      return summaries;
    },
  };
}
