import { beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../../src/audit/audit';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createOrg, createRegionTree, createUser, unionRoot } from '../support/factories';

const ctx = useTestApp();
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let coordinator: { agent: Agent; csrf: string };
let admin: { agent: Agent; csrf: string };

beforeAll(async () => {
  tree = await createRegionTree(ctx.database.ownerDb, 19);
  coordinator = await loggedInAgent(
    ctx.app,
    await createUser(ctx.database.ownerDb, [{ role: 'coordinator', org: tree.region }]),
  );
  admin = await loggedInAgent(
    ctx.app,
    await createUser(ctx.database.ownerDb, [{ role: 'admin', org: await unionRoot(ctx.database.ownerDb) }]),
  );
});

const db = () => ctx.database.ownerDb;
const system = { actorUserId: null, requestId: null, ip: null };
const link = (org: { inpo: string; name: string }) => `<a href="/orgs/${org.inpo}">${org.name}</a>`;

describe('change journal in Russian (issue 16, item 7)', () => {
  it('when an organization was created, moved and got a chair, then its journal and the audit viewer show Russian labels, values, names and dates', async () => {
    const org = await createOrg(db(), tree.territory, 'primary', { name: 'ППО Школы № 7' });
    const newParent = await createOrg(db(), tree.region, 'territorial', {
      name: 'Заречная территориальная организация',
    });
    // the shapes the services record (restructure.service.ts, passport.service.ts)
    await recordAudit(db(), system, {
      action: 'org.created',
      entity: 'organization',
      entityId: org.id,
      organizationId: org.id,
      newValues: {
        level: 'primary',
        name: org.name,
        employerKind: null,
        hasTerritorialRights: false,
        inpo: org.inpo,
        parentInpo: tree.territory.inpo,
      },
    });
    await recordAudit(db(), system, {
      action: 'org.moved',
      entity: 'organization',
      entityId: org.id,
      organizationId: org.id,
      oldValues: { parentId: tree.territory.id },
      newValues: { parentId: newParent.id, on: '2026-03-01', organizations: 1, activeMembers: 0 },
    });
    await recordAudit(db(), system, {
      action: 'org.officer.added',
      entity: 'org_officer',
      entityId: 1,
      organizationId: org.id,
      newValues: {
        post: 'chair',
        electedOn: '2025-09-01',
        termUntil: null,
        salaried: false,
        memberId: null,
        personId: null,
        surname: 'Волкова',
      },
    });

    // the rows only: the viewer's filter lists action codes such as 'user.chairs_exported' as option values
    const rowsOf = (html: string) => html.slice(html.indexOf('<tbody>'), html.indexOf('</tbody>'));
    const journal = rowsOf((await coordinator.agent.get(`/orgs/${org.inpo}/history`).expect(200)).text);
    const viewer = rowsOf((await admin.agent.get(`/admin/audit?org=${org.inpo}`).expect(200)).text);
    for (const [page, text] of [
      ['journal', journal],
      ['viewer', viewer],
    ] as const) {
      for (const code of [
        'parentId',
        'parentInpo',
        'employerKind',
        'level:',
        'post:',
        'chair',
        'salaried',
        'memberId',
        'personId',
        '2026-03-01',
        '2025-09-01',
      ]) {
        expect(text, `${page} shows «${code}»`).not.toContain(code);
      }
      expect(text, page).toContain('Первичная профсоюзная организация');
      expect(text, page).toContain('Председатель');
      expect(text, page).toMatch(/Освобождённый:<\/span>\s*нет|Освобождённый: нет/);
      expect(text, page).toContain('01.03.2026');
      expect(text, page).toContain('01.09.2025');
      expect(text, page).toContain(link(newParent));
      expect(text, page).toContain(link(tree.territory));
    }
  });
});
