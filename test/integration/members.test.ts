import { beforeAll, describe, expect, it } from 'vitest';
import { countAsOf, type Category } from '../../src/membership/membership';
import { depersonaliseExpired } from '../../src/members/retention';
import { createMembersService } from '../../src/members/members.service';
import type { Principal } from '../../src/access/principal';
import { loadPrincipal } from '../../src/auth/users.repo';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser } from '../support/factories';
import { hiddenFields, submitForm } from '../support/forms';

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;
const auditCtx = { actorUserId: null, requestId: 'test', ip: '127.0.0.1' };
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let chair: { agent: Agent; csrf: string };

/** The status a voluntary exit posted straight at a card gets (no form shown first: what a reach by URL sends). */
const exitStatus = async (who: { agent: Agent; csrf: string }, id: number) =>
  (
    await who.agent
      .post(`/members/${id}/exit`)
      .type('form')
      .send({ _csrf: who.csrf, reason: 'voluntary', on: '2026-01-01' })
  ).status;
let coordinatorPrincipal: Principal;

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  chair = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: tree.primary }]));
  const coordinator = await createUser(db(), [{ role: 'coordinator', org: tree.region }]);
  coordinatorPrincipal = (await loadPrincipal(db(), coordinator.id))!;
});

const person = (extra: Record<string, string> = {}) => ({
  surname: 'Сафина',
  name: 'Гульнара',
  patronymic: 'Ильдаровна',
  sex: 'f',
  birthDate: '1988-04-12',
  phone: '+7 917 555-12-34',
  email: 'g.safina@example.ru',
  category: 'working',
  isPedagogical: 'on',
  position: 'Учитель математики',
  organizationInpo: tree.primary.inpo,
  joinedOn: '2015-09-01',
  ...extra,
});

describe('admission and the card', () => {
  it('when a chair admits a person, then the card shows the admission, and viewing it is read-audited', async () => {
    const res = await chair.agent
      .post(`/orgs/${tree.primary.inpo}/members`)
      .type('form')
      .send({ _csrf: chair.csrf, ...person({ snils: '112-233-445 95' }) });
    expect(res.status, res.text.slice(0, 500)).toBe(303);
    const id = Number(res.headers.location!.split('/').pop());
    const row = await db()('members').where({ id }).first();
    expect(row).toMatchObject({
      surname: 'Сафина',
      phone: '+79175551234',
      snils: '11223344595',
      organization_id: tree.primary.id,
      is_pedagogical: true,
    });
    expect(await db()('member_periods').where({ member_id: id })).toMatchObject([
      { organization_id: tree.primary.id, valid_from: '2015-09-01', valid_to: null },
    ]);
    const card = await chair.agent.get(`/members/${id}`).expect(200);
    expect(card.text).toContain('01.09.2015</strong> —');
    expect(card.text).toContain('принят(а) в Профсоюз');
    expect(await db()('audit_log').where({ action: 'member.viewed', entity_id: String(id) })).toHaveLength(1);
    expect(await db()('audit_log').where({ action: 'member.admitted', entity_id: String(id) })).toHaveLength(1);
  });

  it('when the same person is entered again, then the duplicate check shows the card; confirming creates a second one only on purpose', async () => {
    const again = await chair.agent
      .post(`/orgs/${tree.primary.inpo}/members`)
      .type('form')
      .send({ _csrf: chair.csrf, ...person({ phone: '', email: '' }) });
    expect(again.status).toBe(409);
    expect(again.text).toContain('Возможно, этот человек уже есть в реестре');
    expect(again.text).toContain('ФИО и дата рождения');
    const bySnils = await chair.agent
      .post(`/orgs/${tree.primary.inpo}/members`)
      .type('form')
      .send({
        _csrf: chair.csrf,
        ...person({ surname: 'Иванова', name: 'Мария', phone: '', email: '', snils: '11223344595' }),
      });
    expect(bySnils.status).toBe(409);
    expect(bySnils.text).toContain('совпадает: СНИЛС');
    const before = Number((await db()('members').count('* as c'))[0]!.c);
    const confirmed = await chair.agent
      .post(`/orgs/${tree.primary.inpo}/members`)
      .type('form')
      .send({ _csrf: chair.csrf, ...person({ birthDate: '1990-01-01', phone: '', email: '', notDuplicate: 'on' }) });
    expect(confirmed.status).toBe(303);
    expect(Number((await db()('members').count('* as c'))[0]!.c)).toBe(before + 1);
  });

  it('when the card data are wrong, then each field gets its Russian message and nothing is saved', async () => {
    const res = await chair.agent
      .post(`/orgs/${tree.primary.inpo}/members`)
      .type('form')
      .send({
        _csrf: chair.csrf,
        ...person({
          surname: 'Smith',
          birthDate: '2020-01-01',
          snils: '11223344596',
          phone: '123',
          category: 'student',
        }),
      });
    expect(res.status).toBe(422);
    for (const text of ['Только русские буквы', 'от 14 до 100 лет', 'СНИЛС — 11 цифр', 'Введите телефон из 10 цифр']) {
      expect(res.text).toContain(text);
    }
    // Rules across fields are checked once every field is valid on its own.
    const student = await chair.agent
      .post(`/orgs/${tree.primary.inpo}/members`)
      .type('form')
      .send({ _csrf: chair.csrf, ...person({ surname: 'Студентова', category: 'student', notDuplicate: 'on' }) });
    expect(student.status).toBe(422);
    expect(student.text).toContain(
      '«Педагогическая должность» отмечается только у работающих: для категории «Обучающийся» снимите эту отметку',
    );
    expect(await db()('members').whereIn('surname', ['Smith', 'Студентова'])).toHaveLength(0);
  });
});

