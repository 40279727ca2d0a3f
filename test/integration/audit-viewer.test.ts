import { beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { recordAudit } from '../../src/audit/audit';
import { useTestApp } from '../support/app';
import { csrfFrom, loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser, type TestUser } from '../support/factories';
import { binaryParser, readSheet } from '../support/xlsx';

const ctx = useTestApp();
let db: Knex;
let r1: Awaited<ReturnType<typeof createRegionTree>>;
let r2Primary: Awaited<ReturnType<typeof createOrg>>;
let r1Member: number;
let r2Member: number;
const users = {} as Record<'admin' | 'coordinator' | 'chair' | 'statistician', TestUser>;
const agents = {} as Record<keyof typeof users, Agent>;

beforeAll(async () => {
  db = ctx.database.ownerDb;
  r1 = await createRegionTree(db, 16);
  const r2Region = await createOrg(db, r1.union, 'regional', { regionCode: 39, name: 'Калининградская региональная' });
  r2Primary = await createOrg(db, await createOrg(db, r2Region, 'territorial'), 'primary', {
    name: 'ППО школы Калининграда',
  });
  [r1Member] = (await createMembers(db, r1.primary, 1)) as [number];
  [r2Member] = (await createMembers(db, r2Primary, 1)) as [number];
  users.admin = await createUser(db, [{ role: 'admin', org: r1.union }]);
  users.coordinator = await createUser(db, [{ role: 'coordinator', org: r1.region }]);
  users.chair = await createUser(db, [{ role: 'chair', org: r1.primary }]);
  users.statistician = await createUser(db, [{ role: 'statistician', org: r1.region }]);
  for (const role of Object.keys(users) as (keyof typeof users)[])
    agents[role] = (await loggedInAgent(ctx.app, users[role])).agent;
  // the admin opens a card in each region: read-audit rows of both
  await agents.admin.get(`/members/${r1Member}`).expect(200);
  await agents.admin.get(`/members/${r2Member}`).expect(200);
  const ctxOf = (user: TestUser) => ({ actorUserId: user.id, requestId: null, ip: '192.0.2.10' });
  await recordAudit(db, ctxOf(users.coordinator), {
    action: 'member.updated',
    entity: 'member',
    entityId: r1Member,
    organizationId: r1.primary.id,
    oldValues: { surname: 'Петрова', phone: null },
    newValues: { surname: 'Иванова', phone: '=HYPERLINK("http://evil")' },
  });
  await recordAudit(db, ctxOf(users.admin), {
    action: 'member.updated',
    entity: 'member',
    entityId: r2Member,
    organizationId: r2Primary.id,
    oldValues: { surname: 'Сидорова' },
    newValues: { surname: 'Калининградова' },
  });
});

const page = (agent: Agent, query = '') => agent.get(`/admin/audit${query}`);

describe('audit viewer: who may open it', () => {
  it('when an admin opens it, then 200 with rows of every region; a chair and a statistician get 403', async () => {
    const res = await page(agents.admin).expect(200);
    expect(res.text).toContain(r1.primary.inpo);
    expect(res.text).toContain(r2Primary.inpo);
    expect((await page(agents.chair)).status).toBe(403);
    expect((await page(agents.statistician)).status).toBe(403);
    expect((await agents.chair.get('/admin/audit/export.xlsx')).status).toBe(403);
  });

  it('when a coordinator opens it, then no row of another region shows, by list, by filter or by export', async () => {
    const res = await page(agents.coordinator).expect(200);
    expect(res.text).toContain(r1.primary.inpo);
    expect(res.text).not.toContain(r2Primary.inpo);
    expect(res.text).not.toContain('Калининградова');
    expect((await page(agents.coordinator, `?org=${r2Primary.inpo}`)).status).toBe(404);
    const file = await agents.coordinator.get('/admin/audit/export.xlsx').buffer(true).parse(binaryParser).expect(200);
    const sheet = await readSheet(file.body as Buffer);
    expect(sheet.flat().join(' ')).not.toContain(r2Primary.inpo);
    expect(sheet.flat().join(' ')).toContain(r1.primary.inpo);
  });
});

describe('audit viewer: rows and filters', () => {
  it('when a change is shown, then old → new carry Russian field names', async () => {
    const res = await page(agents.admin, `?org=${r1.primary.inpo}&action=member.updated`).expect(200);
    expect(res.text).toMatch(/Фамилия:<\/span> Петрова → Иванова/);
    expect(res.text).toContain('Изменена карточка');
    expect(res.text).not.toContain('Калининградова');
  });

  it('when filtered by actor, entity and period, then only matching rows show; a reversed period is refused next to the field', async () => {
    const byActor = await page(agents.admin, `?actor=${users.coordinator.username.toUpperCase()}`).expect(200);
    expect(byActor.text).toContain('Иванова');
    expect(byActor.text).not.toContain('<td>Просмотр карточки</td>');
    const reports = await page(agents.admin, '?entity=report').expect(200);
    expect(reports.text).toContain('Записей не найдено');
    const future = await page(agents.admin, '?from=01.01.2099').expect(200);
    expect(future.text).toContain('Записей не найдено');
    const reversed = await page(agents.admin, '?from=2026-05-01&to=2026-04-01');
    expect(reversed.status).toBe(422);
    expect(reversed.text).toContain('id="to-error"');
    expect(reversed.text).toContain('Конец периода раньше его начала');
    const junk = await page(agents.admin, '?entity=secrets&org=12');
    expect(junk.status).toBe(422);
    expect(junk.text).toContain('Выберите объект из списка');
    expect(junk.text).toContain('ИНПО — 10 цифр');
  });

  it('when there are more rows than a page, then the next page continues after the last id without a gap or a repeat', async () => {
    for (let i = 0; i < 60; i++) {
      await recordAudit(
        db,
        { actorUserId: users.admin.id, requestId: null, ip: null },
        {
          action: 'org.headcount.saved',
          entity: 'organization',
          entityId: r1.territory.id,
          organizationId: r1.territory.id,
          newValues: { employeesTotal: i },
        },
      );
    }
    const ids = async (res: { text: string }) =>
      [...res.text.matchAll(/Работников всего:<\/span> (\d+)/g)].map((m) => Number(m[1]));
    const first = await page(agents.coordinator, '?action=org.headcount.saved').expect(200);
    const next = /href="\/admin\/audit\?([^"]*after=\d+)"/.exec(first.text)![1]!.replace(/&amp;/g, '&');
    const second = await page(agents.coordinator, `?${next}`).expect(200);
    const seen = [...(await ids(first)), ...(await ids(second))];
    expect(await ids(first)).toHaveLength(50);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(second.text).not.toContain('Следующие записи');
  });

  it('when the log is exported, then formulas are neutralised and the export itself is audited with its filter and row count', async () => {
    const file = await agents.admin
      .get(`/admin/audit/export.xlsx?org=${r1.primary.inpo}&action=member.updated`)
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    const sheet = await readSheet(file.body as Buffer);
    expect(sheet[0]).toContain('Было');
    expect(sheet).toHaveLength(2);
    expect(sheet[1]!.join(' ')).toContain('Фамилия: Иванова');
    expect(sheet[1]!.some((cell) => cell.startsWith('='))).toBe(false);
    const row = await db('audit_log')
      .where({ action: 'audit.exported', actor_user_id: users.admin.id })
      .orderBy('id', 'desc')
      .first();
    expect(row.new_values).toMatchObject({ rows: 1, filter: { org: r1.primary.inpo, action: 'member.updated' } });
  });
});

describe('member card journal', () => {
  it("when a coordinator opens a card's journal, then it shows who viewed and changed the card; a chair cannot, another region is not found", async () => {
    const card = await agents.coordinator.get(`/members/${r1Member}`).expect(200);
    expect(card.text).toContain(`href="/members/${r1Member}/journal"`);
    const journal = await agents.coordinator.get(`/members/${r1Member}/journal`).expect(200);
    expect(journal.text).toContain('Просмотр карточки');
    expect(journal.text).toContain(users.admin.username);
    expect(journal.text).toMatch(/Фамилия:<\/span> Петрова → Иванова/);
    expect(journal.text).not.toContain('Калининградова');
    expect((await agents.chair.get(`/members/${r1Member}`).expect(200)).text).not.toContain('/journal');
    expect((await agents.chair.get(`/members/${r1Member}/journal`)).status).toBe(403);
    expect((await agents.coordinator.get(`/members/${r2Member}/journal`)).status).toBe(404);
    expect(csrfFrom(journal.text)).toBeTruthy();
  });
});
