import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createOrg, createRegionTree, createUser } from '../support/factories';

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
