import type { Knex } from 'knex';
import { can, homeOrganizations } from '../access/access';
import type { Principal } from '../access/principal';
import { findOrgById, type OrgRow } from '../registry/orgs.repo';
import { countMembersOnRecord } from '../membership/member-counts.repo';

export function createHomeService(db: Knex) {
  return {
    /** One card per organization the user holds a grant on. */
    async summaries(principal: Principal) {
      const summaries: { org: OrgRow; roles: string[]; activeMembers: number | null; canOpen: boolean }[] = [];
      for (const granted of homeOrganizations(principal)) {
        const org = await findOrgById(db, granted.id);
        if (!org) continue;
        summaries.push({
          org,
          roles: principal.grants.filter((g) => g.organizationId === org.id).map((g) => g.role),
          activeMembers: can(principal, 'org.members.count', org) ? await countMembersOnRecord(db, org) : null,
          canOpen: can(principal, 'org.view', org),
        });
      }
      return summaries;
    },
  };
}
