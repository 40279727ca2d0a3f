import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MATCHES_ELSEWHERE_PER_DAY } from '../../src/members/duplicate-guard';
import { MEMBER_COLUMNS } from '../../src/members/import/member-sheet';
import { useTestApp } from '../support/app';
import { submitForm } from '../support/forms';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createRegionTree, createUser, type TestUser } from '../support/factories';

// Item 3 of issue 11: the duplicate check must not tell a user whether a SNILS, phone, e-mail or person
// belongs to a member outside their subtree, beyond "a transfer is needed" — rate-limited and audited.

const uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reestr-oracle-uploads-'));
const ctx = useTestApp({ UPLOAD_DIR: uploadDir });
afterAll(() => fs.rmSync(uploadDir, { recursive: true, force: true }));
const db = () => ctx.database.ownerDb;
const ELSEWHERE = 'состоит на учёте в другой организации Профсоюза';

let mine: Awaited<ReturnType<typeof createRegionTree>>;
let theirs: Awaited<ReturnType<typeof createRegionTree>>;
let foreignId: number;
const FOREIGN = {
  surname: 'Чужакова',
  name: 'Алсу',
  birth: '1981-07-19',
  snils: '11223344595',
  phone: '+79170001122',
  email: 'alsu@example.ru',
};

beforeAll(async () => {
  mine = await createRegionTree(db(), 16);
  theirs = await createRegionTree(db(), 39);
  [foreignId] = (await createMembers(db(), theirs.primary, 1, {
    surname: FOREIGN.surname,
    name: FOREIGN.name,
    birth_date: FOREIGN.birth,
    snils: FOREIGN.snils,
    phone: FOREIGN.phone,
    email: FOREIGN.email,
  })) as [number];
});

async function chair(): Promise<{ agent: Agent; csrf: string; user: TestUser }> {
  const user = await createUser(db(), [{ role: 'chair', org: mine.primary }]);
  return { ...(await loggedInAgent(ctx.app, user)), user };
}
const admission = (extra: Record<string, string>) => ({
  surname: 'Новенькая',
  name: 'Ирина',
  sex: 'f',
  birthDate: '1990-02-03',
  category: 'working',
  organizationInpo: mine.primary.inpo,
  joinedOn: '2025-09-01',
  ...extra,
});
const expectNothingOfTheOtherCard = (text: string) => {
  for (const value of [
    theirs.primary.name,
    theirs.region.name,
    'совпадает: СНИЛС',
    'Этот СНИЛС уже у другого человека',
    `/members/${foreignId}`,
  ])
    expect(text).not.toContain(value);
};
const matchesAudited = async (userId: number) =>
  db()('audit_log').where({ action: 'member.matched_elsewhere', actor_user_id: userId });

