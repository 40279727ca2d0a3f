import { describe, expect, it } from 'vitest';
import type { Role } from '../../src/access/roles';
import type { Level } from '../../src/registry/levels';
import type { OrgRow } from '../../src/registry/orgs.repo';
import { seededRandom } from '../../seeds/data/russian-names';
import { useTestApp } from '../support/app';
import { loggedInAgent } from '../support/agents';
import { createOrg, createRegionTree, createUser, unionRoot, type TestUser } from '../support/factories';

const ctx = useTestApp();

describe('subtree isolation', () => {
  it("when a coordinator of one region opens another region's organization by ИНПО, then 404 (not 403)", async () => {
    const db = ctx.database.ownerDb;
    const r1 = await createRegionTree(db, 16);
    const r2 = await createRegionTree(db, 39);
    const coordinator = await createUser(db, [{ role: 'coordinator', org: r1.region }]);
    const { agent } = await loggedInAgent(ctx.app, coordinator);
    for (const org of [r2.region, r2.territory, r2.primary]) {
      const res = await agent.get(`/orgs/${org.inpo}`);
      expect(res.status).toBe(404);
      expect(res.text).toContain('Страница не найдена');
      expect(res.text).not.toContain(org.name);
    }
    expect((await agent.get(`/orgs/${r1.primary.inpo}`)).status).toBe(200);
    // An ИНПО that does not exist looks exactly like a foreign one.
    expect((await agent.get('/orgs/9999999999')).status).toBe(404);
    expect((await agent.get('/orgs/not-a-number')).status).toBe(404);
  });

  it('when the organization page lists children and breadcrumbs, then nothing above the grant is shown', async () => {
    const db = ctx.database.ownerDb;
    const tree = await createRegionTree(db, 52);
    const chair = await createUser(db, [{ role: 'chair', org: tree.territory }]);
    const { agent } = await loggedInAgent(ctx.app, chair);
    const page = await agent.get(`/orgs/${tree.primary.inpo}`).expect(200);
    expect(page.text).toContain(`href="/orgs/${tree.territory.inpo}"`);
    expect(page.text).not.toContain(`href="/orgs/${tree.region.inpo}"`);
    expect(page.text).not.toContain(`href="/orgs/${tree.union.inpo}"`);
  });

  it('when users hold random grants on a random tree, then access equals the subtree computed from parent links', async () => {
    const db = ctx.database.ownerDb;
    const random = seededRandom(42);
    const union = await unionRoot(db);
    const orgs: OrgRow[] = [];
    const add = async (parent: OrgRow, level: Level, extra = {}) => {
      const org = await createOrg(db, parent, level, extra);
      orgs.push(org);
      return org;
    };
    for (let r = 0; r < 3; r++) {
      const region = await add(union, 'regional', { regionCode: 60 + r });
      for (let t = 0; t < random.int(1, 3); t++) {
        const territory = await add(region, 'territorial');
        for (let p = 0; p < random.int(1, 3); p++) {
          const primary = await add(territory, 'primary');
          if (random.chance(0.5)) await add(primary, 'group');
        }
      }
      if (random.chance(0.7)) await add(region, 'primary', { hasTerritorialRights: true });
    }
    const parentOf = new Map(orgs.map((o) => [o.id, o.parentId]));
    const inSubtree = (org: OrgRow, root: OrgRow) => {
      for (let id: number | null | undefined = org.id; id != null; id = parentOf.get(id))
        if (id === root.id) return true;
      return false;
    };

    const cases: { user: TestUser; grants: OrgRow[] }[] = [];
    for (let u = 0; u < 5; u++) {
      const grants = [random.pick(orgs), ...(random.chance(0.4) ? [random.pick(orgs)] : [])];
      const role: Role = random.pick(['coordinator', 'chair', 'statistician'] as const);
      cases.push({
        user: await createUser(
          db,
          grants.map((org) => ({ role, org })),
        ),
        grants,
      });
    }
    let allowed = 0;
    let denied = 0;
    for (const { user, grants } of cases) {
      const { agent } = await loggedInAgent(ctx.app, user);
      for (const org of orgs) {
        const expected = grants.some((g) => inSubtree(org, g)) ? 200 : 404;
        if (expected === 200) allowed++;
        else denied++;
        const res = await agent.get(`/orgs/${org.inpo}`);
        expect(res.status, `user with grants ${grants.map((g) => g.inpo)} opening ${org.inpo}`).toBe(expected);
      }
    }
    expect(allowed).toBeGreaterThan(0);
    expect(denied).toBeGreaterThan(0);
  });
});
