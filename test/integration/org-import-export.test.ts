import fs from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { beforeAll, describe, expect, it } from 'vitest';
import { pruneCheckedUploads } from '../../src/imports/checked-uploads';
import { ORG_SHEET_COLUMNS } from '../../src/registry/org-sheet';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser } from '../support/factories';
import { binaryParser, buildWorkbook, readSheet } from '../support/xlsx';

const ctx = useTestApp();
const HEADERS = ORG_SHEET_COLUMNS.map((c) => c.header);
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let coordinator: { agent: Agent; csrf: string };
const db = () => ctx.database.ownerDb;

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  coordinator = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: tree.region }]));
});

function upload(file: Buffer, mode: 'check' | 'commit', name = 'orgs.xlsx') {
  return coordinator.agent
    .post(`/orgs/${tree.region.inpo}/import?_csrf=${encodeURIComponent(coordinator.csrf)}`)
    .field('mode', mode)
    .attach('file', file, name);
}

const row = (values: Partial<Record<(typeof ORG_SHEET_COLUMNS)[number]['key'], string>>) =>
  ORG_SHEET_COLUMNS.map((c) => values[c.key] ?? '');
const countOrgs = async () => Number((await db()('organizations').count('* as c'))[0]!.c);

describe('import of organizations', () => {
  it('when the template is downloaded, then it has the Russian headers and a sheet of allowed values', async () => {
    const res = await coordinator.agent
      .get(`/orgs/${tree.region.inpo}/import/template.xlsx`)
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    const [headers] = await readSheet(res.body);
    expect(headers).toEqual(HEADERS);
    const lists = await readSheet(res.body, 1);
    expect(lists.flat()).toContain('Первичная');
    expect(lists.flat()).toContain('Общеобразовательная организация');
  });

  it('when rows are bad, then exactly those rows are reported with line and column, and nothing is written', async () => {
    const other = await createRegionTree(db(), 39);
    const rows = [
      HEADERS,
      row({ parent: tree.region.inpo, level: 'Территориальная', name: 'Зеленодольская районная организация' }),
      row({
        parent: 'строка 2',
        level: 'Первичная',
        name: 'ППО МБОУ «СОШ № 1» г. Зеленодольска',
        employerKind: 'Общеобразовательная организация',
        employerInn: '1648000000',
      }),
      row({ parent: 'строка 3', level: 'Профгруппа', name: 'Профгруппа начальных классов' }),
      row({ parent: other.region.inpo, level: 'Территориальная', name: 'Чужая' }),
      row({ parent: tree.territory.inpo, level: 'Уездная', name: 'Неизвестный уровень' }),
      row({ parent: tree.territory.inpo, level: 'Первичная', name: '', email: 'no-at-sign' }),
      row({ parent: 'строка 40', level: 'Первичная', name: 'Ссылка вперёд' }),
      row({ parent: tree.primary.inpo, level: 'Территориальная', name: 'Территориальная внутри ППО' }),
    ];
    const before = await countOrgs();
    const res = await upload(await buildWorkbook(rows), 'commit');
    expect(res.status).toBe(422);
    const issues = [...res.text.matchAll(/<tr><td>(\d+)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => [
      Number(m[1]),
      m[2],
      m[3],
    ]);
    expect(issues).toEqual([
      [3, 'ИНН работодателя', expect.stringContaining('контрольной цифрой')],
      [4, 'Вышестоящая организация', 'Строка 3 содержит ошибки'],
      [5, 'Вышестоящая организация', 'Вышестоящая организация не найдена в вашей структуре'],
      [6, 'Уровень', expect.stringContaining('Уровень не из списка')],
      [7, 'Полное наименование', 'Укажите полное наименование'],
      [7, 'Электронная почта', expect.stringContaining('адрес электронной почты')],
      [8, 'Вышестоящая организация', 'Строка 40 выше не описывает новую организацию'],
      [9, 'Уровень', 'Организация такого уровня не может входить в указанную вышестоящую'],
    ]);
    expect(res.text).toContain('файл не загружен');
    expect(await countOrgs()).toBe(before);
  });

  it('when the file is fixed, then every row is created with its parent; checking alone writes nothing; a re-import of the export adds nothing', async () => {
    const rows = [
      HEADERS,
      row({
        parent: tree.region.inpo,
        level: 'Территориальная',
        name: 'Лаишевская районная организация',
        email: 'laish@example.ru',
      }),
      row({
        parent: 'строка 2',
        level: 'Первичная',
        name: 'ППО МБОУ «Лаишевская СОШ № 2»',
        employerKind: 'Общеобразовательная организация',
        employerInn: '7707083893',
        phone: '8 843 782 22 22',
      }),
      row({ parent: 'строка 3', level: 'Профгруппа', name: 'Профгруппа учителей математики' }),
      row({
        parent: tree.territory.inpo,
        level: 'Первичная',
        name: 'ППО МАДОУ «Детский сад № 3»',
        employerKind: 'Дошкольная образовательная организация',
        territorialRights: 'нет',
      }),
    ];
    const file = await buildWorkbook(rows);
    const before = await countOrgs();
    const check = await upload(file, 'check');
    expect(check.status).toBe(200);
    expect(check.text).toContain('Будет создано: 4, обновлено: 0');
    expect(await countOrgs()).toBe(before);

    const commit = await upload(file, 'commit');
    expect(commit.status).toBe(303);
    expect(await countOrgs()).toBe(before + 4);
    const laish = await db()('organizations').where({ name: 'Лаишевская районная организация' }).first();
    const school = await db()('organizations').where({ name: 'ППО МБОУ «Лаишевская СОШ № 2»' }).first();
    const group = await db()('organizations').where({ name: 'Профгруппа учителей математики' }).first();
    expect(laish).toMatchObject({
      parent_id: tree.region.id,
      level: 'territorial',
      email: 'laish@example.ru',
      region_code: 16,
    });
    expect(school).toMatchObject({
      parent_id: laish.id,
      level: 'primary',
      employer_kind: 'school',
      employer_inn: '7707083893',
      phone: '+78437822222',
    });
    expect(group).toMatchObject({ parent_id: school.id, level: 'group' });
    expect(await db()('audit_log').where({ action: 'org.imported' })).toHaveLength(1);

    // Export, change one name, import back: updates by ИНПО, no duplicates.
    const exported = await coordinator.agent
      .get(`/orgs/${tree.region.inpo}/export.xlsx`)
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    const sheet = await readSheet(exported.body);
    const back = sheet.map((r) => r.slice(0, HEADERS.length));
    const schoolRow = back.find((r) => r[0] === school.inpo)!;
    schoolRow[3] = 'ППО МБОУ «Лаишевская средняя школа № 2»';
    const reimport = await upload(await buildWorkbook(back), 'commit');
    expect(reimport.status, reimport.text.slice(0, 2000)).toBe(303);
    expect(await countOrgs()).toBe(before + 4);
    expect((await db()('organizations').where({ id: school.id }).first()).name).toBe(
      'ППО МБОУ «Лаишевская средняя школа № 2»',
    );
    expect(await db()('org_events').where({ organization_id: school.id, kind: 'renamed' })).toHaveLength(1);
  });

  it('when rows without an ИНПО name organizations that exist under the same parent, then they are reported as already existing by line and not created again', async () => {
    const territory = await createOrg(db(), tree.region, 'territorial', {
      name: 'Арская районная организация',
      regionCode: 16,
    });
    await createOrg(db(), territory, 'primary', { name: 'ППО МБОУ «Школа № 100»', regionCode: 16 });
    const rows = [
      HEADERS,
      row({ parent: tree.region.inpo, level: 'Территориальная', name: '  арская   РАЙОННАЯ организация ' }),
      row({
        parent: 'строка 2',
        level: 'Первичная',
        name: 'ППО МБОУ "Школа № 100"',
        employerKind: 'Общеобразовательная организация',
      }),
      row({
        parent: 'строка 2',
        level: 'Первичная',
        name: 'ППО МБОУ «Школа № 101»',
        employerKind: 'Общеобразовательная организация',
      }),
      row({
        parent: territory.inpo,
        level: 'Первичная',
        name: 'ППО МБОУ «Школа № 100»',
        employerKind: 'Общеобразовательная организация',
      }),
      row({
        parent: territory.inpo,
        level: 'Первичная',
        name: 'ППО МБОУ «Школа № 101»',
        employerKind: 'Общеобразовательная организация',
      }),
    ];
    const before = await countOrgs();
    const check = await upload(await buildWorkbook(rows), 'check');
    expect(check.status).toBe(422);
    const issues = [...check.text.matchAll(/<tr><td>(\d+)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => [
      Number(m[1]),
      m[2],
      m[3],
    ]);
    expect(issues).toEqual([[6, 'Полное наименование', 'Эта организация уже есть в строке 4']]);

    const fixed = await upload(await buildWorkbook(rows.slice(0, 5)), 'check');
    expect(fixed.status).toBe(200);
    expect(fixed.text).toContain('Будет создано: 1, обновлено: 0, уже есть в реестре: 3');
    expect(fixed.text).toMatch(
      /<tr><td>2<\/td><td><a href="\/orgs\/\d{10}">Арская районная организация<\/a><\/td><\/tr>/,
    );
    const commit = await upload(await buildWorkbook(rows.slice(0, 5)), 'commit');
    expect(commit.status).toBe(303);
    expect(await countOrgs()).toBe(before + 1);
    expect(await db()('organizations').where({ parent_id: territory.id }).pluck('name')).toEqual(
      expect.arrayContaining(['ППО МБОУ «Школа № 100»', 'ППО МБОУ «Школа № 101»']),
    );
    expect(Number((await db()('organizations').where({ parent_id: territory.id }).count('* as c'))[0]!.c)).toBe(2);
  });

  it('when a clean check is committed by its id, then the kept file loads without choosing it again; another user, a second use and an expired one are refused', async () => {
    const rows = (name: string) => [
      HEADERS,
      row({ parent: tree.territory.inpo, level: 'Первичная', name, employerKind: 'Общеобразовательная организация' }),
    ];
    const checkedIdOf = (html: string) => /name="checkedUpload" value="([0-9a-f-]{36})"/.exec(html)?.[1];
    const commitKept = (agent: Agent, csrf: string, id: string) =>
      agent
        .post(`/orgs/${tree.region.inpo}/import?_csrf=${encodeURIComponent(csrf)}`)
        .field('mode', 'commit')
        .field('checkedUpload', id);
    const keptFolder = path.join(ctx.config.uploadDir, 'checked');

    const check = await upload(await buildWorkbook(rows('ППО МБОУ «Школа № 200»')), 'check');
    expect(check.status).toBe(200);
    const id = checkedIdOf(check.text)!;
    expect(id).toBeDefined();
    expect(fs.statSync(path.join(keptFolder, id)).mode & 0o777).toBe(0o600);
    const before = await countOrgs();

    const stranger = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: tree.region }]));
    const stolen = await commitKept(stranger.agent, stranger.csrf, id);
    expect(stolen.status).toBe(422);
    expect(stolen.text).toContain('Проверенный файл не найден');

    const committed = await commitKept(coordinator.agent, coordinator.csrf, id);
    expect(committed.status, committed.text.slice(0, 2000)).toBe(303);
    expect(await countOrgs()).toBe(before + 1);
    const audit = await db()('audit_log').where({ action: 'org.imported' }).orderBy('id', 'desc').first();
    expect(audit.new_values).toMatchObject({ created: 1, checkedUpload: id });
    expect(fs.existsSync(path.join(keptFolder, id))).toBe(false);
    expect((await commitKept(coordinator.agent, coordinator.csrf, id)).text).toContain('Проверенный файл не найден');

    const late = checkedIdOf((await upload(await buildWorkbook(rows('ППО МБОУ «Школа № 201»')), 'check')).text)!;
    await db()('checked_uploads')
      .where({ id: late })
      .update({ created_at: db().raw("now() - interval '2 hours'") });
    const expired = await commitKept(coordinator.agent, coordinator.csrf, late);
    expect(expired.status).toBe(422);
    expect(expired.text).toContain('Проверенный файл хранится 1 час');
    expect(await countOrgs()).toBe(before + 1);

    // housekeeping forgets the checks nobody loaded in time, files included
    const forgotten = checkedIdOf((await upload(await buildWorkbook(rows('ППО МБОУ «Школа № 202»')), 'check')).text)!;
    await db()('checked_uploads')
      .where({ id: forgotten })
      .update({ created_at: db().raw("now() - interval '2 hours'") });
    expect(await pruneCheckedUploads(db(), ctx.config.uploadDir)).toBe(1);
    expect(fs.existsSync(path.join(keptFolder, forgotten))).toBe(false);
  });

  it('when the upload is not a real workbook or is a zip bomb, then it is refused before parsing', async () => {
    const text = await upload(Buffer.from('ИНПО;Название\n1;2\n'), 'check');
    expect(text.status).toBe(422);
    expect(text.text).toContain('Файл не является книгой Excel');
    const csv = await upload(Buffer.from('a,b'), 'check', 'orgs.csv');
    expect(csv.text).toContain('Нужен файл Excel в формате .xlsx');

    const bomb = new JSZip();
    bomb.file('xl/worksheets/sheet1.xml', Buffer.alloc(50 * 1024 * 1024));
    const bombFile = await bomb.generateAsync({
      type: 'nodebuffer',
      compression: 'DEFLATE',
      compressionOptions: { level: 9 },
    });
    expect(bombFile.length).toBeLessThan(2 * 1024 * 1024);
    const refused = await upload(bombFile, 'check');
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('содержимое архива подозрительно велико');
  }, 60_000);
});

