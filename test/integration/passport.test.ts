import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { csrfFrom, loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser, withoutTermRule } from '../support/factories';
import { submitForm } from '../support/forms';

const ctx = useTestApp();
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let chair: { agent: Agent; csrf: string };
let coordinator: { agent: Agent; csrf: string };

beforeAll(async () => {
  tree = await createRegionTree(ctx.database.ownerDb, 16);
  chair = await loggedInAgent(ctx.app, await createUser(ctx.database.ownerDb, [{ role: 'chair', org: tree.primary }]));
  coordinator = await loggedInAgent(
    ctx.app,
    await createUser(ctx.database.ownerDb, [{ role: 'coordinator', org: tree.region }]),
  );
});

const db = () => ctx.database.ownerDb;
const auditRows = (action: string, entityId: number) =>
  db()('audit_log')
    .where({ action, entity_id: String(entityId) })
    .orderBy('id');

describe('general data', () => {
  it('when the chair renames the organization and fills contacts, then the change is saved, audited and the ИНПО stays', async () => {
    const res = await submitForm(chair.agent, `/orgs/${tree.primary.inpo}/edit`, `/orgs/${tree.primary.inpo}/edit`, {
      name: 'ППО МБОУ «Гимназия № 1»',
      shortName: 'ППО Гимназии № 1',
      employerKind: 'school',
      employerInn: '7707083893',
      address: 'г. Казань, ул. Пушкина, 1',
      phone: '8 (843) 123-45-67',
      email: 'Gym1@Example.RU',
      website: 'gym1.ru',
    });
    expect(res.status, res.text.slice(0, 300)).toBe(303);
    const row = await db()('organizations').where({ id: tree.primary.id }).first();
    expect(row).toMatchObject({
      name: 'ППО МБОУ «Гимназия № 1»',
      inpo: tree.primary.inpo,
      phone: '+78431234567',
      email: 'gym1@example.ru',
      website: 'https://gym1.ru/',
    });
    const [audit] = await auditRows('org.passport.updated', tree.primary.id);
    expect(audit.old_values.name).toBe(tree.primary.name);
    expect(audit.new_values.name).toBe('ППО МБОУ «Гимназия № 1»');
    expect(audit.actor_user_id).toBeTruthy();
    const [event] = await db()('org_events').where({ organization_id: tree.primary.id, kind: 'renamed' });
    expect(event).toMatchObject({ old_name: tree.primary.name, new_name: 'ППО МБОУ «Гимназия № 1»' });
    const page = await chair.agent.get(`/orgs/${tree.primary.inpo}`).expect(200);
    expect(page.text).toContain('ППО МБОУ «Гимназия № 1»');
    expect(page.text).toContain('Общие сведения сохранены');
  });

  it('when the INN, e-mail and phone are wrong, then 422 with a message next to each field and nothing changes', async () => {
    const before = await db()('organizations').where({ id: tree.primary.id }).first();
    const res = await chair.agent.post(`/orgs/${tree.primary.inpo}/edit`).type('form').send({
      _csrf: chair.csrf,
      name: '',
      employerInn: '1234567890',
      email: 'not-an-email',
      phone: '12345',
      website: 'localhost',
    });
    expect(res.status).toBe(422);
    for (const [field, text] of [
      ['name', 'Укажите полное наименование'],
      ['employerInn', 'контрольной цифрой'],
      ['email', 'адрес электронной почты'],
      ['phone', '10 цифр'],
      ['website', 'адрес сайта'],
    ]) {
      expect(res.text).toMatch(new RegExp(`id="${field}-error"[^>]*>[^<]*${text}`));
      expect(res.text).toContain(`href="#${field}"`);
    }
    expect(res.text).toContain('value="not-an-email"');
    expect(await db()('organizations').where({ id: tree.primary.id }).first()).toEqual(before);
  });

  it('when a chair posts to a sibling ППО, then 404 and nothing changes; a statistician gets 403', async () => {
    const sibling = await createOrg(db(), tree.territory, 'primary');
    const res = await chair.agent
      .post(`/orgs/${sibling.inpo}/edit`)
      .type('form')
      .send({ _csrf: chair.csrf, name: 'Захват' });
    expect(res.status).toBe(404);
    expect((await db()('organizations').where({ id: sibling.id }).first()).name).toBe(sibling.name);
    const stat = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'statistician', org: tree.region }]));
    expect(
      (await stat.agent.post(`/orgs/${tree.primary.inpo}/edit`).type('form').send({ _csrf: stat.csrf, name: 'x' }))
        .status,
    ).toBe(403);
    expect((await stat.agent.get(`/orgs/${tree.primary.inpo}/edit`)).status).toBe(403);
  });

  it('when a chair holds a grant on a territory, then they edit its passport and its units but not the ППО below it', async () => {
    const territory = await createOrg(db(), tree.region, 'territorial');
    const primary = await createOrg(db(), territory, 'primary');
    const unit = await createOrg(db(), primary, 'subdivision');
    const territorialChair = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: territory }]));
    expect((await territorialChair.agent.get(`/orgs/${territory.inpo}/edit`)).status).toBe(200);
    expect((await territorialChair.agent.get(`/orgs/${primary.inpo}/edit`)).status).toBe(403);
    expect((await territorialChair.agent.get(`/orgs/${unit.inpo}/edit`)).status).toBe(403);
    expect((await territorialChair.agent.get(`/orgs/${primary.inpo}`)).status).toBe(200);
    const primaryChair = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: primary }]));
    expect((await primaryChair.agent.get(`/orgs/${unit.inpo}/edit`)).status).toBe(200);
  });
});

