import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser, unionRoot } from '../support/factories';
import { createPassportService } from '../../src/registry/passport.service';
import { listChildren } from '../../src/registry/structure.repo';

const ctx = useTestApp();
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let coordinator: { agent: Agent; csrf: string };

beforeAll(async () => {
  tree = await createRegionTree(ctx.database.ownerDb, 18);
  coordinator = await loggedInAgent(
    ctx.app,
    await createUser(ctx.database.ownerDb, [{ role: 'coordinator', org: tree.region }]),
  );
});

const db = () => ctx.database.ownerDb;

describe('structure tab (issue 16, item 17)', () => {
  it('when a child is liquidated, then the table and its count hold open children only and the liquidated are listed apart, counted apart', async () => {
    const territory = await createOrg(db(), tree.region, 'territorial');
    const open = [await createOrg(db(), territory, 'primary'), await createOrg(db(), territory, 'primary')];
    const closed = await createOrg(db(), territory, 'primary');
    await db()('organizations').where({ id: closed.id }).update({ liquidated_on: '2025-05-01' });

    const page = await coordinator.agent.get(`/orgs/${territory.inpo}/structure`).expect(200);
    expect(page.text).toContain('Входящих организаций: 2,');
    const [openPart, closedPart] = page.text.split('Ликвидированные организации: 1');
    expect(closedPart, 'the liquidated are counted under their own heading').toBeDefined();
    expect(openPart).toContain('Входящие организации: 2.');
    for (const org of open) expect(openPart).toContain(org.inpo);
    expect(openPart).not.toContain(closed.inpo);
    expect(closedPart).toContain(closed.inpo);
    expect(closedPart).toContain('01.05.2025');
  });
});

describe('the union’s structure tab and header (issue 15: read without a path range)', () => {
  it('when the union is read, then each region’s figures are the sums of its cards, latest headcounts and passports', async () => {
    const school = await createOrg(db(), tree.territory, 'primary');
    await createMembers(db(), school, 3, { category: 'working' });
    await createMembers(db(), school, 2, { category: 'student' });
    await db()('org_headcounts').insert([
      {
        organization_id: school.id,
        as_of: '2024-01-01',
        employees_total: 50,
        employees_pedagogical: 30,
        students_total: 0,
      },
      {
        organization_id: school.id,
        as_of: '2025-01-01',
        employees_total: 60,
        employees_pedagogical: 35,
        students_total: 0,
      },
    ]);
    const union = await unionRoot(db());
    const { children } = await listChildren(db(), union, 'name', 1, 1000);
    const { rows: expected } = await db().raw(
      `SELECT r.id,
              (SELECT count(*)::int FROM members m JOIN organizations o ON o.id = m.organization_id
                WHERE o.path <@ r.path AND m.left_on IS NULL AND m.merged_into_id IS NULL) AS active,
              (SELECT count(*)::int FROM members m JOIN organizations o ON o.id = m.organization_id
                WHERE o.path <@ r.path AND m.left_on IS NULL AND m.merged_into_id IS NULL AND m.category = 'working') AS working,
              (SELECT sum((SELECT h.employees_total FROM org_headcounts h WHERE h.organization_id = o.id ORDER BY h.as_of DESC LIMIT 1))::int
                 FROM organizations o WHERE o.path <@ r.path) AS employees,
              (SELECT count(*)::int FROM org_passport_gaps g WHERE g.path <@ r.path
                  AND (g.no_chair OR g.no_chair_term OR g.no_email OR g.no_headcount)) AS incomplete
         FROM organizations r WHERE r.parent_id = ? AND r.liquidated_on IS NULL ORDER BY r.id`,
      [union.id],
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.find((r: { id: number }) => r.id === tree.region.id).employees).toBe(60);
    expect(
      children
        .map((c) => ({
          id: c.id,
          active: c.activeMembers,
          working: c.workingMembers,
          employees: c.employees,
          incomplete: c.incomplete,
        }))
        .sort((a, b) => a.id - b.id),
    ).toEqual(expected);
    const nobody = {
      id: 0,
      username: '',
      fullName: '',
      mustChangePassword: false,
      secondFactorEnrolled: false,
      memberId: null,
      grants: [],
    };
    const header = await createPassportService(db()).header(nobody, union, []);
    const { rows: all } = await db().raw(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE g.no_chair OR g.no_chair_term OR g.no_email OR g.no_headcount)::int AS incomplete
         FROM org_passport_gaps g WHERE g.path <@ ?::ltree AND g.path <> ?::ltree`,
      [union.path, union.path],
    );
    expect(header.incompleteBelow).toEqual(all[0]);
  });
});
