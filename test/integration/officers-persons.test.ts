import { beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import {
  up as dropTypedSex,
  down as keepTypedSex,
} from '../../migrations/20261129100200_drop-officer-typed-sex-and-birth-date';
import { up as linkOfficers } from '../../migrations/20261129100100_link-officers-to-member-cards';
import { depersonaliseExpiredPersons } from '../../src/members/retention';
import type { OrgRow } from '../../src/registry/orgs.repo';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser, unionRoot } from '../support/factories';

// Issue 12, items 1 and 2: an elected officer is a person — a member card picked across the union among
// the cards the user may see, or a non-member recorded by SNILS with sex and birth date — and the officer
// lines take women and youth from that person; line 31 counts each person once over the whole subtree,
// live and from filed reports; officers typed before are linked to cards where unambiguous, and listed
// as data gaps otherwise.

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;
const D = '2026-04-01';
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let sibling: OrgRow;
let coordinator: { agent: Agent; csrf: string };
let chair: { agent: Agent; csrf: string };
let admin: { agent: Agent; csrf: string };
const cards: Record<string, number> = {};

const card = async (org: OrgRow, surname: string, name: string, sex: 'm' | 'f', birth: string) =>
  (
    await createMembers(db(), org, 1, {
      surname,
      name,
      patronymic: null,
      sex,
      birth_date: birth,
      joined_on: '2015-01-01',
    })
  )[0]!;

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  sibling = await createOrg(db(), tree.territory, 'primary', { name: 'ППО соседней школы' });
  const far = await createRegionTree(db(), 50);
  cards.near = await card(sibling, 'Ковалёва', 'Ирина', 'f', '1996-02-02');
  cards.far = await card(far.primary, 'Ковалёва', 'Ирина', 'f', '1980-03-03');
  cards.snilsHolder = await card(sibling, 'Носова', 'Анна', 'f', '1980-03-03');
  await db()('members').where({ id: cards.snilsHolder }).update({ snils: '12345678964' });
  coordinator = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: tree.region }]));
  chair = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: tree.primary }]));
  admin = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'admin', org: await unionRoot(db()) }]));
});

const addOfficer = (who: { agent: Agent; csrf: string }, org: OrgRow, body: Record<string, string>) =>
  who.agent
    .post(`/orgs/${org.inpo}/officers`)
    .type('form')
    .send({ _csrf: who.csrf, post: 'deputy', electedOn: '2025-01-10', ...body });
const fieldError = (html: string, field: string) =>
  new RegExp(`id="${field}-error"[^>]*>([^<]*)<`).exec(html)?.[1]?.trim();