describe('history: the registry as of any date', () => {
  it('when members are admitted, transferred, change category and leave, then counts at past dates equal a replay of the events', async () => {
    const territory = await createOrg(db(), tree.region, 'territorial');
    const a = await createOrg(db(), territory, 'primary');
    const b = await createOrg(db(), territory, 'primary');
    const service = createMembersService(ctx.deps.db);
    type Ev = {
      on: string;
      kind: 'admit' | 'transfer' | 'category' | 'exit';
      member: number;
      org?: number;
      category?: Category;
    };
    const log: Ev[] = [];
    const admit = async (surname: string, org: typeof a, on: string, category: Category) => {
      const id = await service.admit(coordinatorPrincipal, auditCtx, {
        surname,
        name: 'Тест',
        patronymic: null,
        sex: 'f',
        birthDate: '1980-01-01',
        phone: null,
        email: null,
        snils: null,
        category,
        position: null,
        professionalGroup: null,
        isPedagogical: false,
        studyForm: null,
        studyYear: null,
        organizationInpo: org.inpo,
        joinedOn: on,
        documentNumber: null,
        documentDate: null,
        notDuplicate: true,
      });
      log.push({ on, kind: 'admit', member: id, org: org.id, category });
      return id;
    };
    const m1 = await admit('Первая', a, '2020-01-10', 'working');
    const m2 = await admit('Вторая', a, '2021-03-01', 'student');
    const m3 = await admit('Третья', b, '2022-06-15', 'working');
    const m4 = await admit('Четвёртая', b, '2023-02-01', 'pensioner');
    await service.transfer(coordinatorPrincipal, auditCtx, m1, {
      toInpo: b.inpo,
      on: '2022-01-01',
      reason: null,
      documentNumber: null,
      documentDate: null,
    });
    log.push({ on: '2022-01-01', kind: 'transfer', member: m1, org: b.id });
    await service.changeCategory(coordinatorPrincipal, auditCtx, m2, {
      category: 'working',
      isPedagogical: true,
      onParentalLeave: false,
      on: '2023-07-01',
      documentNumber: null,
      documentDate: null,
    });
    log.push({ on: '2023-07-01', kind: 'category', member: m2, category: 'working' });
    await service.exit(coordinatorPrincipal, auditCtx, m3, {
      reason: 'dismissed',
      on: '2024-05-20',
      documentNumber: '12',
      documentDate: '2024-05-20',
    });
    log.push({ on: '2024-05-20', kind: 'exit', member: m3 });
    await service.transfer(coordinatorPrincipal, auditCtx, m4, {
      toInpo: a.inpo,
      on: '2025-01-01',
      reason: null,
      documentNumber: null,
      documentDate: null,
    });
    log.push({ on: '2025-01-01', kind: 'transfer', member: m4, org: a.id });

    // Independent replay: walk the log up to the date and read off who is where.
    const replay = (date: string, orgIds: number[]) => {
      const state = new Map<number, { org: number; category: Category } | null>();
      for (const ev of log.filter((e) => e.on <= date).sort((x, y) => x.on.localeCompare(y.on))) {
        const current = state.get(ev.member);
        if (ev.kind === 'admit') state.set(ev.member, { org: ev.org!, category: ev.category! });
        if (ev.kind === 'transfer' && current) state.set(ev.member, { ...current, org: ev.org! });
        if (ev.kind === 'category' && current) state.set(ev.member, { ...current, category: ev.category! });
        if (ev.kind === 'exit') state.set(ev.member, null);
      }
      const counts = { working: 0, student: 0, pensioner: 0, unemployed: 0, total: 0 };
      for (const s of state.values()) {
        if (!s || !orgIds.includes(s.org)) continue;
        counts[s.category]++;
        counts.total++;
      }
      return counts;
    };
    for (const date of [
      '2019-12-31',
      '2020-01-10',
      '2021-12-31',
      '2022-01-01',
      '2023-01-01',
      '2023-07-01',
      '2024-05-19',
      '2024-05-20',
      '2025-06-30',
    ]) {
      expect(await countAsOf(db(), territory.path, date), `territory at ${date}`).toEqual(replay(date, [a.id, b.id]));
      expect(await countAsOf(db(), a.path, date), `A at ${date}`).toEqual(replay(date, [a.id]));
      expect(await countAsOf(db(), b.path, date), `B at ${date}`).toEqual(replay(date, [b.id]));
    }
    const dated = await service
      .transfer(coordinatorPrincipal, auditCtx, m1, {
        toInpo: a.inpo,
        on: '2021-01-01',
        reason: null,
        documentNumber: null,
        documentDate: null,
      })
      .catch((e: Error) => e);
    expect(String((dated as { fields?: { message: string }[] }).fields?.[0]?.message)).toContain(
      'не раньше последнего события в истории',
    );
  });

  it('when a transfer fails half-way, then neither side has changed', async () => {
    const other = await createOrg(db(), tree.territory, 'primary');
    const [memberId] = await createMembers(db(), tree.primary, 1);
    const before = await db()('member_periods').where({ member_id: memberId }).orderBy('id');
    await expect(
      ctx.deps.db.transaction(async (trx) => {
        await createMembersService(trx).transfer(coordinatorPrincipal, auditCtx, memberId!, {
          toInpo: other.inpo,
          on: '2026-01-15',
          reason: null,
          documentNumber: null,
          documentDate: null,
        });
        throw new Error('injected failure');
      }),
    ).rejects.toThrow('injected failure');
    expect((await db()('members').where({ id: memberId }).first()).organization_id).toBe(tree.primary.id);
    expect(await db()('member_periods').where({ member_id: memberId }).orderBy('id')).toEqual(before);
    expect(await db()('membership_events').where({ member_id: memberId, kind: 'transferred' })).toHaveLength(0);
  });
});

