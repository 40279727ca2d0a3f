import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMBER_COLUMNS } from '../../src/members/import/member-sheet';
import { matchKey } from '../../src/shared/match-key';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser } from '../support/factories';
import { hiddenFields } from '../support/forms';

// Issue 16, item 5: names are matched by one rule — match_key() in SQL, matchKey() in TypeScript —
// ignoring case, ё/е, quotes, hyphens and spacing, while every page shows the spelling as entered.

const uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reestr-name-matching-'));
const ctx = useTestApp({ UPLOAD_DIR: uploadDir });
afterAll(() => fs.rmSync(uploadDir, { recursive: true, force: true }));
const db = () => ctx.database.ownerDb;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let coordinator: { agent: Agent; csrf: string };

beforeAll(async () => {
  tree = await createRegionTree(db(), 31);
  coordinator = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: tree.region }]));
});

const TRICKY = [
  'Ёжова',
  'ЁЖОВА',
  'Е\u0308жова', // ё typed as е + combining diaeresis
  '  Петрова-Водкина ',
  'петрова — водкина',
  'Петрова\u00a0\u2011\tВодкина',
  'Салтыков-Щедрин',
  "Д'Артаньян",
  'О’Коннор',
  'Школа «Радуга» №5',
  'школа "радуга" № 5',
  'Ива\u00adнов',
  'Й й Ё ё Ъ ъ',
  'İstanbul',
  'ΟΔΟΣ',
  'Straße',
  '',
  '---',
  '№',
];

describe('one rule in SQL and in TypeScript', () => {
  it('when match_key() and matchKey() read the same tricky names, then they give the same keys', async () => {
    const { rows } = await db().raw(
      'SELECT t, match_key(t) AS key FROM unnest(?::text[]) WITH ORDINALITY AS x(t, n) ORDER BY n',
      [TRICKY],
    );
    expect(rows.map((r: { key: string }) => r.key)).toEqual(TRICKY.map(matchKey));
    // the keys themselves, as the issue asks
    expect(matchKey('Ёжова')).toBe('ежова');
    expect(matchKey('Е\u0308жова')).toBe('ежова');
    expect(matchKey('  Петрова-Водкина ')).toBe('петрова водкина');
    expect(matchKey('Петрова\u00a0\u2011\tВодкина')).toBe('петрова водкина');
    expect(matchKey('Школа «Радуга» №5')).toBe(matchKey('школа "радуга" № 5'));
    expect(matchKey('Й й')).toBe('й й'); // й is a letter of its own, not и
  });

  it('the member search and the duplicate check are answered from the match_key() indexes', async () => {
    await db().raw('SET enable_seqscan = off');
    try {
      const plan = async (sql: string) =>
        (await db().raw(`EXPLAIN ${sql}`)).rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
      expect(await plan("SELECT id FROM members WHERE surname_key LIKE '%семен%'")).toContain(
        'members_region_surname_key_trgm',
      );
      expect(
        await plan(
          "SELECT id FROM members m WHERE match_key(m.surname) = match_key('Ёжова') AND match_key(m.name) = match_key('Елена') AND m.birth_date = '1979-10-10'",
        ),
      ).toContain('members_identity_key_idx');
      // on a few test rows a whole read of the (name, id) indexes the search pages by costs less than the trigram
      // index; with them set aside (in a transaction rolled back) the trigram index must answer the fragment
      await db().transaction(async (trx) => {
        await trx.raw('DROP INDEX organizations_name_idx, organizations_level_name_idx');
        const { rows } = await trx.raw("EXPLAIN SELECT id FROM organizations WHERE match_key(name) LIKE '%ребенка%'");
        expect(rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n')).toContain(
          'organizations_name_key_trgm',
        );
        await trx.rollback();
      });
    } finally {
      await db().raw('RESET enable_seqscan');
    }
  });
});

