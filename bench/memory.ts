import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import { FEMALE_NAMES } from '../seeds/data/russian-names';
import type { BenchFixtures } from './fixtures';
import { peakGrowth, rssGrowth, type RunningServer } from './server-process';
import type { Session } from './session';

// The memory journeys: a big XLSX export streamed to a client, and a 100,000-row import from CSV and
// from XLSX (validated and committed in one transaction), each with the server's RSS sampled every 50 ms.

const SYLLABLES = [
  'ба',
  'ве',
  'го',
  'ду',
  'жа',
  'зи',
  'ко',
  'лу',
  'ма',
  'не',
  'по',
  'ру',
  'са',
  'ти',
  'фе',
  'ха',
  'це',
  'ша',
  'юр',
  'ян',
];

/**
 * `rows` people no generated union holds — invented surnames over the female names and birth dates —
 * the header first; people `from` 100,000 on are others again (the names go on: 36 of them, 8,000 rows each).
 */
function importRows(inpo: string, rows: number, from = 0): string[][] {
  const lines = [
    [
      'ИНПО организации',
      'Фамилия',
      'Имя',
      'Отчество',
      'Пол',
      'Дата рождения',
      'Категория',
      'Педагогическая должность',
      'Должность',
      'Телефон',
      'Электронная почта',
      'СНИЛС',
      'Дата вступления',
    ],
  ];
  for (let i = from; i < from + rows; i++) {
    const s = SYLLABLES;
    const surname = `${s[i % 20]}${s[Math.floor(i / 20) % 20]}${s[Math.floor(i / 400) % 20]}ова`;
    const name = FEMALE_NAMES[Math.floor(i / 8000) % FEMALE_NAMES.length]!;
    const day = String(1 + (i % 28)).padStart(2, '0');
    lines.push([
      inpo,
      surname[0]!.toUpperCase() + surname.slice(1),
      name,
      '',
      'ж',
      `${day}.0${1 + (i % 9)}.19${70 + (i % 30)}`,
      'Работающий',
      'нет',
      '',
      '',
      '',
      '',
      '01.09.2020',
    ]);
  }
  return lines;
}

export function importCsv(inpo: string, rows: number): Buffer {
  return Buffer.from(
    `${importRows(inpo, rows)
      .map((r) => r.join(';'))
      .join('\r\n')}\r\n`,
    'utf8',
  );
}

/** The same rows as a workbook, the way Excel stores them: texts in the shared strings. */
export async function importXlsx(inpo: string, rows: number, from = 0): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const stream = new PassThrough().on('data', (chunk: Buffer) => chunks.push(chunk));
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useSharedStrings: true });
  const sheet = workbook.addWorksheet('Члены Профсоюза');
  for (const row of importRows(inpo, rows, from)) sheet.addRow(row).commit();
  await workbook.commit();
  return Buffer.concat(chunks);
}

// What does not depend on the row count — V8's young generation at its largest (two 16 MB
// semi-spaces), the old-space garbage V8 lets build up between two mark-compacts, the 64 KiB
// read and COPY chunks — measured +10..+30 MB for 100,000 rows (the file waits on disk, not in
// memory). Anything kept per row breaks 100 MB: a parsed row with its strings is 2-3 KB, so even
// 1 KB a row is 100 MB at 100,000 rows (before the fixes: +300 MB).
const IMPORT_GROWTH_BOUND_MB = 100;

/**
 * The export journey: every member of the union who has left (about 300,000 cards at full scale, more
 * than the 200,000 of the target; the biggest region holds 165,000), as the federal administrator
 * prepares it; then a 100,000-row import by the region's coordinator.
 */
export async function exportAndImport(
  db: Knex,
  server: RunningServer,
  sessions: { admin: Session; coordinator: Session },
  fx: BenchFixtures,
  quick: boolean,
  journeys = { export: true, import: true },
): Promise<string[]> {
  const rows: string[] = [];
  if (journeys.export) rows.push(await exportRow(db, server, sessions.admin, fx));
  if (journeys.import) rows.push(...(await importRows100k(server, sessions.coordinator, fx, quick)));
  return rows;
}