describe('isolation of members', () => {
  it('when a chair of one ППО reaches for a member of another by URL, form field or search, then it is not found', async () => {
    const sibling = await createOrg(db(), tree.territory, 'primary');
    const [foreignId] = await createMembers(db(), sibling, 1, { surname: 'Чужова' });
    const [ownId] = await createMembers(db(), tree.primary, 1, { surname: 'Своя' });
    expect((await chair.agent.get(`/members/${foreignId}`)).status).toBe(404);
    expect((await chair.agent.get(`/members/${foreignId}/edit`)).status).toBe(404);
    expect(await exitStatus(chair, foreignId!)).toBe(404);
    // A transfer out of one's subtree only asks the receiving side; nothing moves yet.
    const moveOut = await submitForm(chair.agent, `/members/${ownId}`, `/members/${ownId}/transfer`, {
      toInpo: sibling.inpo,
      on: '2026-11-01',
    });
    expect(moveOut.status).toBe(303);
    expect((await db()('members').where({ id: ownId }).first()).organization_id).toBe(tree.primary.id);
    expect(await db()('transfer_requests').where({ member_id: ownId, status: 'pending' })).toHaveLength(1);
    const admitElsewhere = await chair.agent
      .post(`/orgs/${tree.primary.inpo}/members`)
      .type('form')
      .send({
        _csrf: chair.csrf,
        ...person({ surname: 'Новикова', organizationInpo: sibling.inpo, notDuplicate: 'on' }),
      });
    expect(admitElsewhere.status).toBe(422);
    const search = await chair.agent
      .get(`/orgs/${tree.primary.inpo}/members`)
      .query({ q: 'Чужова', status: 'all' })
      .expect(200);
    expect(search.text).toContain('Найдено: <strong>0</strong>');
    expect((await chair.agent.get(`/orgs/${sibling.inpo}/members`)).status).toBe(404);
    const stat = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'statistician', org: tree.region }]));
    expect((await stat.agent.get(`/members/${ownId}`)).status).toBe(403);
    expect((await stat.agent.get(`/orgs/${tree.primary.inpo}/members`)).status).toBe(403);
  });
});