describe('officers', () => {
  it('when a new chair is elected, then the previous one moves to history on that date and both changes are audited', async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    // The new chair is a member of this ППО: the officer record links to the card.
    const [expectedMemberId] = await createMembers(db(), org, 1, {
      surname: 'Петров-Водкин',
      name: 'Кузьма',
      patronymic: null,
      sex: 'm',
      birth_date: '1978-10-05',
      joined_on: '2001-09-01',
    });
    const add = (body: Record<string, string>) =>
      coordinator.agent
        .post(`/orgs/${org.inpo}/officers`)
        .type('form')
        .send({ _csrf: coordinator.csrf, ...body });
    const outsider = { personKind: 'nonmember', sex: 'f', birthDate: '1975-01-01' };
    expect(
      (
        await add({
          post: 'chair',
          ...outsider,
          snils: '112-233-445 95',
          surname: 'Иванова',
          name: 'Анна',
          patronymic: 'Петровна',
          electedOn: '2020-03-01',
          salaried: 'on',
        })
      ).status,
    ).toBe(303);
    expect(
      (
        await add({
          post: 'deputy',
          ...outsider,
          sex: 'm',
          snils: '123-456-789 64',
          surname: 'Салихов',
          name: 'Рамиль',
          electedOn: '2020-03-01',
        })
      ).status,
    ).toBe(303);
    const invalid = await add({
      post: 'chair',
      personKind: 'nonmember',
      snils: '112-233-445 95',
      surname: 'Smith',
      name: '',
      electedOn: '31.02.2024',
    });
    expect(invalid.status).toBe(422);
    expect(invalid.text).toContain('Только русские буквы');
    expect(invalid.text).toContain('Укажите имя');
    expect(invalid.text).toContain('ДД.ММ.ГГГГ');
    expect(
      (
        await add({
          post: 'chair',
          personKind: 'member',
          memberId: String(expectedMemberId),
          electedOn: '25.03.2025',
          confirmed: '1',
        })
      ).status,
    ).toBe(303);

    const officers = await db()('org_officers').where({ organization_id: org.id }).orderBy('id');
    expect(officers.map((o) => o.member_id)).toEqual([null, null, expectedMemberId]);
    expect(officers.map((o) => o.person_id === null)).toEqual([false, false, true]);
    expect(officers.map((o) => [o.surname, o.post, o.elected_on, o.ended_on])).toEqual([
      ['Иванова', 'chair', '2020-03-01', '2025-03-25'],
      ['Салихов', 'deputy', '2020-03-01', null],
      ['Петров-Водкин', 'chair', '2025-03-25', null],
    ]);
    expect(await auditRows('org.officer.ended', officers[0].id)).toHaveLength(1);
    const page = await coordinator.agent.get(`/orgs/${org.inpo}/officers`).expect(200);
    expect(page.text).toMatch(
      /Действующие выборные лица[\s\S]*Петров-Водкин Кузьма[\s\S]*История[\s\S]*Иванова Анна Петровна/,
    );

    const end = await coordinator.agent
      .post(`/orgs/${org.inpo}/officers/${officers[1].id}/end`)
      .type('form')
      .send({ _csrf: coordinator.csrf, endedOn: '2019-01-01', confirmed: '1' });
    expect(end.status).toBe(422);
    expect(end.text).toContain('не раньше избрания');
    expect(
      (
        await coordinator.agent
          .post(`/orgs/${org.inpo}/officers/${officers[1].id}/end`)
          .type('form')
          .send({ _csrf: coordinator.csrf, endedOn: '2025-06-01', confirmed: '1' })
      ).status,
    ).toBe(303);
    // An officer of another organization cannot be ended through this one's URL.
    expect(
      (
        await coordinator.agent
          .post(`/orgs/${tree.primary.inpo}/officers/${officers[2].id}/end`)
          .type('form')
          .send({ _csrf: coordinator.csrf, endedOn: '2025-06-01', confirmed: '1' })
      ).status,
    ).toBe(404);
  });
});

