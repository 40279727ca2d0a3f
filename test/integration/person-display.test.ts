import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMBER_COLUMNS } from '../../src/members/import/member-sheet';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createRegionTree, createUser } from '../support/factories';

// Names stored capitalised however they are typed or imported; SNILS and phones shown as people write them.

const uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reestr-person-display-'));
const ctx = useTestApp({ UPLOAD_DIR: uploadDir });
afterAll(() => fs.rmSync(uploadDir, { recursive: true, force: true }));
const db = () => ctx.database.ownerDb;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let coordinator: { agent: Agent; csrf: string };

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  coordinator = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: tree.region }]));
});

describe('names as the registry stores them', () => {
  it('when a person is admitted with a name typed in lower or upper case, then the card stores and shows it capitalised', async () => {
    const res = await coordinator.agent.post(`/orgs/${tree.primary.inpo}/members`).type('form').send({
      _csrf: coordinator.csrf,
      surname: 'семенов',
      name: 'БОРИС',
      patronymic: 'петрович',
      sex: 'm',
      birthDate: '1984-03-12',
      category: 'working',
      organizationInpo: tree.primary.inpo,
      joinedOn: '2015-09-01',
    });
    expect(res.status, res.text.slice(0, 300)).toBe(303);
    const id = Number(res.headers.location!.split('/').pop());
    expect(await db()('members').where({ id }).first('surname', 'name', 'patronymic')).toEqual({
      surname: 'Семенов',
      name: 'Борис',
      patronymic: 'Петрович',
    });
    expect((await coordinator.agent.get(`/members/${id}`).expect(200)).text).toContain('Семенов Борис Петрович');
  });

  it('when a file is imported with names in capitals, then they are stored capitalised, double-barrelled parts and particles included', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Члены');
    sheet.addRow(MEMBER_COLUMNS.map((c) => c.header));
    sheet.addRow([
      tree.primary.inpo,
      'АБРАМОВА-ПЕТРОВА',
      'НИНА',
      '',
      'ж',
      '05.06.1979',
      'Работающий',
      'нет',
      '',
      '',
      '',
      '',
      '01.09.2015',
    ]);
    sheet.addRow([
      tree.primary.inpo,
      'алиев',
      'ильхам',
      'гейдар оглы',
      'м',
      '07.08.1981',
      'Работающий',
      'нет',
      '',
      '',
      '',
      '',
      '01.09.2015',
    ]);
    const file = Buffer.from(await workbook.xlsx.writeBuffer());
    const res = await coordinator.agent
      .post(`/orgs/${tree.territory.inpo}/members/import?_csrf=${encodeURIComponent(coordinator.csrf)}`)
      .field('mode', 'commit')
      .attach('file', file, 'members.xlsx');
    expect(res.status, res.text.slice(0, 500)).toBe(303);
    const rows = await db()('members')
      .where({ organization_id: tree.primary.id })
      .whereIn('birth_date', ['1979-06-05', '1981-08-07'])
      .orderBy('birth_date')
      .select('surname', 'name', 'patronymic');
    expect(rows).toEqual([
      { surname: 'Абрамова-Петрова', name: 'Нина', patronymic: null },
      { surname: 'Алиев', name: 'Ильхам', patronymic: 'Гейдар оглы' },
    ]);
  });
});

describe('SNILS and phones on the pages', () => {
  it('when a card and a passport are shown, then SNILS reads 112-233-445 95 and phones +7 (917) 123-45-67', async () => {
    const [id] = await createMembers(db(), tree.primary, 1, {
      surname: 'Форматова',
      snils: '11223344595',
      phone: '+79171234567',
    });
    const card = (await coordinator.agent.get(`/members/${id}`).expect(200)).text;
    expect(card).toContain('112-233-445 95');
    expect(card).toContain('+7 (917) 123-45-67');
    expect(card).not.toContain('11223344595');

    await db()('organizations').where({ id: tree.primary.id }).update({ phone: '+78432223344' });
    expect((await coordinator.agent.get(`/orgs/${tree.primary.inpo}`).expect(200)).text).toContain(
      '+7 (843) 222-33-44',
    );

    const list = (
      await coordinator.agent.get(`/orgs/${tree.primary.inpo}/members`).query({ q: 'Форматова' }).expect(200)
    ).text;
    expect(list).toContain('+7 (***) ***-45-67');
  });
});