describe('the duplicate check outside the subtree', () => {
  it('when a chair admits someone whose SNILS belongs to a member elsewhere, then the answer says only that a transfer is needed, and the match is audited', async () => {
    const { agent, csrf, user } = await chair();
    const res = await agent
      .post(`/orgs/${mine.primary.inpo}/members`)
      .type('form')
      .send({ _csrf: csrf, ...admission({ snils: '112-233-445 95' }) });
    expect(res.status).toBe(409);
    expect(res.text).toContain(ELSEWHERE);
    expect(res.text).toContain('перевод');
    expectNothingOfTheOtherCard(res.text);
    expect(await matchesAudited(user.id)).toMatchObject([
      { entity: 'member', entity_id: String(foreignId), organization_id: theirs.primary.id },
    ]);
  });

  it('when a chair has learned of the allowed number of matches elsewhere today, then every further check is refused with 429, matching or not', async () => {
    const { agent, csrf, user } = await chair();
    await db()('duplicate_probes').insert({
      user_id: user.id,
      day: db().raw('current_date'),
      matches: MATCHES_ELSEWHERE_PER_DAY,
    });
    const res = await agent
      .post(`/orgs/${mine.primary.inpo}/members`)
      .type('form')
      .send({ _csrf: csrf, ...admission({ surname: 'Непохожая' }) });
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(res.text).toContain('Проверка дубликатов');
    expect(await db()('members').where({ surname: 'Непохожая' })).toHaveLength(0);
  });

  it('when one check finds more matches elsewhere than are left today, then none is shown and the refusal is audited', async () => {
    const { agent, csrf, user } = await chair();
    await db()('duplicate_probes').insert({
      user_id: user.id,
      day: db().raw('current_date'),
      matches: MATCHES_ELSEWHERE_PER_DAY - 1,
    });
    const [other] = await createMembers(db(), theirs.primary, 1, { surname: 'Другова', phone: '+79170003344' });
    const res = await agent
      .post(`/orgs/${mine.primary.inpo}/members`)
      .type('form')
      .send({ _csrf: csrf, ...admission({ snils: FOREIGN.snils, phone: '+7 917 000-33-44' }) });
    expect(res.status).toBe(429);
    expectNothingOfTheOtherCard(res.text);
    expect(res.text).not.toContain(`/members/${other}`);
    expect(
      await db()('audit_log').where({ action: 'member.duplicate_check_refused', actor_user_id: user.id }),
    ).toHaveLength(1);
  });

  it('when a chair changes a card to the e-mail of a member elsewhere, then the edit stops with the same answer, and saves only when confirmed', async () => {
    const { agent, csrf, user } = await chair();
    const [own] = await createMembers(db(), mine.primary, 1, { surname: 'Своя', email: 'own@example.ru' });
    const form = {
      _csrf: csrf,
      surname: 'Своя',
      name: 'Мария',
      patronymic: 'Ивановна',
      sex: 'f',
      birthDate: '1985-05-05',
      email: FOREIGN.email,
    };
    const save = (body: Record<string, unknown>) =>
      submitForm(agent, `/members/${own}/edit`, `/members/${own}/edit`, body);
    const res = await save(form);
    expect(res.status).toBe(409);
    expect(res.text).toContain(ELSEWHERE);
    expectNothingOfTheOtherCard(res.text);
    expect((await db()('members').where({ id: own }).first()).email).toBe('own@example.ru');
    expect(await matchesAudited(user.id)).toHaveLength(1);
    expect((await save({ ...form, notDuplicate: 'on' })).status).toBe(303);
    expect((await db()('members').where({ id: own }).first()).email).toBe(FOREIGN.email);
  });

  it('when a chair readmits a former member who is on record elsewhere now, then the readmission says a transfer is needed, without where', async () => {
    const { agent, csrf } = await chair();
    const [former] = await createMembers(db(), mine.primary, 1, {
      surname: FOREIGN.surname,
      name: FOREIGN.name,
      birth_date: FOREIGN.birth,
      joined_on: '2005-01-01',
      left_on: '2015-01-01',
    });
    const body = { _csrf: csrf, organizationInpo: mine.primary.inpo, category: 'working', on: '2025-10-01' };
    const readmit = (extra: Record<string, unknown>) =>
      submitForm(agent, `/members/${former}`, `/members/${former}/readmit`, { ...body, ...extra });
    const res = await readmit({});
    expect(res.status).toBe(422);
    expect(res.text).toContain(ELSEWHERE);
    expectNothingOfTheOtherCard(res.text);
    expect((await readmit({ notDuplicate: 'on' })).status).toBe(303);
  });
});

describe('the duplicate check of an import', () => {
  const DISTANT = { surname: 'Дальняя', name: 'Гузель', birth: '04.03.1979' };
  beforeAll(async () => {
    await createMembers(db(), theirs.primary, 1, {
      surname: DISTANT.surname,
      name: DISTANT.name,
      birth_date: '1979-03-04',
    });
  });
  const HEADERS = MEMBER_COLUMNS.map((c) => c.header).join(';');
  const row = (surname: string, name: string, birth: string, snils = '', email = '') =>
    [mine.primary.inpo, surname, name, '', 'ж', birth, 'Работающий', 'нет', '', '', email, snils, '01.09.2020'].join(
      ';',
    );
  const upload = (who: { agent: Agent; csrf: string }, lines: string[]) =>
    who.agent
      .post(`/orgs/${mine.primary.inpo}/members/import?_csrf=${encodeURIComponent(who.csrf)}`)
      .field('mode', 'check')
      .attach('file', Buffer.from([HEADERS, ...lines].join('\r\n')), 'members.csv');

  it('when an imported file holds people on record elsewhere, then their lines say only that a transfer is needed, and each match is audited', async () => {
    const who = await chair();
    const res = await upload(who, [
      row('Другая', 'Фамилия', '01.01.1970', FOREIGN.snils),
      row(DISTANT.surname, DISTANT.name, DISTANT.birth),
      row('Совсемновая', 'Анна', '02.02.1992'),
    ]);
    expect(res.status).toBe(422);
    expect(res.text.split(ELSEWHERE)).toHaveLength(3);
    expectNothingOfTheOtherCard(res.text);
    expect(await matchesAudited(who.user.id)).toHaveLength(2);
  });

  it('when a file would reveal more matches elsewhere than are left today, then the check is refused with 429 and shows none', async () => {
    const who = await chair();
    await db()('duplicate_probes').insert({
      user_id: who.user.id,
      day: db().raw('current_date'),
      matches: MATCHES_ELSEWHERE_PER_DAY - 1,
    });
    const res = await upload(who, [
      row('Другая', 'Фамилия', '01.01.1970', FOREIGN.snils),
      row(DISTANT.surname, DISTANT.name, DISTANT.birth),
    ]);
    expect(res.status).toBe(429);
    expect(res.text).toContain('Проверка дубликатов');
    expect(res.text).not.toContain(ELSEWHERE);
    expect(await matchesAudited(who.user.id)).toHaveLength(0);
    expect(
      await db()('audit_log').where({ action: 'member.duplicate_check_refused', actor_user_id: who.user.id }),
    ).toHaveLength(1);
  });
});