describe('an officer picked from the member cards', () => {
  it('when the coordinator searches by name or ИНПО, then cards across her region are found and cards outside it are not', async () => {
    const byName = await coordinator.agent
      .get(`/orgs/${tree.primary.inpo}/officers/new`)
      .query({ q: 'ковалёва ирина' })
      .expect(200);
    expect(byName.text).toContain(`value="${cards.near}"`);
    expect(byName.text).toContain('ППО соседней школы');
    expect(byName.text).not.toContain(`value="${cards.far}"`);
    const byInpo = await coordinator.agent
      .get(`/orgs/${tree.primary.inpo}/officers/new`)
      .query({ q: sibling.inpo })
      .expect(200);
    expect(byInpo.text).toContain(`value="${cards.near}"`);
    expect(byInpo.text).toContain(`value="${cards.snilsHolder}"`);
    // the federal administrator sees both
    const union = await admin.agent.get(`/orgs/${tree.primary.inpo}/officers/new`).query({ q: 'Ковалёва' }).expect(200);
    expect(union.text).toContain(`value="${cards.near}"`);
    expect(union.text).toContain(`value="${cards.far}"`);
  });

  it("when she picks a card of another ППО, then the officer is that member, with the card's names, and audited", async () => {
    const res = await addOfficer(coordinator, tree.primary, {
      personKind: 'member',
      memberId: String(cards.near),
      q: 'Ковалёва',
    });
    expect(res.status, res.text.slice(0, 500)).toBe(303);
    const officer = await db()('org_officers')
      .where({ organization_id: tree.primary.id, member_id: cards.near })
      .first();
    expect(officer).toMatchObject({
      post: 'deputy',
      surname: 'Ковалёва',
      name: 'Ирина',
      person_id: null,
      elected_on: '2025-01-10',
    });
    const [audit] = await db()('audit_log').where({ action: 'org.officer.added', entity_id: String(officer.id) });
    expect(audit.new_values).toMatchObject({ memberId: cards.near, post: 'deputy', surname: 'Ковалёва' });
    // the officers tab names the person as the card does now
    await db()('members').where({ id: cards.near }).update({ surname: 'Ковалёва-Новикова' });
    const page = await coordinator.agent.get(`/orgs/${tree.primary.inpo}/officers`).expect(200);
    expect(page.text).toContain('Ковалёва-Новикова Ирина');
    await db()('members').where({ id: cards.near }).update({ surname: 'Ковалёва' });
  });

  it('when a chair of a ППO picks a card she may not see, then 422 next to the card list and nothing is saved; her search does not show it', async () => {
    const search = await chair.agent
      .get(`/orgs/${tree.primary.inpo}/officers/new`)
      .query({ q: 'Ковалёва' })
      .expect(200);
    expect(search.text).not.toContain(`value="${cards.near}"`);
    expect(search.text).toContain('никого нет');
    const before = await db()('org_officers').count('* as n').first();
    const res = await addOfficer(chair, tree.primary, { personKind: 'member', memberId: String(cards.near) });
    expect(res.status).toBe(422);
    expect(fieldError(res.text, 'memberId')).toBe('Карточка не найдена среди членов Профсоюза на учёте, доступных вам');
    expect(res.text).toContain('href="#memberId"');
    expect(await db()('org_officers').count('* as n').first()).toEqual(before);
  });
});

describe('an officer outside the registry, by SNILS', () => {
  it('when entered with SNILS, sex and birth date, then a person is recorded once and audited; a second post of the same SNILS is the same person', async () => {
    const outsider = {
      personKind: 'nonmember',
      snils: '112-233-445 95',
      surname: 'Орлов',
      name: 'Пётр',
      sex: 'm',
      birthDate: '1999-06-01',
    };
    expect((await addOfficer(coordinator, tree.primary, { ...outsider, post: 'safety_rep' })).status).toBe(303);
    expect((await addOfficer(coordinator, sibling, { ...outsider, post: 'audit' })).status).toBe(303);
    const persons = await db()('persons').where({ snils: '11223344595' });
    expect(persons).toHaveLength(1);
    expect(persons[0]).toMatchObject({ surname: 'Орлов', sex: 'm', birth_date: '1999-06-01' });
    const posts = await db()('org_officers').where({ person_id: persons[0].id }).orderBy('id');
    expect(posts.map((p) => [p.organization_id, p.post, p.member_id])).toEqual([
      [tree.primary.id, 'safety_rep', null],
      [sibling.id, 'audit', null],
    ]);
    const created = await db()('audit_log').where({
      action: 'person.created',
      entity: 'person',
      entity_id: String(persons[0].id),
    });
    expect(created).toHaveLength(1);
    expect(created[0].new_values).toMatchObject({ snils: '11223344595', sex: 'm', birthDate: '1999-06-01' });
  });

  it('when the same SNILS comes with another sex, or belongs to a member card, then 422 next to the SNILS', async () => {
    const other = await addOfficer(coordinator, tree.primary, {
      personKind: 'nonmember',
      snils: '11223344595',
      surname: 'Орлова',
      name: 'Пётр',
      sex: 'f',
      birthDate: '1999-06-01',
    });
    expect(other.status).toBe(422);
    expect(fieldError(other.text, 'snils')).toContain('уже внесён с другим полом или датой рождения');
    const member = await addOfficer(coordinator, tree.primary, {
      personKind: 'nonmember',
      snils: '123-456-789 64',
      surname: 'Носова',
      name: 'Анна',
      sex: 'f',
      birthDate: '1980-03-03',
    });
    expect(member.status).toBe(422);
    expect(fieldError(member.text, 'snils')).toContain('указан в карточке члена Профсоюза');
  });

  it('when fields are missing or wrong, then each gets its Russian message next to it', async () => {
    const empty = await addOfficer(coordinator, tree.primary, { personKind: 'nonmember' });
    expect(empty.status).toBe(422);
    expect(fieldError(empty.text, 'snils')).toBe('Укажите СНИЛС');
    expect(fieldError(empty.text, 'surname')).toBe('Укажите фамилию');
    expect(fieldError(empty.text, 'name')).toBe('Укажите имя');
    expect(fieldError(empty.text, 'sex')).toBe('Укажите пол');
    expect(fieldError(empty.text, 'birthDate')).toBe('Укажите дату рождения');
    const wrong = await addOfficer(coordinator, tree.primary, {
      personKind: 'nonmember',
      snils: '112-233-445 96',
      surname: 'Orlov',
      name: 'Пётр',
      sex: 'x',
      birthDate: '1920-01-01',
    });
    expect(fieldError(wrong.text, 'snils')).toContain('контрольной суммой');
    expect(fieldError(wrong.text, 'surname')).toBe('Только русские буквы, дефис и пробел');
    expect(fieldError(wrong.text, 'sex')).toBe('Укажите пол');
    expect(fieldError(wrong.text, 'birthDate')).toContain('от 14 до 100 лет');
    const noCard = await addOfficer(coordinator, tree.primary, { personKind: 'member' });
    expect(fieldError(noCard.text, 'memberId')).toContain('Найдите члена Профсоюза');
    const noKind = await addOfficer(coordinator, tree.primary, {});
    expect(fieldError(noKind.text, 'personKind')).toBe('Выберите: член Профсоюза или человек вне реестра');
  });
});

