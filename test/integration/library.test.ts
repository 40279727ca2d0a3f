import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createOrg, createRegionTree, createUser } from '../support/factories';
import { binaryParser } from '../support/xlsx';
import { docxBytes, odtBytes, pdfBytes } from '../support/library';

// The document library (issue #20 item 2): uploads checked by content, Russian full-text search with ranking
// and snippets, visibility by subtree, versions, downloads with Cyrillic names, audit of restricted downloads.
const libraryDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reestr-library-'));
const ctx = useTestApp({ LIBRARY_DIR: path.join(libraryDir, 'files') });
afterAll(() => fs.rmSync(libraryDir, { recursive: true, force: true }));

type Session = { agent: Agent; csrf: string };
const as = {} as Record<'admin' | 'coordinator' | 'chairInside' | 'chairOutside', Session>;
let r1Region = '';
const ids = {} as Record<'agreement' | 'instructions' | 'restricted', number>;
const files = {} as Record<'agreement' | 'instructions', Buffer>;

function upload(s: Session, file: Buffer, fileName: string, fields: Record<string, string>, url = '/library') {
  const req = s.agent
    .post(`${url}?_csrf=${encodeURIComponent(s.csrf)}`)
    .attach('file', file, { filename: fileName, contentType: 'application/octet-stream' });
  for (const [k, v] of Object.entries(fields)) req.field(k, v);
  return req;
}

const idOf = (location: string) => Number(/\/library\/(\d+)$/.exec(location)![1]);

async function drainTextJobs() {
  while (await ctx.deps.jobs.runOnce('library'));
}

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  const r1 = await createRegionTree(db, 16);
  const r2 = await createOrg(db, r1.union, 'regional', { regionCode: 39 });
  const r2Primary = await createOrg(db, await createOrg(db, r2, 'territorial'), 'primary');
  r1Region = r1.region.inpo;
  const users = {
    admin: await createUser(db, [{ role: 'admin', org: r1.union }]),
    coordinator: await createUser(db, [{ role: 'coordinator', org: r1.region }]),
    chairInside: await createUser(db, [{ role: 'chair', org: r1.primary }]),
    chairOutside: await createUser(db, [{ role: 'chair', org: r2Primary }]),
  };
  for (const [k, u] of Object.entries(users)) as[k as keyof typeof as] = await loggedInAgent(ctx.app, u);

  files.agreement = await pdfBytes([
    'Раздел 1. Общие положения.',
    'Настоящий коллективный договор заключён между работодателем и первичной профсоюзной организацией.',
    'Стороны договорились о гарантиях оплаты труда <script>alert(1)</script> при нагрузке 5 < 7 & "ставке".',
  ]);
  const created = await upload(as.admin, files.agreement, 'Коллективный договор (образец).pdf', {
    title: 'Макет отраслевого соглашения',
    category: 'templates',
    issuerInpo: r1.union.inpo,
    issuedOn: '2026-03-01',
    number: '12-п',
    tags: 'Колдоговор, образцы',
    visibility: 'union',
  });
  expect(created.status, created.text).toBe(303);
  ids.agreement = idOf(created.headers.location!);

  files.instructions = await docxBytes([
    'Методические рекомендации по заключению коллективного договора в образовательной организации.',
    'Договор, договора, договору: проект коллективного договора обсуждается на собрании.',
  ]);
  const second = await upload(as.coordinator, files.instructions, 'Рекомендации.docx', {
    title: 'Рекомендации по коллективным договорам',
    category: 'methodological',
    issuerInpo: r1.region.inpo,
    visibility: 'union',
  });
  expect(second.status, second.text).toBe(303);
  ids.instructions = idOf(second.headers.location!);

  const restricted = await upload(
    as.coordinator,
    await odtBytes(['Договор о сотрудничестве региона']),
    'Сотрудничество.odt',
    {
      title: 'Соглашение региона',
      category: 'normative',
      issuerInpo: r1.region.inpo,
      visibility: 'subtree',
      visibleInpo: r1.region.inpo,
    },
  );
  expect(restricted.status, restricted.text).toBe(303);
  ids.restricted = idOf(restricted.headers.location!);
  await drainTextJobs();
});

