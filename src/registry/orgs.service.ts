import type { Knex } from 'knex';
import { authorize, can } from '../access/access';
import type { Principal } from '../access/principal';
import { INPO_PATTERN } from '../shared/inpo';
import { countActiveMembersInSubtree, findAncestors, findChildrenWithCounts, findOrgByInpo, type OrgRow } from './orgs.repo';

export function createOrgsService(db: Knex) {
  return {
    /** The organization page: 404 outside the user's subtrees, whatever the ИНПО. */
    async organizationPage(principal: Principal, inpo: string) {
      const org = INPO_PATTERN.test(inpo) ? await findOrgByInpo(db, inpo) : undefined;
      authorize(principal, 'org.view', org);
      const [ancestors, children, activeMembers] = await Promise.all([
        findAncestors(db, org),
        findChildrenWithCounts(db, org),
        countActiveMembersInSubtree(db, org.path),
      ]);
      return {
        org,
        // Breadcrumbs stop at the user's own grant: higher levels are not theirs to open.
        breadcrumbs: ancestors.filter((a) => can(principal, 'org.view', a)),
        children,
        activeMembers,
      };
    },

    /** What the home page shows for each organization the user holds a grant on. */
    async homeSummaries(principal: Principal) {
      const seen = new Set<number>();
      const summaries: { org: OrgRow; roles: string[]; activeMembers: number | null; canOpen: boolean }[] = [];
      for (const grant of principal.grants) {
        if (seen.has(grant.organizationId)) continue;
        seen.add(grant.organizationId);
        const org = await findOrgByInpo(db, grant.organizationInpo);
        if (!org) continue;
        const canCount = can(principal, 'org.members.count', org);
        summaries.push({
          org,
          roles: principal.grants.filter((g) => g.organizationId === org.id).map((g) => g.role),
          activeMembers: canCount ? await countActiveMembersInSubtree(db, org.path) : null,
          canOpen: can(principal, 'org.view', org),
        });
      }
      return summaries;
    },
  };
}

export type OrgsService = ReturnType<typeof createOrgsService>;