describe('member list', () => {
  it('when the list is paged, then it runs in Russian alphabetical order without gaps, with masked contacts and the filter total', async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    const surnames = ['Яковлева', 'Абрамова', 'Ёлкина', 'Борисова', 'Жукова', 'Иванова', 'Эминова', 'Ушакова'];
    for (const surname of surnames)
      await createMembers(db(), org, 7, { surname, phone: '+79171234567', email: 'person@example.ru' });
    await createMembers(db(), org, 3, { surname: 'Выбывшая', left_on: '2024-01-01' });
    const coordinator = await loggedInAgent(
      ctx.app,
      await createUser(db(), [{ role: 'coordinator', org: tree.region }]),
    );
    const seen: string[] = [];
    let url: string | null = `/orgs/${org.inpo}/members`;
    while (url) {
      const page = await coordinator.agent.get(url).expect(200);
      expect(page.text).toContain('Найдено: <strong>56</strong>');
      expect(page.text).not.toContain('+79171234567');
      expect(page.text).toContain('+7 (***) ***-45-67');
      expect(page.text).toContain('p***@example.ru');
      seen.push(...[...page.text.matchAll(/<a href="\/members\/\d+">([А-ЯЁа-яё]+) /g)].map((m) => m[1]!));
      const next = /href="([^"]+)">Следующие/.exec(page.text);
      url = next ? next[1]!.replace(/&amp;/g, '&') : null;
    }
    expect(seen).toHaveLength(56);
    const expected = [...surnames].sort((x, y) => x.localeCompare(y, 'ru')).flatMap((s) => Array(7).fill(s));
    expect(seen).toEqual(expected);
  });
});

