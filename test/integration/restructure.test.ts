import { beforeAll, describe, expect, it } from 'vitest';
import { createRestructureService } from '../../src/registry/restructure.service';
import { findOrgById } from '../../src/registry/orgs.repo';
import { countMembersOnRecord } from '../../src/membership/member-counts.repo';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser, unionRoot } from '../support/factories';

const ctx = useTestApp();
let admin: { agent: Agent; csrf: string };
const db = () => ctx.database.ownerDb;
const auditCtx = { actorUserId: null, requestId: 'test', ip: '127.0.0.1' };

beforeAll(async () => {
  admin = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'admin', org: await unionRoot(db()) }]));
});

const post = (who: { agent: Agent; csrf: string }, path: string, body: Record<string, string>) =>
  who.agent
    .post(path)
    .type('form')
    .send({ _csrf: who.csrf, ...body });
const memberIdsOf = async (orgId: number) =>
  (await db()('members').where({ organization_id: orgId }).orderBy('id').select('id')).map((r) => Number(r.id));

describe('moving', () => {
  it('when a territory moves to another region, then its whole subtree follows, ИНПО and ids stay, and it is previewed first', async () => {
    const r1 = await createRegionTree(db(), 16);
    const r2 = await createRegionTree(db(), 39);
    const unit = await createOrg(db(), r1.primary, 'subdivision');
    await createMembers(db(), r1.primary, 7);
    await createMembers(db(), unit, 3);
    const before = await findOrgById(db(), r1.territory.id);

    const preview = await post(admin, `/orgs/${r1.territory.inpo}/move`, { target: r2.region.inpo, on: '2026-02-01' });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Проверьте и подтвердите');
    expect(preview.text).toContain('Членов Профсоюза на учёте (включая входящие организации): 10');
    expect(preview.text).toContain('Входящих действующих организаций: 2');
    expect((await findOrgById(db(), r1.territory.id))!.parentId).toBe(r1.region.id);

    const done = await post(admin, `/orgs/${r1.territory.inpo}/move`, {
      target: r2.region.inpo,
      on: '2026-02-01',
      confirm: 'yes',
    });
    expect(done.status).toBe(303);
    for (const org of [r1.territory, r1.primary, unit]) {
      const moved = (await findOrgById(db(), org.id))!;
      expect(moved.inpo).toBe(org.inpo);
      expect(moved.path.startsWith(`${r2.region.path}.`)).toBe(true);
    }
    expect((await findOrgById(db(), r1.territory.id))!.regionCode).toBe(before!.regionCode);
    expect(await countMembersOnRecord(db(), r1.region)).toBe(0);
    expect(await countMembersOnRecord(db(), (await findOrgById(db(), r2.region.id))!)).toBe(10);
    // the cards follow their organizations into the other region (the region's lists find them by it)
    const regions = await db()('members as m')
      .join('organizations as o', 'o.id', 'm.organization_id')
      .whereRaw('o.path <@ ?::ltree', [r2.region.path])
      .distinct('m.region_id');
    expect(regions).toEqual([{ region_id: r2.region.id }]);
    const [event] = await db()('org_events').where({ organization_id: r1.territory.id, kind: 'moved' });
    expect(event).toMatchObject({
      old_parent_id: r1.region.id,
      new_parent_id: r2.region.id,
      happened_on: '2026-02-01',
    });
    expect(await db()('audit_log').where({ action: 'org.moved', entity_id: String(r1.territory.id) })).toHaveLength(1);
  });

  it('when the target is not allowed, then the form says why and nothing moves', async () => {
    const r1 = await createRegionTree(db(), 16);
    const r2 = await createRegionTree(db(), 39);
    const coordinator = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: r1.region }]));
    const foreign = await post(coordinator, `/orgs/${r1.territory.inpo}/move`, {
      target: r2.region.inpo,
      on: '2026-02-01',
      confirm: 'yes',
    });
    expect(foreign.status).toBe(422);
    expect(foreign.text).toContain('не найдена в вашей структуре');
    const intoItself = await post(admin, `/orgs/${r1.territory.inpo}/move`, {
      target: r1.primary.inpo,
      on: '2026-02-01',
    });
    expect(intoItself.text).toContain('внутрь неё самой');
    const wrongLevel = await post(admin, `/orgs/${r1.primary.inpo}/move`, {
      target: r2.primary.inpo,
      on: '2026-02-01',
    });
    expect(wrongLevel.status).toBe(422);
    expect(wrongLevel.text).toContain('не может входить в состав выбранной организации');
    expect((await findOrgById(db(), r1.territory.id))!.path).toBe(r1.territory.path);
  });
});