describe('completeness and structure', () => {
  it('when passports are partly filled, then each shows what is missing and the parent counts the incomplete ones', async () => {
    const territory = await createOrg(db(), tree.region, 'territorial');
    const complete = await createOrg(db(), territory, 'primary');
    const noChair = await createOrg(db(), territory, 'primary');
    const expired = await createOrg(db(), territory, 'primary');
    for (const org of [complete, noChair, expired]) {
      await db()('organizations')
        .where({ id: org.id })
        .update({ email: `${org.inpo}@example.ru` });
      await db()('org_headcounts').insert({
        organization_id: org.id,
        as_of: '2025-09-01',
        employees_total: 40,
        employees_pedagogical: 30,
      });
    }
    await db()('org_officers').insert([
      {
        organization_id: complete.id,
        post: 'chair',
        surname: 'Орлова',
        name: 'Вера',
        elected_on: '2024-01-01',
      },
      {
        organization_id: expired.id,
        post: 'chair',
        surname: 'Котов',
        name: 'Илья',
        elected_on: '2019-01-01',
      },
    ]);
    // the territory's chair was elected while its level's chairs had no term rule: no term's end
    await withoutTermRule(db(), 'territorial', 'chair', () =>
      db()('org_officers').insert({
        organization_id: territory.id,
        post: 'chair',
        surname: 'Белов',
        name: 'Олег',
        elected_on: '2021-01-01',
      }),
    );
    await createMembers(db(), complete, 30);
    await createMembers(db(), complete, 3, { category: 'student' });
    await createMembers(db(), complete, 5, { left_on: '2024-06-30' });

    const page = await coordinator.agent.get(`/orgs/${noChair.inpo}`).expect(200);
    expect(page.text).toContain('Паспорт заполнен не полностью');
    expect(page.text).toContain('не указан председатель');
    expect((await coordinator.agent.get(`/orgs/${expired.inpo}`)).text).toContain('истёк срок полномочий председателя');
    expect((await coordinator.agent.get(`/orgs/${complete.inpo}`)).text).not.toContain('Паспорт заполнен не полностью');

    // The territory itself lacks an e-mail and its chair's term; below it one ППО has no chair.
    const territoryPage = await coordinator.agent.get(`/orgs/${territory.inpo}/structure`).expect(200);
    expect(territoryPage.text).toContain('не указан срок полномочий председателя; не указан адрес электронной почты');
    expect(territoryPage.text).toContain('Входящих организаций: 3, из них с незаполненным паспортом — 1');
    // 30 working members of 40 employees: 75,0\u00a0%
    const row = new RegExp(
      `${complete.inpo}</td>\\s*<td class="text-end">33</td>\\s*<td class="text-end">40</td>\\s*<td class="text-end">75,0\u00a0%</td>\\s*<td class="text-end">0</td>`,
    );
    expect(territoryPage.text).toMatch(row);
    expect(territoryPage.text).toMatch(
      new RegExp(
        `${noChair.inpo}</td>\\s*<td class="text-end">0</td>\\s*<td class="text-end">40</td>\\s*<td class="text-end">0,0\u00a0%</td>\\s*<td class="text-end">1</td>`,
      ),
    );

    const regionPage = await coordinator.agent.get(`/orgs/${tree.region.inpo}/structure?sort=incomplete`).expect(200);
    const territoryRow = new RegExp(
      `${territory.inpo}</td>\\s*<td class="text-end">33</td>\\s*<td class="text-end">120</td>\\s*<td class="text-end">25,0\u00a0%</td>\\s*<td class="text-end">2</td>`,
    );
    expect(regionPage.text).toMatch(territoryRow);
  });
});