describe('library: full-text search in Russian', () => {
  it('when a word is searched in another grammatical form, then the PDF and the DOCX with it are found, best first', async () => {
    const res = await as.chairInside.agent.get('/library').query({ q: 'договора' });
    expect(res.status).toBe(200);
    const order = [...res.text.matchAll(/class="mb-3 library-result" data-id="(\d+)"/g)].map((m) => Number(m[1]));
    // the DOCX has the word in its title and five times in its text, the PDF twice in its text, the ODT once
    expect(order).toEqual([ids.instructions, ids.agreement, ids.restricted]);
  });

  it('when the PDF is found by its text, then its snippet marks the hit and escapes the text', async () => {
    const res = await as.admin.agent.get('/library').query({ q: 'гарантиях оплаты' });
    expect(res.status).toBe(200);
    const item = res.text.slice(res.text.indexOf(`data-id="${ids.agreement}"`));
    const snippet = /<p class="small mb-0 library-snippet">([\s\S]*?)<\/p>/.exec(item)![1]!;
    expect(snippet).toContain('<mark>гарантиях</mark>');
    expect(snippet).toContain('5 &lt; 7 &amp; &#34;ставке');
    expect(snippet).not.toMatch(/<(?!\/?mark>)/);
  });

  it('when a document is visible to a subtree, then outside it is 404 and absent from the search and its count', async () => {
    expect((await as.chairInside.agent.get(`/library/${ids.restricted}`)).status).toBe(200);
    expect((await as.chairOutside.agent.get(`/library/${ids.restricted}`)).status).toBe(404);
    expect((await as.chairOutside.agent.get(`/library/${ids.restricted}/file`)).status).toBe(404);
    const inside = await as.chairInside.agent.get('/library').query({ q: 'договор' });
    const outside = await as.chairOutside.agent.get('/library').query({ q: 'договор' });
    expect(inside.text).toContain(`data-id="${ids.restricted}"`);
    expect(inside.text).toMatch(/id="library-total">Найдено: 3</);
    expect(outside.text).not.toContain(`data-id="${ids.restricted}"`);
    expect(outside.text).toMatch(/id="library-total">Найдено: 2</);
  });
});

describe('library: broad searches', () => {
  // 1,008 documents with «смета»: one in its title, the rest in their text — past the count's cap, and enough
  // that the page is ranked from the title matches and the text matches are ranked only as far as it needs
  const broad = {} as { titled: number; phrased: number[] };
  beforeAll(async () => {
    const db = ctx.database.ownerDb;
    const union = await db('organizations').where({ level: 'union' }).first('id');
    const insert = async (rows: { title: string; body_text: string }[]) => {
      const inserted = await db('library_documents')
        .insert(
          rows.map((r) => ({
            ...r,
            category: 'forms',
            issuing_organization_id: union.id,
            visibility: 'union',
            text_state: 'done',
          })),
        )
        .returning('id');
      const ids = inserted.map((r: { id: number }) => r.id);
      await db('library_versions').insert(
        ids.map((id: number) => ({
          document_id: id,
          version_no: 1,
          file_name: `${id}.pdf`,
          kind: 'pdf',
          size_bytes: 1,
          sha256: 'a'.repeat(64),
        })),
      );
      return ids as number[];
    };
    // inserted first: the lowest id, which the tie-break (newest first) would put last
    broad.titled = (await insert([{ title: 'Смета расходов профкома', body_text: 'Порядок утверждения.' }]))[0]!;
    await insert(
      Array.from({ length: 1003 }, (_, i) => ({
        title: `Протокол заседания ${i}`,
        body_text: 'Смета на год утверждена. Смета исполнена, смета закрыта, сметы сданы.',
      })),
    );
    broad.phrased = await insert(
      [1, 2].map((i) => ({ title: `Отчёт ${i}`, body_text: 'Смета расходов на оздоровление утверждена.' })),
    );
    await insert(
      [1, 2].map((i) => ({ title: `Справка ${i}`, body_text: 'Расходов меньше, чем предусматривала смета.' })),
    );
  });

  const resultIds = (html: string) =>
    [...html.matchAll(/class="mb-3 library-result" data-id="(\d+)"/g)].map((m) => Number(m[1]));

  it('when a word matches over a thousand documents, then the title match comes first and the count says «более 1 000»', async () => {
    const res = await as.chairInside.agent.get('/library').query({ q: 'сметы' });
    expect(res.status).toBe(200);
    const ids = resultIds(res.text);
    expect(ids).toHaveLength(20);
    expect(ids[0]).toBe(broad.titled);
    expect(res.text).toMatch(/id="library-total">Найдено: более 1\s000</);
    // the page past the first is ranked on from where it stopped: no document twice
    const next = resultIds((await as.chairInside.agent.get('/library').query({ q: 'сметы', page: 2 })).text);
    expect(next).toHaveLength(20);
    expect(next.filter((id) => ids.includes(id))).toEqual([]);
  });

  it('when a phrase is searched, then only documents with the words side by side are found and counted, the title match first', async () => {
    const res = await as.chairInside.agent.get('/library').query({ q: '"смета расходов"' });
    expect(res.status).toBe(200);
    // the title match, then the text matches newest first (equal ranks); «расходов … смета» is not the phrase
    expect(resultIds(res.text)).toEqual([broad.titled, ...[...broad.phrased].reverse()]);
    expect(res.text).toMatch(/id="library-total">Найдено: 3</);
  });
});

