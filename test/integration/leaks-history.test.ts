import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/access/principal';
import { loadPrincipal } from '../../src/auth/users.repo';
import { runNextExportJob } from '../../src/exports/export-jobs';
import { createMembersService } from '../../src/members/members.service';
import { changeCategory } from '../../src/membership/membership';
import { todayIso } from '../../src/shared/dates';
import { createRestructureService } from '../../src/registry/restructure.service';
import type { OrgRow } from '../../src/registry/orgs.repo';
import { useTestApp } from '../support/app';
import { loggedInAgent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser, unionRoot } from '../support/factories';
import { binaryParser, readSheet } from '../support/xlsx';

// Item 1 of issue 11: a member list as of a past date shows people who were in the subtree then; those
// who are not in one of the reader's subtrees now (transferred away, their organization merged away)
// appear with what they were on that date only — never their present contacts, SNILS or organization.

const exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reestr-history-exports-'));
const ctx = useTestApp({ EXPORT_DIR: exportDir });
const db = () => ctx.database.ownerDb;
const auditCtx = { actorUserId: null, requestId: 'test', ip: '127.0.0.1' };
const ON = '2023-06-01';
const LATER = '2024-01-15';

let r1: Awaited<ReturnType<typeof createRegionTree>>;
let r2: Awaited<ReturnType<typeof createRegionTree>>;
let sister: OrgRow;
let admin: Principal;
const ids: Record<string, number | undefined> = {};
const secret = (n: number) => ({
  phone: `+7900555${String(n).padStart(4, '0')}`,
  email: `secret${n}@example.ru`,
  snils: `1122334${String(n).padStart(4, '0')}`,
});
const person = (surname: string, n: number) => ({
  surname,
  ...secret(n),
  position: `Должность${n}`,
  joined_on: '2015-01-01',
});

beforeAll(async () => {
  r1 = await createRegionTree(db(), 16);
  r2 = await createRegionTree(db(), 39);
  sister = await createOrg(db(), r1.territory, 'primary', { name: 'ППО соседней школы' });
  admin = (await loadPrincipal(db(), (await createUser(db(), [{ role: 'admin', org: await unionRoot(db()) }])).id))!;
  const members = createMembersService(ctx.deps.db);
  const transfer = (id: number, to: OrgRow) =>
    members.transfer(admin, auditCtx, id, {
      toInpo: to.inpo,
      on: LATER,
      reason: null,
      documentNumber: null,
      documentDate: null,
    });

  [ids.stayed] = await createMembers(db(), r1.primary, 1, person('Оставшаяся', 1));
  [ids.away] = await createMembers(db(), r1.primary, 1, person('Уехавшая', 2));
  [ids.sister] = await createMembers(db(), r1.primary, 1, person('Соседская', 3));
  [ids.exited] = await createMembers(db(), r1.primary, 1, { ...person('Выбывшая', 4), left_on: '2024-02-01' });
  await transfer(ids.away!, r2.primary);
  await transfer(ids.sister!, sister);
  // the present contacts, entered by the organization that has the person now
  await db()('members').where({ id: ids.away }).update({ phone: '+79007770002', email: 'now-in-r2@example.ru' });
});

const chairOf = async (org: OrgRow) => loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org }]));
/** The present card of the person transferred to the other region: none of it may be shown. */
const notShown = () => [
  '5550002',
  '-00-02',
  'secret2@',
  '11223340002',
  'Должность2',
  '7770002',
  'now-in-r2',
  r2.primary.name,
];
function expectNothingPresentOf(text: string, extra: string[] = []) {
  for (const value of [...notShown(), ...extra]) expect(text).not.toContain(value);
}