describe('headcount and agreement', () => {
  it('when the headcount is entered twice for one date, then the second corrects the first; pedagogical above total is refused', async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    const post = (body: Record<string, string>) =>
      chair.agent
        .post(`/orgs/${org.inpo}/headcount`)
        .type('form')
        .send({ _csrf: chair.csrf, ...body });
    // The chair of tree.primary does not even see this one.
    expect((await post({ asOf: '2026-01-01', employeesTotal: '50', employeesPedagogical: '30' })).status).toBe(404);
    const coord = (body: Record<string, string>) =>
      coordinator.agent
        .post(`/orgs/${org.inpo}/headcount`)
        .type('form')
        .send({ _csrf: coordinator.csrf, ...body });
    expect((await coord({ asOf: '2026-01-01', employeesTotal: '50', employeesPedagogical: '30' })).status).toBe(303);
    // the second entry corrects the first from a page that shows it
    expect(
      (
        await submitForm(coordinator.agent, `/orgs/${org.inpo}/headcount`, `/orgs/${org.inpo}/headcount`, {
          asOf: '2026-01-01',
          employeesTotal: '52',
          employeesPedagogical: '31',
          studentsTotal: '400',
        })
      ).status,
    ).toBe(303);
    const bad = await coord({ asOf: '2026-02-01', employeesTotal: '10', employeesPedagogical: '11' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Педагогов не может быть больше');
    const rows = await db()('org_headcounts').where({ organization_id: org.id });
    expect(rows.map((r) => [r.as_of, r.employees_total, r.employees_pedagogical, r.students_total])).toEqual([
      ['2026-01-01', 52, 31, 400],
    ]);
    expect(await auditRows('org.headcount.saved', org.id)).toHaveLength(2);
  });

  it('when an agreement is active, then its dates are required; a valid one is saved with annexes', async () => {
    const post = (path: string, body: Record<string, string>) =>
      chair.agent
        .post(`/orgs/${tree.primary.inpo}${path}`)
        .type('form')
        .send({ _csrf: chair.csrf, ...body });
    const annexFirst = await post('/agreement/annexes', { title: 'Положение об оплате труда' });
    expect(annexFirst.status).toBe(409);
    const missing = await post('/agreement', { status: 'active' });
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('Укажите дату заключения');
    const none = await post('/agreement', { status: 'none' });
    expect(none.text).toContain('Укажите причину отсутствия договора');
    expect(
      (
        await post('/agreement', {
          status: 'active',
          signedOn: '2024-02-01',
          validFrom: '2024-02-01',
          validTo: '2027-01-31',
          registrationNumber: '45-КД',
        })
      ).status,
    ).toBe(303);
    expect(
      (await post('/agreement/annexes', { title: 'Положение об оплате труда', signedOn: '2024-02-01' })).status,
    ).toBe(303);
    const page = await chair.agent.get(`/orgs/${tree.primary.inpo}/agreement`).expect(200);
    expect(page.text).toContain('Действует');
    expect(page.text).toContain('с 01.02.2024 по 31.01.2027');
    expect(page.text).toContain('Положение об оплате труда (01.02.2024)');
    expect(csrfFrom(page.text)).toBe(chair.csrf);
  });
});

describe('search', () => {
  it("when searching by a name fragment, ИНПО or a filter, then only organizations of the user's subtree are found", async () => {
    const other = await createRegionTree(db(), 39);
    await db()('organizations')
      .where({ id: other.primary.id })
      .update({ name: 'Школа Лобачевского вне подотчётности' });
    const mine = await createOrg(db(), tree.territory, 'primary', { name: 'ППО Лицея имени Лобачевского' });
    const found = await coordinator.agent.get(`/orgs/${tree.region.inpo}/search`).query({ q: 'лобачев' }).expect(200);
    expect(found.text).toContain(mine.name);
    expect(found.text).not.toContain('вне подотчётности');
    const byInpo = await coordinator.agent
      .get(`/orgs/${tree.region.inpo}/search`)
      .query({ q: other.primary.inpo })
      .expect(200);
    expect(byInpo.text).toContain('Ничего не найдено');
    const noMembers = await coordinator.agent
      .get(`/orgs/${tree.region.inpo}/search`)
      .query({ filter: 'no_members' })
      .expect(200);
    expect(noMembers.text).toContain(mine.name);
    // A chair cannot search above their organization.
    expect((await chair.agent.get(`/orgs/${tree.region.inpo}/search`).query({ q: 'лобачев' })).status).toBe(404);
  });

  it('when a found organization lacks mandatory passport data, then its row says what is missing', async () => {
    const bare = await createOrg(db(), tree.territory, 'primary', { name: 'ППО Школы без паспорта' });
    const found = await coordinator.agent
      .get(`/orgs/${tree.region.inpo}/search`)
      .query({ q: 'без паспорта' })
      .expect(200);
    expect(found.text).toContain(bare.name);
    expect(found.text).toContain('нет председателя, нет e-mail, нет численности');
  });
});