describe('readmission, filters and posts', () => {
  it('when a member who left is readmitted, then both memberships stay in the history and counts at each date follow', async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    // a name of its own: readmission checks that no other card of the same person is on record
    const [id] = await createMembers(db(), org, 1, {
      surname: 'Вернувшаяся',
      joined_on: '2010-09-01',
      left_on: '2018-06-30',
    });
    const coordinator = await loggedInAgent(
      ctx.app,
      await createUser(db(), [{ role: 'coordinator', org: tree.region }]),
    );
    const readmit = (body: Record<string, string>) =>
      submitForm(coordinator.agent, `/members/${id}`, `/members/${id}/readmit`, body);
    const early = await readmit({ organizationInpo: org.inpo, category: 'working', on: '2018-01-01' });
    expect(early.status).toBe(422);
    const res = await readmit({ organizationInpo: org.inpo, category: 'pensioner', on: '2024-03-01' });
    expect(res.status).toBe(303);
    expect((await countAsOf(db(), org.path, '2015-01-01')).total).toBe(1);
    expect((await countAsOf(db(), org.path, '2020-01-01')).total).toBe(0);
    expect(await countAsOf(db(), org.path, '2025-01-01')).toMatchObject({ total: 1, pensioner: 1 });
    const card = await coordinator.agent.get(`/members/${id}`).expect(200);
    expect(card.text).toContain('выбыл(а)');
    expect(card.text).toContain('вновь принят(а)');
  });

  it('when the list is filtered by age, tenure and card, then only matching members are counted; the card shows elected posts', async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    const year = new Date().getUTCFullYear();
    const [young] = await createMembers(db(), org, 1, {
      surname: 'Молодая',
      birth_date: `${year - 25}-01-01`,
      joined_on: `${year - 2}-01-01`,
    });
    await createMembers(db(), org, 2, {
      surname: 'Опытная',
      birth_date: `${year - 55}-01-01`,
      joined_on: `${year - 30}-01-01`,
    });
    await db()('union_cards').insert({
      number: '7700000001',
      member_id: young,
      status: 'issued',
      status_on: '2026-01-01',
    });
    await db()('org_officers').insert({
      organization_id: org.id,
      post: 'chair',
      surname: 'Молодая',
      name: 'Мария',
      member_id: young,
      elected_on: '2025-01-01',
      term_until: '2030-01-01',
    });
    const coordinator = await loggedInAgent(
      ctx.app,
      await createUser(db(), [{ role: 'coordinator', org: tree.region }]),
    );
    const count = async (query: Record<string, string>) =>
      /Найдено: <strong>(\d+)<\/strong>/.exec(
        (await coordinator.agent.get(`/orgs/${org.inpo}/members`).query(query)).text,
      )![1];
    expect(await count({ age: 'under-35' })).toBe('1');
    expect(await count({ age: '50-65' })).toBe('2');
    expect(await count({ tenure: '10-plus' })).toBe('2');
    expect(await count({ tenure: '1-5' })).toBe('1');
    expect(await count({ card: 'issued' })).toBe('1');
    expect(await count({ card: 'none' })).toBe('2');
    expect(await count({ kind: 'school' })).toBe('3');
    expect(await count({ kind: 'university' })).toBe('0');
    const card = await coordinator.agent.get(`/members/${young}`).expect(200);
    expect(card.text).toContain(`Председатель, ${org.name} (до 01.01.2030)`);
  });
});