describe('the stored surname key', () => {
  // the search's trigram index is on members.surname_key (issue 15): it must be match_key(surname) always
  const keysOf = async (ids: number[]) =>
    (
      await db().raw(
        // in the order of the ids given (the cards are created side by side, so their ids need not follow it)
        `SELECT surname_key AS stored, match_key(surname) AS computed, surname
           FROM unnest(?::bigint[]) WITH ORDINALITY AS x(id, n) JOIN members USING (id) ORDER BY n`,
        [ids],
      )
    ).rows as { stored: string; computed: string; surname: string }[];

  it('when cards are admitted and their surnames corrected, then each card stores match_key() of its surname', async () => {
    const school = await createOrg(db(), tree.territory, 'primary');
    const named = TRICKY.filter((t) => t.trim());
    const ids = await Promise.all(
      named.map(async (surname) => (await createMembers(db(), school, 1, { surname }))[0]!),
    );
    expect((await keysOf(ids)).map((k) => k.stored)).toEqual(named.map(matchKey));
    // corrected by SQL (every writer) and through the card's form
    await db()('members')
      .whereIn('id', ids)
      .update({ surname: db().raw("surname || '-Ёлкина'") });
    for (const k of await keysOf(ids)) expect(k.stored).toBe(k.computed);
    const [id] = ids;
    const form = await coordinator.agent.get(`/members/${id}/edit`).expect(200);
    await coordinator.agent
      .post(`/members/${id}/edit`)
      .type('form')
      .send({
        ...hiddenFields(form.text, `/members/${id}/edit`),
        surname: 'Фёдорова-Щедрина',
        name: 'Мария',
        sex: 'f',
        birthDate: '1985-05-05',
      })
      .expect(303);
    expect(await keysOf([id!])).toEqual([
      { stored: 'федорова щедрина', computed: 'федорова щедрина', surname: 'Фёдорова-Щедрина' },
    ]);
    const found = (
      await coordinator.agent.get(`/orgs/${school.inpo}/members`).query({ q: 'федорова щедр' }).expect(200)
    ).text;
    expect(found).toContain(`/members/${id}`);
  });
});

const person = (primaryInpo: string, surname: string) => ({
  surname,
  name: 'Елена',
  patronymic: 'Андреевна',
  sex: 'f',
  birthDate: '1979-10-10',
  category: 'working',
  organizationInpo: primaryInpo,
  joinedOn: '2015-09-01',
});

describe('duplicates', () => {
  it('when «Ёжова» is admitted beside «Ежова» of the same birth date, then the check stops it; confirmed, the report pairs them', async () => {
    const school = await createOrg(db(), tree.territory, 'primary');
    const [ezhova] = await createMembers(db(), school, 1, {
      surname: 'Ежова',
      name: 'Елена',
      patronymic: 'Андреевна',
      birth_date: '1979-10-10',
    });
    const admit = (extra: Record<string, string>) =>
      coordinator.agent
        .post(`/orgs/${school.inpo}/members`)
        .type('form')
        .send({ _csrf: coordinator.csrf, ...person(school.inpo, 'Ёжова'), ...extra });
    const stopped = await admit({});
    expect(stopped.status).toBe(409);
    expect(stopped.text).toContain('ФИО и дата рождения');
    expect(stopped.text).toContain(`/members/${ezhova}`);
    // the same in capitals and with a spaced name
    expect((await admit({ surname: 'ЕЖОВА', name: ' ЕЛЕНА ' })).status).toBe(409);
    const admitted = await admit({ notDuplicate: 'on' });
    expect(admitted.status, admitted.text.slice(0, 300)).toBe(303);
    const report = await coordinator.agent.get(`/orgs/${school.inpo}/members/duplicates`).expect(200);
    expect(report.text).toContain('Совпадение: ФИО и дата рождения');
    expect(report.text).toContain(`/members/${ezhova}`);
    // each card shown as it was typed
    expect(report.text).toContain('Ёжова');
    expect(report.text).toContain('Ежова');
  });

  it('when an import file names one person twice in two spellings and a card «Фёдорова» exists, then both are caught', async () => {
    const school = await createOrg(db(), tree.territory, 'primary');
    await createMembers(db(), school, 1, { surname: 'Фёдорова', name: 'Ольга', birth_date: '1980-02-02' });
    const row = (surname: string, name: string, birth: string) =>
      [school.inpo, surname, name, '', 'ж', birth, 'Работающий', 'нет', '', '', '', '', '01.09.2020'].join(';');
    const upload = (rows: string[]) =>
      coordinator.agent
        .post(`/orgs/${tree.territory.inpo}/members/import?_csrf=${encodeURIComponent(coordinator.csrf)}`)
        .field('mode', 'commit')
        .attach(
          'file',
          Buffer.from([MEMBER_COLUMNS.map((c) => c.header).join(';'), ...rows].join('\n')),
          'members.csv',
        );
    const twice = await upload([
      row('Ёжова', 'Елена', '11.11.1981'),
      row('ежова', 'елена', '11.11.1981'),
      row('Федорова', 'Ольга', '02.02.1980'),
    ]);
    expect(twice.status).toBe(422);
    expect(twice.text).toContain('<tr><td>3</td><td>Фамилия</td><td>Этот человек уже есть в строке 2');
    // the card on record in the same ППО: its row is skipped, not made a second card
    expect((await upload([row('Ёжова', 'Елена', '11.11.1981'), row('Федорова', 'Ольга', '02.02.1980')])).status).toBe(
      303,
    );
    const cards = await db()('members').where({ organization_id: school.id }).orderBy('surname').pluck('surname');
    expect(cards).toEqual(['Ёжова', 'Фёдорова']);
  });
});

