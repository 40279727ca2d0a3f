import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createOrg, createRegionTree, createUser, unionRoot } from '../support/factories';

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;
let admin: { agent: Agent; csrf: string };

beforeAll(async () => {
  admin = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'admin', org: await unionRoot(db()) }]));
});

/** The ИНПО the picker's fragment suggests, in its order. */
const suggested = (html: string) => [...html.matchAll(/data-pick-inpo="(\d{10})"/g)].map((m) => m[1]!);
const suggest = (who: { agent: Agent }, inpo: string, operation: 'move' | 'merge', typed: string) =>
  who.agent.get(`/orgs/${inpo}/${operation}/targets`).query({ target: typed });

describe('the move and merge picker', () => {
  it('suggests by name only organizations of the user’s subtree that may receive the moved one, with where they sit', async () => {
    const word = `Ромашка${Date.now()}`;
    const r1 = await createRegionTree(db(), 16);
    const r2 = await createRegionTree(db(), 39);
    const ownTerritory = await createOrg(db(), r1.region, 'territorial', { name: `${word} районная` });
    const foreignTerritory = await createOrg(db(), r2.region, 'territorial', { name: `${word} чужая` });
    const plainPpo = await createOrg(db(), r1.territory, 'primary', { name: `${word} школа` });
    const ppoWithRights = await createOrg(db(), r1.territory, 'primary', {
      name: `${word} колледж`,
      hasTerritorialRights: true,
    });
    const closed = await createOrg(db(), r1.region, 'territorial', { name: `${word} закрытая` });
    await db()('organizations').where({ id: closed.id }).update({ liquidated_on: '2025-01-01' });
    const coordinator = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: r1.region }]));

    const res = await suggest(coordinator, r1.primary.inpo, 'move', word.toLowerCase());
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('<html');
    expect(suggested(res.text).sort()).toEqual([ownTerritory.inpo, ppoWithRights.inpo].sort());
    expect(res.text).not.toContain(foreignTerritory.inpo);
    expect(res.text).not.toContain(plainPpo.inpo);
    expect(res.text).toContain(r1.region.name);

    // the admin sees both regions; merging asks for the same level
    const merge = await suggest(admin, r1.primary.inpo, 'merge', word);
    expect(suggested(merge.text).sort()).toEqual([plainPpo.inpo, ppoWithRights.inpo].sort());
  });

  it('suggests by the first digits of an ИНПО, never the organization itself, its own subtree or its current parent', async () => {
    const r1 = await createRegionTree(db(), 16);
    const other = await createOrg(db(), r1.region, 'territorial');
    const res = await suggest(admin, r1.primary.inpo, 'move', other.inpo.slice(0, 9));
    expect(suggested(res.text)).toContain(other.inpo);
    expect(suggested(res.text).every((inpo) => inpo.startsWith(other.inpo.slice(0, 9)))).toBe(true);
    const own = await suggest(admin, r1.primary.inpo, 'move', r1.territory.inpo);
    expect(suggested(own.text)).toEqual([]);
    expect(own.text).toContain('Подходящих организаций не найдено');
  });

  it('when more unfit organizations match than the picker shows, then the fit ones after them are still suggested', async () => {
    const word = `Лютик${Date.now()}`;
    const r1 = await createRegionTree(db(), 16);
    // ППО without a territorial organization's rights cannot receive a ППО, and they come first by name
    for (let i = 0; i < 25; i++) await createOrg(db(), r1.territory, 'primary', { name: `${word} а-школа ${i}` });
    const fit = await createOrg(db(), r1.territory, 'primary', {
      name: `${word} я-колледж`,
      hasTerritorialRights: true,
    });
    const res = await suggest(admin, r1.primary.inpo, 'move', word);
    expect(suggested(res.text)).toEqual([fit.inpo]);
  });

  it('a coordinator typing the exact ИНПО of another region’s organization is suggested nothing', async () => {
    const r1 = await createRegionTree(db(), 16);
    const r2 = await createRegionTree(db(), 39);
    const coordinator = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: r1.region }]));
    for (const inpo of [r2.region.inpo, r2.territory.inpo]) {
      const res = await suggest(coordinator, r1.primary.inpo, 'move', inpo);
      expect(res.status).toBe(200);
      expect(suggested(res.text)).toEqual([]);
    }
  });

  it('suggests at most 20 organizations and nothing for a single letter', async () => {
    const word = `Лютик${Date.now()}`;
    const r1 = await createRegionTree(db(), 16);
    for (let i = 0; i < 23; i++) await createOrg(db(), r1.region, 'territorial', { name: `${word} ${i}` });
    expect(suggested((await suggest(admin, r1.primary.inpo, 'move', word)).text)).toHaveLength(20);
    expect(suggested((await suggest(admin, r1.primary.inpo, 'move', 'Л')).text)).toEqual([]);
  });
});

describe('the preview of a move', () => {
  const post = (path: string, body: Record<string, string>) =>
    admin.agent
      .post(path)
      .type('form')
      .send({ _csrf: admin.csrf, ...body });

  it('warns that the organization passes into another region, and says nothing of it within the region', async () => {
    const r1 = await createRegionTree(db(), 16);
    const r2 = await createRegionTree(db(), 39);
    const across = await post(`/orgs/${r1.primary.inpo}/move`, { target: r2.territory.inpo, on: '2026-02-01' });
    expect(across.status).toBe(200);
    expect(across.text).toContain(`Организация перейдёт в другой регион: ${r2.region.name}`);
    const sibling = await createOrg(db(), r1.region, 'territorial');
    const within = await post(`/orgs/${r1.primary.inpo}/move`, { target: sibling.inpo, on: '2026-02-01' });
    expect(within.status).toBe(200);
    expect(within.text).toContain('Проверьте и подтвердите');
    expect(within.text).not.toContain('другой регион');
  });

  it('when a name is typed but no suggestion picked, then the field asks to pick one or type the ИНПО', async () => {
    const r1 = await createRegionTree(db(), 16);
    for (const operation of ['move', 'merge']) {
      const res = await post(`/orgs/${r1.primary.inpo}/${operation}`, { target: 'Заречная', on: '2026-02-01' });
      expect(res.status).toBe(422);
      expect(res.text).toContain('Выберите организацию из списка подсказок или введите её ИНПО — 10 цифр');
    }
  });
});