describe('retention', () => {
  it('when members left longer ago than the retention period, then their personal fields are cleared, journaled once, and past counts stay', async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    const [old] = await createMembers(db(), org, 1, {
      surname: 'Давновыбывшая',
      phone: '+79000000001',
      joined_on: '2005-01-01',
      left_on: '2019-05-31',
    });
    const [recent] = await createMembers(db(), org, 1, {
      surname: 'Недавновыбывшая',
      joined_on: '2005-01-01',
      left_on: '2023-05-31',
    });
    const before2015 = await countAsOf(db(), org.path, '2015-01-01');
    expect(await depersonaliseExpired(ctx.deps.db, '2026-11-23', 5)).toBeGreaterThanOrEqual(1);
    // under 35 all through the membership: the card keeps the birth year (retention.ts)
    expect(await db()('members').where({ id: old }).first()).toMatchObject({
      surname: 'Обезличено',
      name: 'Обезличено',
      phone: null,
      sex: 'f',
      birth_date: '1985-12-31',
    });
    expect((await db()('members').where({ id: recent }).first()).surname).toBe('Недавновыбывшая');
    expect(await db()('depersonalisation_journal').where({ member_id: old })).toHaveLength(1);
    expect(await db()('audit_log').where({ action: 'member.depersonalised', entity_id: String(old) })).toHaveLength(1);
    expect(await depersonaliseExpired(ctx.deps.db, '2026-11-23', 5)).toBe(0);
    expect(await countAsOf(db(), org.path, '2015-01-01')).toEqual(before2015);
  });
});

describe('duplicates report and merge', () => {
  it('when two cards are one person, then the report groups them and the merge keeps both histories without counting anyone twice', async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    const other = await createOrg(db(), tree.territory, 'primary');
    const [first] = await createMembers(db(), org, 1, {
      surname: 'Двойнова',
      name: 'Ирина',
      joined_on: '2012-09-01',
      left_on: '2016-06-30',
    });
    const [second] = await createMembers(db(), other, 1, {
      surname: 'Двойнова',
      name: 'Ирина',
      joined_on: '2018-09-01',
    });
    await createMembers(db(), org, 1, { surname: 'Одинокова' });
    const coordinator = await loggedInAgent(
      ctx.app,
      await createUser(db(), [{ role: 'coordinator', org: tree.region }]),
    );
    const report = await coordinator.agent.get(`/orgs/${tree.territory.inpo}/members/duplicates`).expect(200);
    expect(report.text).toContain('Совпадение: ФИО и дата рождения');
    expect(report.text).toContain(`/members/${first}`);
    expect(report.text).not.toContain('Одинокова');

    const at = async (date: string) => (await countAsOf(db(), tree.territory.path, date)).total;
    const before = [await at('2014-01-01'), await at('2017-01-01'), await at('2020-01-01')];
    expect(
      (
        await coordinator.agent
          .post(`/members/${first}/merge`)
          .type('form')
          .send({ _csrf: coordinator.csrf, duplicateId: second })
      ).status,
    ).toBe(303);
    expect([await at('2014-01-01'), await at('2017-01-01'), await at('2020-01-01')]).toEqual(before);
    const survivor = await db()('members').where({ id: first }).first();
    expect(survivor).toMatchObject({ organization_id: other.id, left_on: null });
    expect((await db()('members').where({ id: second }).first()).merged_into_id).toBe(first);
    const kinds = (await db()('membership_events').where({ member_id: first }).orderBy('happened_on')).map(
      (e) => e.kind,
    );
    expect(kinds).toEqual(['admitted', 'left', 'admitted']);
    const card = await coordinator.agent.get(`/members/${first}`).expect(200);
    expect(card.text).toContain('01.09.2018</strong> —');
    const after = await coordinator.agent.get(`/orgs/${tree.territory.inpo}/members/duplicates`).expect(200);
    expect(after.text).not.toContain(`/members/${second}"`);
  });
});

describe('sorting the list', () => {
  it('when sorted by birth date, then pages follow each other in that order without gaps or repeats', async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    const ids: number[] = [];
    for (let i = 0; i < 60; i++)
      ids.push(
        ...(await createMembers(db(), org, 1, {
          surname: `Сортова`,
          birth_date: `19${60 + (i % 30)}-0${(i % 9) + 1}-15`,
        })),
      );
    const coordinator = await loggedInAgent(
      ctx.app,
      await createUser(db(), [{ role: 'coordinator', org: tree.region }]),
    );
    const seen: number[] = [];
    let url: string | null = `/orgs/${org.inpo}/members?sort=birth`;
    while (url) {
      const page = await coordinator.agent.get(url).expect(200);
      seen.push(...[...page.text.matchAll(/<a href="\/members\/(\d+)">/g)].map((m) => Number(m[1])));
      const next = /href="([^"]+)">Следующие/.exec(page.text);
      url = next ? next[1]!.replace(/&amp;/g, '&') : null;
    }
    const expected = (
      await db()('members')
        .where({ organization_id: org.id })
        .orderBy([{ column: 'birth_date' }, { column: 'id' }])
        .pluck('id')
    ).map(Number);
    expect(seen).toEqual(expected);
  });
});