// ---- reports: lines 22–32 from the person ---------------------------------------------------------

interface Person {
  key: string;
  sex: 'm' | 'f' | null;
  birth: string | null;
}
/** G is a union group of A, SUB a subdivision of B: their posts belong to the ППО's forms */
interface Post {
  org: 'A' | 'B' | 'G' | 'SUB';
  post: string;
  person: Person;
  salaried?: boolean;
  trainedOn?: string;
}
const PPO_OF = { A: 'A', G: 'A', B: 'B', SUB: 'B' } as const;
const LEVEL_OF = { A: 'primary', B: 'primary', G: 'group', SUB: 'subdivision' } as const;
const S = '2026-01-01'; // the start of the 5-СП period ending on D

/** Lines of section II by post, as forms.md defines them for ППО (no subdivisions or groups here). */
const primary = (p: Post) => LEVEL_OF[p.org] === 'primary';
const LINE_POSTS: Record<string, (p: Post) => boolean> = {
  '22': (p) => p.post === 'chair' && primary(p),
  '23': (p) => p.post === 'chair' && primary(p) && !!p.salaried,
  '24': (p) => p.post === 'deputy' && primary(p),
  '25': (p) => p.post === 'committee' && primary(p),
  '26': (p) => p.post === 'audit' && primary(p),
  '27': (p) => p.post === 'commission',
  '28': (p) => p.post === 'group_organizer' || (p.post === 'chair' && LEVEL_OF[p.org] === 'group'),
  '29': (p) => p.post === 'chair' && LEVEL_OF[p.org] === 'subdivision',
  '30': (p) => p.post === 'safety_rep',
};
const youthOn = (birth: string | null, on: string) => !!birth && birth > `${Number(on.slice(0, 4)) - 35}${on.slice(4)}`;

function expectedOfficerLines(posts: Post[], on: string) {
  const count = (rows: Person[]) => ({
    total: rows.length,
    women: rows.filter((p) => p.sex === 'f').length,
    youth: rows.filter((p) => youthOn(p.birth, on)).length,
  });
  const out: Record<string, { total: number; women: number; youth: number }> = {};
  for (const [no, rule] of Object.entries(LINE_POSTS)) out[no] = count(posts.filter(rule).map((p) => p.person));
  const distinct = (rows: Post[]) => count([...new Map(rows.map((p) => [p.person.key, p.person])).values()]);
  out['31'] = distinct(posts);
  out['32'] = distinct(posts.filter((p) => !!p.trainedOn && p.trainedOn > S && p.trainedOn <= on));
  return out;
}

