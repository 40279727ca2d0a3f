import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createOrg, createRegionTree, createUser } from '../support/factories';

const ctx = useTestApp();
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let coordinator: { agent: Agent; csrf: string };

beforeAll(async () => {
  tree = await createRegionTree(ctx.database.ownerDb, 22);
  coordinator = await loggedInAgent(
    ctx.app,
    await createUser(ctx.database.ownerDb, [{ role: 'coordinator', org: tree.region }]),
  );
});

const db = () => ctx.database.ownerDb;
const search = (q: string) => coordinator.agent.get(`/orgs/${tree.region.inpo}/search`).query({ q }).expect(200);

describe('organization search (issue 16, item 16)', () => {
  it('when an ИНПО prefix is typed, then the organizations whose ИНПО starts with it are found, each with its path', async () => {
    const school = await createOrg(db(), tree.territory, 'primary', { name: 'ППО Школы № 100' });
    const page = await search(school.inpo.slice(0, 8));
    expect(page.text).toContain(`href="/orgs/${school.inpo}"`);
    // the path from the region down to the parent: where the organization sits
    expect(page.text).toContain(`${tree.region.name} › ${tree.territory.name}`);
  });

  it('when digits are part of a name, then the name still matches as well', async () => {
    const school = await createOrg(db(), tree.territory, 'primary', { name: 'ППО Гимназии № 931' });
    const page = await search('931');
    expect(page.text).toContain(`href="/orgs/${school.inpo}"`);
  });

  it('the ИНПО prefix is answered from an index, not by reading every organization', async () => {
    await db().raw('SET enable_seqscan = off');
    try {
      const { rows } = await db().raw("EXPLAIN SELECT id FROM organizations WHERE inpo LIKE '2200%'");
      expect(rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n')).toMatch(
        /Index (Only )?Scan|Bitmap Index Scan/,
      );
    } finally {
      await db().raw('RESET enable_seqscan');
    }
  });
});