describe('transfer requests across subtrees', () => {
  it('when the receiving chair accepts, then the member moves on the requested date; a refusal needs a reason; others cannot decide', async () => {
    const here = await createOrg(db(), tree.territory, 'primary');
    const there = await createOrg(db(), tree.territory, 'primary');
    const [memberId] = await createMembers(db(), here, 1, { surname: 'Переводимая', joined_on: '2015-01-01' });
    const sender = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: here }]));
    const receiver = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: there }]));
    const sent = await submitForm(sender.agent, `/members/${memberId}`, `/members/${memberId}/transfer`, {
      toInpo: there.inpo,
      on: '2026-09-01',
    });
    expect((await sender.agent.get(sent.headers.location!)).text).toContain('ей отправлен запрос');
    expect((await sender.agent.get(`/members/${memberId}`)).text).toContain('ждёт ответа принимающей организации');

    const inbox = await receiver.agent.get(`/orgs/${there.inpo}/transfer-requests`).expect(200);
    expect(inbox.text).toContain('Переводимая');
    const requestId = Number(/\/transfer-requests\/(\d+)\/decide/.exec(inbox.text)![1]);
    expect(
      (
        await sender.agent
          .post(`/transfer-requests/${requestId}/decide`)
          .type('form')
          .send({ _csrf: sender.csrf, decision: 'accept' })
      ).status,
    ).toBe(404);
    const noReason = await receiver.agent
      .post(`/transfer-requests/${requestId}/decide`)
      .type('form')
      .send({ _csrf: receiver.csrf, decision: 'decline' });
    expect(noReason.status).toBe(422);
    expect(
      (
        await receiver.agent
          .post(`/transfer-requests/${requestId}/decide`)
          .type('form')
          .send({ _csrf: receiver.csrf, decision: 'accept' })
      ).status,
    ).toBe(303);
    expect((await db()('members').where({ id: memberId }).first()).organization_id).toBe(there.id);
    expect((await countAsOf(db(), there.path, '2026-09-01')).total).toBe(1);
    expect((await countAsOf(db(), here.path, '2026-08-31')).total).toBe(1);
    // the sender is told, with a link that opens for them: their list on the day before, where the member still is
    const told = await db()('notifications').where({ kind: 'transfer_decided' }).orderBy('id', 'desc').first();
    expect(told.title).toBe('Запрос на перевод принят: член Профсоюза переведён');
    const list = await sender.agent.get(told.link).expect(200);
    expect(list.text).toContain('Переводимая');
    expect(
      (
        await receiver.agent
          .post(`/transfer-requests/${requestId}/decide`)
          .type('form')
          .send({ _csrf: receiver.csrf, decision: 'accept' })
      ).status,
    ).toBe(409);
  });
});