describe('officer lines of 5-СП and 2-СП', () => {
  let territory: OrgRow;
  let A: OrgRow;
  let B: OrgRow;
  let G: OrgRow;
  let SUB: OrgRow;
  let posts: Post[];
  const json = async (code: string, org: OrgRow, source = '') =>
    (await admin.agent.get(`/reports/${code}/${org.inpo}/${D}.json${source}`).expect(200)).body as {
      lines: { no: string; values: Record<string, number | null> }[];
      gaps: { message: string; orgs: { inpo: string }[] }[];
    };
  const lines = (body: Awaited<ReturnType<typeof json>>, nos: string[]) =>
    Object.fromEntries(
      nos.map((no) => {
        const v = body.lines.find((l) => l.no === no)!.values;
        return [no, { total: v.total, women: v.women, youth: v.youth }];
      }),
    );

  beforeAll(async () => {
    territory = await createOrg(db(), tree.region, 'territorial', { name: 'Территория с активом' });
    A = await createOrg(db(), territory, 'primary', { name: 'ППО А' });
    B = await createOrg(db(), territory, 'primary', { name: 'ППО Б' });
    G = await createOrg(db(), A, 'group', { name: 'Профгруппа А' });
    SUB = await createOrg(db(), B, 'subdivision', { name: 'Профбюро Б' });
    for (const org of [A, B])
      await db()('org_headcounts').insert({
        organization_id: org.id,
        as_of: '2025-09-01',
        employees_total: 40,
        employees_pedagogical: 20,
        students_total: 0,
      });
    const volkova = {
      key: 'Волкова',
      sex: 'f' as const,
      birth: '1995-05-05',
      id: await card(A, 'Волкова', 'Елена', 'f', '1995-05-05'),
    };
    const zimin = {
      key: 'Зимин',
      sex: 'm' as const,
      birth: '1970-01-01',
      id: await card(A, 'Зимин', 'Олег', 'm', '1970-01-01'),
    };
    const yurieva = {
      key: 'Юрьева',
      sex: 'f' as const,
      birth: '1960-02-02',
      id: await card(B, 'Юрьева', 'Нина', 'f', '1960-02-02'),
    };
    // turns 35 on 2026-03-31, the day before the report: not youth on D
    const turned = {
      key: 'Тёмин',
      sex: 'm' as const,
      birth: '1991-03-31',
      id: await card(B, 'Тёмин', 'Глеб', 'm', '1991-03-31'),
    };
    const [orlov] = await db()('persons')
      .insert({ snils: '22233344405', surname: 'Орлов', name: 'Иван', sex: 'm', birth_date: '1999-01-01' })
      .returning('id');
    const outsider = { key: 'p-Орлов', sex: 'm' as const, birth: '1999-01-01' };
    const unknown = { key: 'legacy', sex: null, birth: null };
    posts = [
      { org: 'A', post: 'chair', person: volkova, salaried: true },
      { org: 'A', post: 'deputy', person: zimin, trainedOn: '2025-12-31' }, // trained before the period
      { org: 'A', post: 'safety_rep', person: outsider, trainedOn: '2026-03-01' },
      { org: 'G', post: 'group_organizer', person: turned },
      { org: 'B', post: 'chair', person: yurieva },
      { org: 'SUB', post: 'chair', person: zimin, trainedOn: '2026-04-01' },
      { org: 'B', post: 'committee', person: volkova, trainedOn: '2026-02-01' }, // one person, posts in two ППО
      { org: 'B', post: 'audit', person: outsider }, // one non-member, posts in two ППО
      { org: 'B', post: 'commission', person: turned },
      { org: 'B', post: 'committee', person: unknown }, // typed before officers were people: no sex, no age
    ];
    const orgOf = { A, B, G, SUB };
    for (const p of posts) {
      const who = p.person as Person & { id?: number };
      await db()('org_officers').insert({
        organization_id: orgOf[p.org].id,
        post: p.post,
        surname: p.person.key === 'legacy' ? 'Неизвестная' : p.person.key,
        name: 'Тест',
        salaried: !!p.salaried,
        member_id: who.id ?? null,
        person_id: p.person === outsider ? orlov.id : null,
        elected_on: '2024-01-01',
        trained_on: p.trainedOn ?? null,
      });
    }
  });

  it('when a ППО report is computed, then women and youth of lines 22–32 come from the person on the report date', async () => {
    for (const [org, key] of [
      [A, 'A'],
      [B, 'B'],
    ] as const) {
      const expected = expectedOfficerLines(
        posts.filter((p) => PPO_OF[p.org] === key),
        D,
      );
      expect(lines(await json('5-SP', org), Object.keys(expected))).toEqual(expected);
    }
    // line 22 of A: the chair is a woman under 35
    expect(
      expectedOfficerLines(
        posts.filter((p) => PPO_OF[p.org] === 'A'),
        D,
      )['22'],
    ).toEqual({ total: 1, women: 1, youth: 1 });
  });

  it('when the territory consolidates, then line 31 counts a person with posts in two ППО once', async () => {
    const expected = expectedOfficerLines(posts, D);
    expect(expected['31']).toEqual({ total: 6, women: 2, youth: 2 });
    expect(expected['32']).toEqual({ total: 3, women: 1, youth: 2 });
    expect(lines(await json('2-SP', territory), Object.keys(expected))).toEqual(expected);
  });

  it('when both ППО have filed, then the consolidation from filed reports counts line 31 over the kept persons, as live does', async () => {
    for (const org of [A, B]) {
      const res = await admin.agent
        .post(`/reports/5-SP/${org.inpo}/${D}/file`)
        .type('form')
        .send({ _csrf: admin.csrf });
      expect(res.status).toBe(303);
    }
    const [version] = await db()('report_versions as v')
      .join('reports as r', 'r.id', 'v.report_id')
      .where({ 'r.organization_id': A.id })
      .select('v.result');
    // the frozen version keeps who line 31 counts as ids, never names
    expect(version.result.personKeys['31'].total).toHaveLength(4);
    expect(JSON.stringify(version.result.personKeys)).not.toMatch(/Волкова|Орлов|Зимин/);
    const filed = await json('2-SP', territory, '?source=filed');
    const live = await json('2-SP', territory, '?source=live');
    expect(lines(filed, ['31', '32'])).toEqual(lines(live, ['31', '32']));
    expect(lines(filed, ['31', '32'])).toEqual({
      '31': expectedOfficerLines(posts, D)['31'],
      '32': expectedOfficerLines(posts, D)['32'],
    });
    expect(filed.gaps.some((g) => g.message.startsWith('Строки «разные лица»'))).toBe(false);

    // a version filed before reports kept their persons: its figures are added, and the report says so
    await db()('report_versions')
      .whereIn('report_id', db()('reports').where({ organization_id: B.id }).select('id'))
      .update({ result: db().raw("result - 'personKeys'") });
    const old = await json('2-SP', territory, '?source=filed');
    const sumOf = (key: 'A' | 'B') =>
      expectedOfficerLines(
        posts.filter((p) => PPO_OF[p.org] === key),
        D,
      )['31']!;
    expect(lines(old, ['31'])['31']).toEqual({
      total: sumOf('A').total + sumOf('B').total,
      women: sumOf('A').women + sumOf('B').women,
      youth: sumOf('A').youth + sumOf('B').youth,
    });
    expect(old.gaps.find((g) => g.message.startsWith('Строки «разные лица»'))?.orgs.map((o) => o.inpo)).toEqual([
      B.inpo,
    ]);
  });

  it('when an officer is no person, then the report lists the organization under data gaps', async () => {
    const gaps = (await json('5-SP', B)).gaps;
    const gap = gaps.find((g) => g.message.startsWith('Выборные лица без персоны'));
    expect(gap?.orgs.map((o) => o.inpo)).toEqual([B.inpo]);
    expect((await json('5-SP', A)).gaps.some((g) => g.message.startsWith('Выборные лица без персоны'))).toBe(false);
  });
});