describe('merging', () => {
  it('when a ППО is merged into another, then members and units pass to it with their ids and the merged one stays closed with its ИНПО', async () => {
    const tree = await createRegionTree(db(), 52);
    const target = await createOrg(db(), tree.territory, 'primary');
    const unit = await createOrg(db(), tree.primary, 'group');
    await createMembers(db(), tree.primary, 6);
    await createMembers(db(), tree.primary, 2, { left_on: '2025-01-01' });
    await createMembers(db(), unit, 4);
    const chair = await createUser(db(), [{ role: 'chair', org: tree.primary }]);
    const activeIds = await db()('members')
      .where({ organization_id: tree.primary.id })
      .whereNull('left_on')
      .pluck('id');
    const leftIds = await db()('members')
      .where({ organization_id: tree.primary.id })
      .whereNotNull('left_on')
      .pluck('id');
    const unitMemberIds = await memberIdsOf(unit.id);

    expect(
      (await post(admin, `/orgs/${tree.primary.inpo}/merge`, { target: target.inpo, on: '2026-03-01', confirm: 'yes' }))
        .status,
    ).toBe(303);

    const merged = (await findOrgById(db(), tree.primary.id))!;
    expect(merged).toMatchObject({ inpo: tree.primary.inpo, liquidatedOn: '2026-03-01', mergedIntoId: target.id });
    expect((await memberIdsOf(target.id)).sort()).toEqual(activeIds.map(Number).sort());
    // Those who had left stay in the closed organization's history; units keep their own members.
    expect(await memberIdsOf(tree.primary.id)).toEqual(leftIds.map(Number));
    expect(await memberIdsOf(unit.id)).toEqual(unitMemberIds);
    expect((await findOrgById(db(), unit.id))!.parentId).toBe(target.id);
    expect(await db()('role_grants').where({ user_id: chair.id })).toHaveLength(0);
    const page = await admin.agent.get(`/orgs/${tree.primary.inpo}`).expect(200);
    expect(page.text).toContain('(присоединена к другой организации: <a href=');
    expect(page.text).toContain(`ИНПО ${tree.primary.inpo} закреплён за ней`);
  });

  it('when the merge fails half-way, then nothing has changed', async () => {
    const tree = await createRegionTree(db(), 52);
    const target = await createOrg(db(), tree.territory, 'primary');
    await createMembers(db(), tree.primary, 3);
    await expect(
      ctx.deps.db.transaction(async (trx) => {
        await createRestructureService(trx).merge(
          auditCtx,
          (await findOrgById(trx, tree.primary.id))!,
          target,
          '2026-03-01',
        );
        throw new Error('injected failure');
      }),
    ).rejects.toThrow('injected failure');
    expect((await findOrgById(db(), tree.primary.id))!.liquidatedOn).toBeNull();
    expect(await memberIdsOf(target.id)).toEqual([]);
    expect(await db()('org_events').where({ organization_id: tree.primary.id })).toHaveLength(0);
    expect(await db()('audit_log').where({ action: 'org.merged', entity_id: String(tree.primary.id) })).toHaveLength(0);
  });
});

describe('liquidation', () => {
  it('when an organization with a chair’s grant is liquidated, then the grant is withdrawn and the chair’s open session ends', async () => {
    const tree = await createRegionTree(db(), 58);
    const chairUser = await createUser(db(), [
      { role: 'chair', org: tree.primary },
      { role: 'statistician', org: tree.territory },
    ]);
    const chair = await loggedInAgent(ctx.app, chairUser);
    await chair.agent.get(`/orgs/${tree.territory.inpo}`).expect(200);
    expect(
      (await post(admin, `/orgs/${tree.primary.inpo}/liquidate`, { on: '2026-04-01', confirm: 'yes' })).status,
    ).toBe(303);
    expect(await db()('role_grants').where({ user_id: chairUser.id }).pluck('role')).toEqual(['statistician']);
    expect((await chair.agent.get(`/orgs/${tree.territory.inpo}`)).status).toBe(303);
  });

  it('when members are on record, then liquidation needs a receiving organization; with one, they move and the ИНПО is never reused', async () => {
    const tree = await createRegionTree(db(), 57);
    const receiver = await createOrg(db(), tree.territory, 'primary');
    await createMembers(db(), tree.primary, 5);
    const refused = await post(admin, `/orgs/${tree.primary.inpo}/liquidate`, { on: '2026-04-01', confirm: 'yes' });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('На учёте 5 чел.: укажите организацию, куда их перевести');
    const parentRefused = await post(admin, `/orgs/${tree.territory.inpo}/liquidate`, { on: '2026-04-01' });
    expect(parentRefused.text).toContain('В составе есть действующие организации');

    expect(
      (
        await post(admin, `/orgs/${tree.primary.inpo}/liquidate`, {
          on: '2026-04-01',
          transferTo: receiver.inpo,
          confirm: 'yes',
        })
      ).status,
    ).toBe(303);
    expect((await findOrgById(db(), tree.primary.id))!.liquidatedOn).toBe('2026-04-01');
    expect(await memberIdsOf(receiver.id)).toHaveLength(5);
    const fresh = await createOrg(db(), tree.territory, 'primary');
    expect(fresh.inpo).not.toBe(tree.primary.inpo);
    const allInpo = await db()('organizations').pluck('inpo');
    expect(new Set(allInpo).size).toBe(allInpo.length);
    // A closed organization's passport is read-only.
    const edit = await post(admin, `/orgs/${tree.primary.inpo}/edit`, { name: 'Новое имя' });
    expect(edit.status).toBe(422);
  });
});

describe('creating', () => {
  it('when a chair adds a group to their ППО, then it gets an ИНПО of the region; a ППО level is not theirs to create', async () => {
    const tree = await createRegionTree(db(), 16);
    const chair = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: tree.primary }]));
    const form = await chair.agent.get(`/orgs/${tree.primary.inpo}/children/new`).expect(200);
    expect(form.text).toContain('Профсоюзная группа');
    expect(form.text).not.toContain('value="primary"');
    const refused = await post(chair, `/orgs/${tree.primary.inpo}/children`, {
      level: 'primary',
      name: 'ППО внутри ППО',
    });
    expect(refused.status).toBe(422);
    const created = await post(chair, `/orgs/${tree.primary.inpo}/children`, {
      level: 'group',
      name: 'Профгруппа начальной школы',
    });
    expect(created.status).toBe(303);
    const inpo = created.headers.location!.split('/').pop()!;
    expect(inpo).toMatch(/^16\d{8}$/);
    const group = await db()('organizations').where({ inpo }).first();
    expect(group).toMatchObject({ parent_id: tree.primary.id, level: 'group', name: 'Профгруппа начальной школы' });
    expect(await db()('org_events').where({ organization_id: group.id, kind: 'created' })).toHaveLength(1);
  });
});