/** The union's members who left, prepared by the export worker and downloaded; the bench row. */
async function exportRow(db: Knex, server: RunningServer, session: Session, fx: BenchFixtures): Promise<string> {
  // A list this size is prepared in the background by the server's export worker, then downloaded.
  const exported = await peakGrowth(server, async () => {
    const started = Date.now();
    const queued = await fetch(`${server.baseUrl}/orgs/${fx.union.inpo}/members/export-jobs`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded', origin: server.baseUrl },
      body: new URLSearchParams({ _csrf: session.csrf, format: 'xlsx', status: 'left' }),
    });
    const jobUrl = queued.headers.get('location');
    if (queued.status !== 303 || !jobUrl?.startsWith('/exports/'))
      throw new Error(`export job answered ${queued.status}`);
    const jobId = jobUrl.split('/')[2]!;
    for (;;) {
      const job = await db('export_jobs').where({ id: jobId }).first('status', 'error');
      if (job.status === 'done') break;
      if (job.status === 'failed') throw new Error(`export job failed: ${job.error}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const res = await fetch(`${server.baseUrl}/exports/${jobId}/download`, { headers: { cookie: session.cookie } });
    if (!res.ok) throw new Error(`export download answered ${res.status}`);
    let bytes = 0;
    for await (const chunk of res.body!) bytes += (chunk as Uint8Array).length;
    const job = await db('export_jobs').where({ id: jobId }).first('rows_done');
    return { seconds: (Date.now() - started) / 1000, bytes, rows: Number(job.rows_done) };
  });
  const exportGrowth = exported.peakMb - exported.startMb;
  return `| XLSX export of the union's members who left (${exported.result.rows.toLocaleString('en')} rows, ${(exported.result.bytes / 2 ** 20).toFixed(0)} MiB; background job, then download) | < 60 s for 200,000, growth < 200 MB | ${exported.result.seconds.toFixed(1)} s, ${rssGrowth(exported)} | — | — | — | ${exported.result.seconds < 60 * Math.max(1, exported.result.rows / 200_000) && exportGrowth < 200 ? 'pass' : '**miss**'} |`;
}

/** A 100,000-row import by the region's coordinator, from CSV and from XLSX; a bench row each. */
async function importRows100k(
  server: RunningServer,
  coordinator: Session,
  fx: BenchFixtures,
  quick: boolean,
): Promise<string[]> {
  const rows: string[] = [];
  const count = quick ? 5_000 : 100_000;
  const files = [
    { kind: 'CSV', name: 'members.csv', data: importCsv(fx.importTarget.inpo, count) },
    // other people, so that this one creates as many members instead of finding them all on record
    { kind: 'XLSX', name: 'members.xlsx', data: await importXlsx(fx.importTarget.inpo, count, 100_000) },
  ];
  for (const file of files) {
    const imported = await peakGrowth(server, () =>
      importFile(server, coordinator, fx.importTarget.inpo, file.name, file.data),
    );
    const growth = imported.peakMb - imported.startMb;
    const pass = imported.result < 60 && growth < IMPORT_GROWTH_BOUND_MB;
    rows.push(
      `| import of ${count.toLocaleString('en')} new members into a ППО (${file.kind}, ${(file.data.length / 2 ** 20).toFixed(1)} MiB, validated and committed in one transaction) | < 60 s, memory bounded (growth < ${IMPORT_GROWTH_BOUND_MB} MB) | ${imported.result.toFixed(1)} s, ${rssGrowth(imported)} | — | — | — | ${pass ? 'pass' : '**miss**'} |`,
    );
  }
  return rows;
}

/** Uploads a file to the import form with mode=commit, as the browser does; the seconds until the redirect. */
async function importFile(
  server: RunningServer,
  session: Session,
  inpo: string,
  name: string,
  data: Buffer,
): Promise<number> {
  const started = Date.now();
  const form = new FormData();
  form.set('mode', 'commit');
  form.set('file', new Blob([new Uint8Array(data)]), name);
  const res = await fetch(`${server.baseUrl}/orgs/${inpo}/members/import?_csrf=${encodeURIComponent(session.csrf)}`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
    headers: { cookie: session.cookie, origin: server.baseUrl },
  });
  if (res.status !== 303)
    throw new Error(`import of ${name} answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
  return (Date.now() - started) / 1000;
}