describe('library: uploads checked by content', () => {
  it('when a DOCX is named .pdf or a text file .docx, then it is refused with a Russian message', async () => {
    const fields = { title: 'Подложный', category: 'forms', issuerInpo: r1Region, visibility: 'union' };
    const renamed = await upload(as.coordinator, files.instructions, 'Рекомендации.pdf', fields);
    expect(renamed.status).toBe(422);
    expect(renamed.text).toContain('По содержимому это файл DOCX, а имя оканчивается на «.pdf»');
    const fake = await upload(as.coordinator, Buffer.from('просто текст'), 'Документ.docx', fields);
    expect(fake.status).toBe(422);
    expect(fake.text).toContain('Файл не является документом PDF, DOCX, XLSX или ODT');
  });

  it('when an XLSX is uploaded, then its cells are searchable', async () => {
    const book = new ExcelJS.Workbook();
    book.addWorksheet('Взносы').addRow(['Ведомость уплаты членских взносов', 2026]);
    const bytes = Buffer.from(await book.xlsx.writeBuffer());
    const res = await upload(as.admin, bytes, 'Ведомость.xlsx', {
      title: 'Ведомость',
      category: 'forms',
      issuerInpo: r1Region,
      visibility: 'union',
    });
    expect(res.status, res.text).toBe(303);
    await drainTextJobs();
    const found = await as.chairInside.agent.get('/library').query({ q: 'членский взнос' });
    expect(found.text).toContain(`data-id="${idOf(res.headers.location!)}"`);
  });

  it('when a chair sends a document, then it is refused before the file is read', async () => {
    const res = await upload(as.chairInside, files.agreement, 'a.pdf', { title: 'x' });
    expect(res.status).toBe(403);
  });
});

describe('library: downloads and versions', () => {
  it('when a document with a Cyrillic name is downloaded, then the header names it per RFC 6266 and the bytes are the upload', async () => {
    const res = await as.chairInside.agent.get(`/library/${ids.agreement}/file`).buffer(true).parse(binaryParser);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const disposition = res.headers['content-disposition'] as string;
    expect(disposition).toContain(
      `filename*=UTF-8''${encodeURIComponent('Коллективный договор (образец).pdf').replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`,
    );
    expect(disposition).toContain('filename="Kollektivnyi dogovor (obrazets).pdf"');
    expect(Buffer.compare(res.body as Buffer, files.agreement)).toBe(0);
  });

  it('when a new version is uploaded, then the page lists both with their checksums and each downloads', async () => {
    const v2 = await pdfBytes(['Коллективный договор, редакция 2026 года.']);
    const res = await upload(as.admin, v2, 'Договор 2026.pdf', {}, `/library/${ids.agreement}/versions`);
    expect(res.status, res.text).toBe(303);
    const page = await as.chairInside.agent.get(`/library/${ids.agreement}`);
    const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
    expect(page.text).toContain(sha(files.agreement));
    expect(page.text).toContain(sha(v2));
    expect(page.text).toContain('2 (текущая)');
    const first = await as.chairInside.agent
      .get(`/library/${ids.agreement}/versions/1`)
      .buffer(true)
      .parse(binaryParser);
    expect(Buffer.compare(first.body as Buffer, files.agreement)).toBe(0);
    const current = await as.chairInside.agent.get(`/library/${ids.agreement}/file`).buffer(true).parse(binaryParser);
    expect(Buffer.compare(current.body as Buffer, v2)).toBe(0);
    await drainTextJobs();
    const found = await as.chairInside.agent.get('/library').query({ q: 'редакции' });
    expect(found.text).toContain(`data-id="${ids.agreement}"`);
  });

  it('when a restricted document is downloaded, then the download is audited; a public one is not', async () => {
    const db = ctx.database.ownerDb;
    const before = await db('audit_log').where({ action: 'library.document_downloaded' }).count<{ count: string }[]>();
    await as.chairInside.agent.get(`/library/${ids.instructions}/file`).buffer(true).parse(binaryParser);
    const res = await as.chairInside.agent.get(`/library/${ids.restricted}/file`).buffer(true).parse(binaryParser);
    expect(res.status).toBe(200);
    const rows = await db('audit_log').where({ action: 'library.document_downloaded' }).orderBy('id');
    expect(rows.length).toBe(Number(before[0]!.count) + 1);
    expect(rows.at(-1)).toMatchObject({ entity: 'library_document', entity_id: String(ids.restricted) });
  });
});