describe('the list as of a past date', () => {
  it('when a chair reads the list of a past date, then people who left the subtree show only their name and the organization of that date, without a card link', async () => {
    const chair = await chairOf(r1.primary);
    const page = await chair.agent
      .get(`/orgs/${r1.primary.inpo}/members`)
      .query({ on: ON, status: 'active' })
      .expect(200);
    expect(page.text).toContain('Найдено: <strong>4</strong>');
    expect(page.text).toContain(`/members/${ids.stayed}"`);
    expect(page.text).toContain(`/members/${ids.exited}"`);
    expect(page.text).toContain('Уехавшая');
    expect(page.text).not.toContain(`/members/${ids.away}"`);
    expect(page.text).not.toContain(`value="${ids.away}"`);
    expect(page.text).not.toContain(`/members/${ids.sister}"`);
    expectNothingPresentOf(page.text, ['secret3@', sister.name]);
    // the people still in the subtree keep their (masked) contacts
    expect(page.text).toContain('-00-01');
  });

  it('when a coordinator of the region reads it, then a transfer within the region keeps the card, a transfer to another region does not', async () => {
    const coordinator = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: r1.region }]));
    const page = await coordinator.agent
      .get(`/orgs/${r1.primary.inpo}/members`)
      .query({ on: ON, status: 'active' })
      .expect(200);
    expect(page.text).toContain(`/members/${ids.sister}"`);
    expect(page.text).not.toContain(`/members/${ids.away}"`);
    expectNothingPresentOf(page.text);
  });

  it('when the list of a past date is filtered by what only the present card knows, then people outside the subtree are never matched by it', async () => {
    const chair = await chairOf(r1.primary);
    await db()('member_consents').insert({
      member_id: ids.away,
      kind: 'mailing',
      channel: 'email',
      text_version: '1',
      source: 'paper',
      given_on: '2024-02-01',
    });
    const consent = await chair.agent
      .get(`/orgs/${r1.primary.inpo}/members`)
      .query({ on: ON, status: 'active', consent: 'mailing' })
      .expect(200);
    expect(consent.text).not.toContain('Уехавшая');
    // a category change today, made as the registry makes it (card and history together)
    await db().transaction((trx) =>
      changeCategory(trx, ids.away!, 'pensioner', false, { on: todayIso(), actorUserId: null }),
    );
    const now = await chair.agent
      .get(`/orgs/${r1.primary.inpo}/members`)
      .query({ on: ON, status: 'active', category: 'pensioner' })
      .expect(200);
    expect(now.text).not.toContain('Уехавшая');
    const then = await chair.agent
      .get(`/orgs/${r1.primary.inpo}/members`)
      .query({ on: ON, status: 'active', category: 'working' })
      .expect(200);
    expect(then.text).toContain('Уехавшая');
  });

  it('when an organization is merged into one in another region, then its former members show only what they were on the date', async () => {
    const merged = await createOrg(db(), r1.territory, 'primary', { name: 'ППО присоединённой школы' });
    const [id] = await createMembers(db(), merged, 1, person('Присоединённая', 5));
    await createRestructureService(ctx.deps.db).merge(auditCtx, merged, r2.primary, LATER);
    const territorial = await chairOf(r1.territory);
    const page = await territorial.agent
      .get(`/orgs/${r1.territory.inpo}/members`)
      .query({ on: ON, status: 'active' })
      .expect(200);
    expect(page.text).toContain('Присоединённая');
    expect(page.text).toContain('ППО присоединённой школы');
    expect(page.text).not.toContain(`/members/${id}"`);
    expectNothingPresentOf(page.text, ['5550005', 'secret5@']);
  });

  it('when an organization moved to another region after the date, then nothing of its members reaches the old subtree', async () => {
    const moving = await createOrg(db(), r1.territory, 'primary');
    await createMembers(db(), moving, 1, person('Переехавшая', 6));
    await createRestructureService(ctx.deps.db).move(admin, auditCtx, moving, r2.territory, LATER);
    const territorial = await chairOf(r1.territory);
    const page = await territorial.agent
      .get(`/orgs/${r1.territory.inpo}/members`)
      .query({ on: ON, status: 'active' })
      .expect(200);
    expectNothingPresentOf(page.text, ['5550006', 'secret6@', 'Должность6']);
    const file = await territorial.agent
      .get(`/orgs/${r1.territory.inpo}/members/export.csv`)
      .query({ on: ON, status: 'active' })
      .expect(200);
    expectNothingPresentOf(file.text, ['5550006', 'secret6@', 'Должность6']);
  });
});

describe('downloads of the list as of a past date', () => {
  it('when a chair downloads the list of a past date, then the file holds the same rule as the page', async () => {
    const chair = await chairOf(r1.primary);
    const csv = await chair.agent
      .get(`/orgs/${r1.primary.inpo}/members/export.csv`)
      .query({ on: ON, status: 'active' })
      .expect(200);
    const away = csv.text.split('\r\n').find((l) => l.includes('Уехавшая'))!;
    expect(away).toContain(r1.primary.inpo);
    expect(away).toContain(r1.primary.name);
    expectNothingPresentOf(csv.text, ['secret3@', sister.name]);
    expect(csv.text).toContain('secret1@example.ru');

    const xlsx = await chair.agent
      .get(`/orgs/${r1.primary.inpo}/members/export.xlsx`)
      .query({ on: ON, status: 'active' })
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    const cells = (await readSheet(xlsx.body)).flat().join('|');
    expect(cells).toContain('Уехавшая');
    expectNothingPresentOf(cells);
  });

  it('when the list of a past date is prepared in the background, then the job applies the rights of its request, re-checked when it runs', async () => {
    const user = await createUser(db(), [{ role: 'chair', org: r1.primary }]);
    const chair = await loggedInAgent(ctx.app, user);
    const queued = await chair.agent
      .post(`/orgs/${r1.primary.inpo}/members/export-jobs`)
      .type('form')
      .send({ _csrf: chair.csrf, format: 'csv', on: ON, status: 'active' });
    expect(queued.status).toBe(303);
    // a grant given after the request does not widen what the job shows
    await db()('role_grants').insert({ user_id: user.id, role: 'coordinator', organization_id: r2.region.id });
    expect(await runNextExportJob(ctx.deps.db, exportDir, ctx.deps.logger)).toBe(true);
    const file = await chair.agent.get(`${queued.headers.location}/download`).expect(200);
    expect(file.text).toContain('Уехавшая');
    expectNothingPresentOf(file.text, ['secret3@']);

    // a grant withdrawn before the job runs stops it
    const second = await chair.agent
      .post(`/orgs/${r1.primary.inpo}/members/export-jobs`)
      .type('form')
      .send({ _csrf: chair.csrf, format: 'csv', on: ON, status: 'active' });
    await db()('role_grants').where({ user_id: user.id, organization_id: r1.primary.id }).delete();
    expect(await runNextExportJob(ctx.deps.db, exportDir, ctx.deps.logger)).toBe(true);
    const job = await db()('export_jobs')
      .where({ id: second.headers.location!.split('/').pop() })
      .first();
    expect(job).toMatchObject({ status: 'failed', file_name: null });
    expect(job.error).toContain('прав');
  });
});