describe('migration of officers typed before they were people', () => {
  it('links an officer to the one card of the same name in the organization; the ambiguous and the unknown stay unlinked and become data gaps', async () => {
    const knex: Knex = db();
    const org = await createOrg(knex, tree.territory, 'primary', { name: 'ППО с прежними записями' });
    await knex('org_headcounts').insert({
      organization_id: org.id,
      as_of: '2025-09-01',
      employees_total: 40,
      employees_pedagogical: 20,
      students_total: 0,
    });
    const unique = await card(org, 'Сомова', 'Инна', 'f', '1990-01-01');
    await card(org, 'Двойнова', 'Ада', 'f', '1980-01-01');
    await card(org, 'Двойнова', 'Ада', 'f', '1985-01-01');
    // the same name in another ППО of the union does not make the match ambiguous, nor is it linked
    await card(sibling, 'Сомова', 'Инна', 'f', '1970-01-01');
    // the migrations run in order: the typed sex and birth date are still there when the links are made
    await keepTypedSex(knex);
    try {
      await knex('org_officers').insert([
        { organization_id: org.id, post: 'chair', surname: 'сомова', name: 'Инна', elected_on: '2023-01-01' },
        { organization_id: org.id, post: 'deputy', surname: 'Двойнова', name: 'Ада', elected_on: '2023-01-01' },
        {
          organization_id: org.id,
          post: 'committee',
          surname: 'Двойнова',
          name: 'Ада',
          birth_date: '1985-01-01',
          elected_on: '2023-01-01',
        },
        { organization_id: org.id, post: 'audit', surname: 'Никтова', name: 'Вера', elected_on: '2023-01-01' },
      ]);
      await linkOfficers(knex);
    } finally {
      await dropTypedSex(knex);
    }
    const rows = await knex('org_officers')
      .where({ organization_id: org.id })
      .orderBy('id')
      .select('post', 'member_id');
    const twin = await knex('members').where({ surname: 'Двойнова', birth_date: '1985-01-01' }).first('id');
    expect(rows).toEqual([
      { post: 'chair', member_id: unique },
      { post: 'deputy', member_id: null },
      { post: 'committee', member_id: Number(twin.id) },
      { post: 'audit', member_id: null },
    ]);
    const report = (await admin.agent.get(`/reports/5-SP/${org.inpo}/${D}.json`).expect(200)).body;
    const gap = report.gaps.find((g: { message: string }) => g.message.startsWith('Выборные лица без персоны'));
    expect(gap.orgs).toEqual([{ inpo: org.inpo, name: 'ППО с прежними записями' }]);
    // the unlinked are counted as posts, never with a guessed sex
    const l22 = report.lines.find((l: { no: string }) => l.no === '22').values;
    const l24 = report.lines.find((l: { no: string }) => l.no === '24').values;
    expect([l22.total, l22.women, l24.total, l24.women]).toEqual([1, 1, 1, 0]);
  });
});