describe('searches', () => {
  it('when "семенова" or "петрова водкина" is typed, then «Семёнова» and «Петрова-Водкина» are listed as spelled', async () => {
    const school = await createOrg(db(), tree.territory, 'primary');
    const [semenova] = await createMembers(db(), school, 1, { surname: 'Семёнова' });
    const [vodkina] = await createMembers(db(), school, 1, { surname: 'Петрова-Водкина' });
    await createMembers(db(), school, 1, { surname: 'Семенихина' });
    const list = async (root: string, q: string) =>
      (await coordinator.agent.get(`/orgs/${root}/members`).query({ q }).expect(200)).text;
    for (const root of [school.inpo, tree.region.inpo]) {
      const found = await list(root, 'семенова');
      expect(found).toContain(`/members/${semenova}`);
      expect(found).toContain('Семёнова');
      expect(found).not.toContain('Семенихина');
      expect(found).toMatch(/Найдено: <strong>1<\/strong>/);
    }
    for (const q of ['петрова водкина', 'ПЕТРОВА-ВОДКИНА', 'петрова – водкина']) {
      const found = await list(school.inpo, q);
      expect(found).toContain(`/members/${vodkina}`);
      expect(found).toContain('Петрова-Водкина');
    }
    // the officer's card search compares whole words the same way
    const officers = await coordinator.agent
      .get(`/orgs/${school.inpo}/officers/new`)
      .query({ q: 'СЕМЕНОВА мария' })
      .expect(200);
    expect(officers.text).toContain(`value="${semenova}"`);
  });

  it('when "ребенка" is typed, then the organization «…ребёнка» is found in the search and in the move picker', async () => {
    const kindergarten = await createOrg(db(), tree.territory, 'primary', {
      name: 'ППО детского сада «Центр развития ребёнка»',
    });
    const search = await coordinator.agent
      .get(`/orgs/${tree.region.inpo}/search`)
      .query({ q: 'центр развития ребенка' })
      .expect(200);
    expect(search.text).toContain(`href="/orgs/${kindergarten.inpo}"`);
    expect(search.text).toContain('Центр развития ребёнка');
    const other = await createOrg(db(), tree.region, 'territorial', {
      name: 'Территориальная организация Ёлкинского района',
    });
    const picker = await coordinator.agent
      .get(`/orgs/${kindergarten.inpo}/move/targets`)
      .query({ target: 'елкинск' })
      .expect(200);
    expect(picker.text).toContain(`data-pick-inpo="${other.inpo}"`);
  });

  it('when "семенов" is typed into the users search, then the login of «Семёнов Пётр» is found', async () => {
    const user = await createUser(db(), [{ role: 'chair', org: tree.primary }]);
    await db()('users').where({ id: user.id }).update({ full_name: 'Семёнов Пётр Ильич' });
    const page = await coordinator.agent.get('/admin/users').query({ q: 'семенов петр' }).expect(200);
    expect(page.text).toContain(user.username);
  });
});