describe('the list as of a date', () => {
  it('when the list is read as of a past date, then it shows who was a member of the subtree then, wherever they are now', async () => {
    const here = await createOrg(db(), tree.territory, 'primary');
    const elsewhere = await createOrg(db(), tree.territory, 'primary');
    const service = createMembersService(ctx.deps.db);
    const [movedAway] = await createMembers(db(), here, 1, { surname: 'Ушедшая', joined_on: '2015-01-01' });
    const [stayed] = await createMembers(db(), here, 1, { surname: 'Оставшаяся', joined_on: '2015-01-01' });
    const [latecomer] = await createMembers(db(), here, 1, { surname: 'Новенькая', joined_on: '2025-01-01' });
    await service.transfer(coordinatorPrincipal, auditCtx, movedAway!, {
      toInpo: elsewhere.inpo,
      on: '2024-01-01',
      reason: null,
      documentNumber: null,
      documentDate: null,
    });
    const coordinator = await loggedInAgent(
      ctx.app,
      await createUser(db(), [{ role: 'coordinator', org: tree.region }]),
    );
    const asOf = await coordinator.agent
      .get(`/orgs/${here.inpo}/members`)
      .query({ on: '2023-06-01', status: 'active' })
      .expect(200);
    expect(asOf.text).toContain(`/members/${movedAway}"`);
    expect(asOf.text).toContain(`/members/${stayed}"`);
    expect(asOf.text).not.toContain(`/members/${latecomer}"`);
    expect(asOf.text).toContain('Найдено: <strong>2</strong>');
    const today = await coordinator.agent.get(`/orgs/${here.inpo}/members`).expect(200);
    expect(today.text).not.toContain(`/members/${movedAway}"`);
    expect(today.text).toContain(`/members/${latecomer}"`);
  });
});

describe("the member's own card", () => {
  it("when a member logs in, then they open their own card from the personal account, read-only, and no one else's", async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    const [own, neighbour] = await createMembers(db(), org, 2);
    const user = await createUser(db(), [{ role: 'member', org }]);
    await db()('users').where({ id: user.id }).update({ member_id: own });
    const member = await loggedInAgent(ctx.app, user);
    // the home of a member's login is the personal account (issue 18, item 3), which leads to the card
    expect((await member.agent.get('/').expect(303)).headers.location).toBe('/me');
    const account = await member.agent.get('/me').expect(200);
    expect(account.text).toContain(`href="/members/${own}"`);
    const card = await member.agent.get(`/members/${own}`).expect(200);
    expect(card.text).toContain('История членства');
    expect(card.text).not.toContain('Изменить карточку');
    expect(card.text).not.toContain('Оформить выход');
    expect((await member.agent.get(`/members/${neighbour}`)).status).toBe(403);
    expect(await exitStatus(member, own!)).toBe(403);
  });
});

describe('editing the card', () => {
  it('when the person data are corrected, then only they change, the audit row holds old and new values, and category stays', async () => {
    const [id] = await createMembers(db(), tree.primary, 1, {
      surname: 'Исправляемая',
      phone: '+79000000000',
      category: 'student',
    });
    const form = await chair.agent.get(`/members/${id}/edit`).expect(200);
    expect(form.text).toContain('value="Исправляемая"');
    const hidden = hiddenFields(form.text, `/members/${id}/edit`);
    const bad = await chair.agent
      .post(`/members/${id}/edit`)
      .type('form')
      .send({ ...hidden, surname: 'Исправленная', name: 'Мария', sex: 'f', birthDate: '1985-05-05', phone: '12' });
    expect(bad.status).toBe(422);
    const res = await chair.agent
      .post(`/members/${id}/edit`)
      .type('form')
      .send({
        ...hidden,
        surname: 'Исправленная',
        name: 'Мария',
        patronymic: 'Ивановна',
        sex: 'f',
        birthDate: '1985-05-05',
        phone: '+7 917 000-11-22',
      });
    expect(res.status).toBe(303);
    expect(await db()('members').where({ id }).first()).toMatchObject({
      surname: 'Исправленная',
      phone: '+79170001122',
      category: 'student',
    });
    const [audit] = await db()('audit_log').where({ action: 'member.updated', entity_id: String(id) });
    expect(audit.old_values).toEqual({ surname: 'Исправляемая', phone: '+79000000000' });
    expect(audit.new_values).toEqual({ surname: 'Исправленная', phone: '+79170001122' });
  });
});