describe('retention of non-member officers', () => {
  it("when a non-member's last post ended more than the retention years ago, then names and SNILS go (on the person, the posts and the audit), the figures stay", async () => {
    const knex: Knex = db();
    const org = await createOrg(knex, tree.territory, 'primary', { name: 'ППО с давним активом' });
    const former = {
      personKind: 'nonmember',
      snils: '333-444-555 61',
      surname: 'Давняя',
      name: 'Ольга',
      sex: 'f',
      birthDate: '1990-07-07',
    };
    const current = {
      personKind: 'nonmember',
      snils: '444-555-666 05',
      surname: 'Нынешняя',
      name: 'Ирина',
      sex: 'f',
      birthDate: '1991-01-01',
    };
    expect((await addOfficer(coordinator, org, { ...former, post: 'audit', electedOn: '2012-01-01' })).status).toBe(
      303,
    );
    expect((await addOfficer(coordinator, org, { ...current, post: 'audit', electedOn: '2012-01-01' })).status).toBe(
      303,
    );
    const [post] = await knex('org_officers').where({ organization_id: org.id, surname: 'Давняя' });
    expect(
      (
        await coordinator.agent
          .post(`/orgs/${org.inpo}/officers/${post.id}/end`)
          .type('form')
          .send({ _csrf: coordinator.csrf, endedOn: '2018-06-30', confirmed: '1' })
      ).status,
    ).toBe(303);
    const figures = async (date: string) =>
      (await admin.agent.get(`/reports/5-SP/${org.inpo}/${date}.json`).expect(200)).body.lines.find(
        (l: { no: string }) => l.no === '26',
      ).values;
    const before = [await figures('2017-01-01'), await figures('2026-04-01')];
    expect(before[0]).toEqual({ total: 2, women: 2, youth: 2 });

    expect(await depersonaliseExpiredPersons(ctx.deps.db, '2026-11-23', 5)).toBe(1);
    const gone = await knex('persons').where({ surname: 'Обезличено' });
    expect(gone).toHaveLength(1);
    expect(gone[0]).toMatchObject({ snils: null, name: 'Обезличено', sex: 'f', birth_date: '1990-12-31' });
    expect(await knex('persons').where({ snils: '44455566605' }).first()).toMatchObject({ surname: 'Нынешняя' });
    expect(await knex('org_officers').where({ id: post.id }).first()).toMatchObject({
      surname: 'Обезличено',
      name: 'Обезличено',
      patronymic: null,
    });
    const audit = JSON.stringify(
      await knex('audit_log')
        .whereIn('entity', ['person', 'org_officer'])
        .whereIn('entity_id', [String(gone[0].id), String(post.id)])
        .select('old_values', 'new_values'),
    );
    for (const value of ['Давняя', '33344455561', '1990-07-07']) expect(audit).not.toContain(value);
    expect([await figures('2017-01-01'), await figures('2026-04-01')]).toEqual(before);
    expect(await depersonaliseExpiredPersons(ctx.deps.db, '2026-11-23', 5)).toBe(0);
  });
});