describe('export of organizations', () => {
  it('when the subtree is exported, then the file lists exactly its open organizations, neutralizes formulas and is audited', async () => {
    const evil = await createOrg(db(), tree.territory, 'primary', {
      name: '=HYPERLINK("http://evil.example","нажми")',
    });
    await createMembers(db(), evil, 4);
    const stat = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'statistician', org: tree.territory }]));
    const res = await stat.agent
      .get(`/orgs/${tree.territory.inpo}/export.xlsx`)
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const [header, ...rows] = await readSheet(res.body);
    expect(header!.slice(0, HEADERS.length)).toEqual(HEADERS);
    const expected = await db()('organizations')
      .whereRaw('path <@ ?::ltree', [tree.territory.path])
      .whereNull('liquidated_on')
      .orderBy('path')
      .pluck('inpo');
    expect(rows.map((r) => r[0])).toEqual(expected);
    const evilRow = rows.find((r) => r[0] === evil.inpo)!;
    expect(evilRow[3]).toBe('\'=HYPERLINK("http://evil.example","нажми")');
    expect(evilRow[12]).toBe('4');
    const [audit] = await db()('audit_log').where({ action: 'org.exported', entity_id: String(tree.territory.id) });
    expect(audit.new_values).toEqual({ subtree: tree.territory.inpo, rows: expected.length });
    // The chair of a ППО may not export (counts and personal data of officers).
    const chair = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: tree.primary }]));
    expect((await chair.agent.get(`/orgs/${tree.primary.inpo}/export.xlsx`)).status).toBe(403);
  });
});