describe('naming the person of an officer typed before', () => {
  it('when the coordinator picks the card for an unlinked officer, then the data gap closes and the figures take her sex; a second time is refused', async () => {
    const knex: Knex = db();
    const org = await createOrg(knex, tree.territory, 'primary', { name: 'ППО с безымянным председателем' });
    await knex('org_headcounts').insert({
      organization_id: org.id,
      as_of: '2025-09-01',
      employees_total: 40,
      employees_pedagogical: 20,
      students_total: 0,
    });
    const id = await card(org, 'Лаптева', 'Инна', 'f', '1998-01-01');
    const [officer] = await knex('org_officers')
      .insert({ organization_id: org.id, post: 'chair', surname: 'Лаптева', name: 'Инна', elected_on: '2024-01-01' })
      .returning('id');
    const report = async () => (await admin.agent.get(`/reports/5-SP/${org.inpo}/${D}.json`).expect(200)).body;
    const l22 = (body: { lines: { no: string; values: unknown }[] }) => body.lines.find((l) => l.no === '22')!.values;
    expect(l22(await report())).toEqual({ total: 1, women: 0, youth: 0 });

    const tab = await coordinator.agent.get(`/orgs/${org.inpo}/officers`).expect(200);
    expect(tab.text).toContain(`href="/orgs/${org.inpo}/officers/${officer.id}/person"`);
    // the form searches by the typed name first
    const form = await coordinator.agent.get(`/orgs/${org.inpo}/officers/${officer.id}/person`).expect(200);
    expect(form.text).toContain(`value="${id}"`);
    const empty = await coordinator.agent
      .post(`/orgs/${org.inpo}/officers/${officer.id}/person`)
      .type('form')
      .send({ _csrf: coordinator.csrf, personKind: 'member' });
    expect(empty.status).toBe(422);
    expect(fieldError(empty.text, 'memberId')).toContain('Найдите члена Профсоюза');
    const set = await coordinator.agent
      .post(`/orgs/${org.inpo}/officers/${officer.id}/person`)
      .type('form')
      .send({ _csrf: coordinator.csrf, personKind: 'member', memberId: String(id) });
    expect(set.status).toBe(303);
    expect(await knex('org_officers').where({ id: officer.id }).first()).toMatchObject({
      member_id: id,
      person_id: null,
    });
    expect(
      await knex('audit_log').where({ action: 'org.officer.person_set', entity_id: String(officer.id) }),
    ).toHaveLength(1);
    const after = await report();
    expect(l22(after)).toEqual({ total: 1, women: 1, youth: 1 });
    expect(after.gaps.some((g: { message: string }) => g.message.startsWith('Выборные лица без персоны'))).toBe(false);
    const again = await coordinator.agent
      .post(`/orgs/${org.inpo}/officers/${officer.id}/person`)
      .type('form')
      .send({ _csrf: coordinator.csrf, personKind: 'member', memberId: String(id) });
    expect(again.status).toBe(409);
  });
});
