// The library's search against 10,000 documents (issue #20: «library search over 10,000 documents < 100 ms p95»).
//
//   createdb -h 127.0.0.1 -U postgres reestr_lib
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/reestr_lib npx tsx bench/library.ts [--runs 60]
//
// Migrates the database, fills it once with 10,000 documents of generated Russian text (2–6 KB each, one in
// ten about 30 KB; 80 % visible to the union, 15 % to a region's subtree, 5 % to a role), then times a set of
// searches — common words in another grammatical form, a phrase, a rare word, an exclusion, with filters —
// for a ППО chair (the visibility rule at work) and the federal administrator: directly through the library
// service (the queries the page runs: the ranked page with snippets and its count, the tags, the successors),
// and through HTTP against the real server. Prints p50/p95 per search and over all; docs/performance.md keeps
// the figures.
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { enableAppRoleLogin } from '../src/db/app-role';
import { createDb } from '../src/db/knex';
import { createOwnerDb, migrateLatest } from '../src/db/migrate';
import type { Principal } from '../src/access/principal';
import { createLibraryService } from '../src/library/library.service';
import { searchSchema } from '../src/library/library.schemas';
import { insertOrganization } from '../src/registry/orgs.create';
import { createLogger } from '../src/logger';
import { createJobQueue } from '../src/jobs/job-queue';
import { BENCH_PASSWORD, ensureBenchUsers } from './fixtures';
import { login } from './session';
import { startServer } from './server-process';

const DOCUMENTS = 10_000;
const argv = process.argv.slice(2);
const RUNS = Number(argv.includes('--runs') ? argv[argv.indexOf('--runs') + 1] : 60);
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error(
    'DATABASE_URL must name a database of its own (createdb reestr_lib), see the header of bench/library.ts',
  );
  process.exit(1);
}

// a fixed pseudo-random sequence: every run generates the same library
let seed = 20261203;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const SUBJECTS = [
  'Первичная профсоюзная организация',
  'Выборный орган',
  'Работодатель',
  'Комиссия по трудовым спорам',
  'Уполномоченный по охране труда',
  'Совет молодых педагогов',
  'Профсоюзный комитет',
  'Территориальная организация Профсоюза',
  'Ревизионная комиссия',
  'Председатель первичной организации',
];
const VERBS = [
  'обеспечивает',
  'согласовывает',
  'рассматривает',
  'контролирует соблюдение',
  'ежегодно утверждает',
  'организует проведение',
  'осуществляет проверку',
  'представляет интересы работников при обсуждении',
  'направляет предложения по',
  'информирует членов Профсоюза о',
];
const OBJECTS = [
  'коллективного договора образовательной организации',
  'условий оплаты труда педагогических работников',
  'графика ежегодных оплачиваемых отпусков',
  'аттестации педагогических работников на соответствие занимаемой должности',
  'мероприятий по охране труда и технике безопасности',
  'нормы учебной нагрузки учителей',
  'санаторно-курортного оздоровления членов Профсоюза',
  'выплат стимулирующего характера',
  'распределения материальной помощи',
  'правил внутреннего трудового распорядка',
  'положения о системе оплаты труда',
  'обучения профсоюзного актива',
  'отраслевого соглашения на региональном уровне',
  'специальной оценки условий труда',
  'предоставления дополнительных дней отдыха',
];
const TAILS = [
  'в порядке, установленном Уставом Профсоюза.',
  'в сроки, предусмотренные трудовым законодательством.',
  'с учётом мнения выборного органа первичной профсоюзной организации.',
  'не реже одного раза в год.',
  'по письменному заявлению работника.',
  'на основании решения профсоюзного собрания.',
  'в соответствии с Трудовым кодексом Российской Федерации.',
];
const TITLES = [
  'Положение о',
  'Методические рекомендации по вопросам',
  'Макет',
  'Порядок',
  'Разъяснение по вопросам',
  'Программа обучения по теме',
  'Форма отчёта о',
];
const TAGS = [
  'колдоговор',
  'охрана труда',
  'оплата труда',
  'молодёжь',
  'аттестация',
  'отпуск',
  'оздоровление',
  'обучение',
];
const CATEGORIES = ['normative', 'methodological', 'forms', 'templates', 'training'];

const sentence = () => `${pick(SUBJECTS)} ${pick(VERBS)} ${pick(OBJECTS)} ${pick(TAILS)}`;
function body(): string {
  const target = random() < 0.1 ? 30_000 : 2_000 + random() * 4_000;
  const parts: string[] = [];
  for (let length = 0; length < target;) {
    const s = sentence();
    parts.push(s);
    length += s.length + 1;
  }
  return parts.join(' ');
}

async function fill(ownerUrl: string) {
  const db = createOwnerDb(ownerUrl);
  try {
    const existing = await db('library_documents').count<{ count: string }[]>();
    const union =
      (await db('organizations').where({ level: 'union' }).first('id', 'inpo')) ??
      (await insertOrganization(db, { parentId: null, level: 'union', name: 'Общероссийский Профсоюз образования' }));
    let regions = await db('organizations').where({ level: 'regional' }).orderBy('id').select('id', 'inpo');
    for (let code = regions.length + 1; code <= 10; code++) {
      const region = await insertOrganization(db, {
        parentId: union.id,
        level: 'regional',
        name: `Региональная организация ${code}`,
        regionCode: code,
      });
      const territory = await insertOrganization(db, {
        parentId: region.id,
        level: 'territorial',
        name: `Территориальная организация ${code}`,
        regionCode: code,
      });
      await insertOrganization(db, {
        parentId: territory.id,
        level: 'primary',
        name: `Школа № ${code}`,
        regionCode: code,
        employerKind: 'school',
      });
    }
    regions = await db('organizations').where({ level: 'regional' }).orderBy('id').select('id', 'inpo');
    const primary = await db('organizations').where({ level: 'primary' }).orderBy('id').first('id');
    await ensureBenchUsers(db, [
      ['lib-admin', 'admin', union.id],
      ['lib-chair', 'chair', primary.id],
    ]);
    if (Number(existing[0]!.count) >= DOCUMENTS) return;
    const started = performance.now();
    for (let i = Number(existing[0]!.count); i < DOCUMENTS; i += 500) {
      const rows = [];
      for (let j = i; j < Math.min(i + 500, DOCUMENTS); j++) {
        const visibility = random() < 0.8 ? 'union' : random() < 0.75 ? 'subtree' : 'role';
        const region = pick(regions);
        const tags = [...new Set([pick(TAGS), pick(TAGS)])];
        rows.push({
          title: `${pick(TITLES)} ${pick(OBJECTS)}`,
          category: pick(CATEGORIES),
          issuing_organization_id: visibility === 'union' ? union.id : region.id,
          issued_on: `20${10 + Math.floor(random() * 16)}-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`,
          number: `${1 + Math.floor(random() * 300)}-п`,
          tags,
          visibility,
          visible_organization_id: visibility === 'subtree' ? region.id : null,
          visible_role: visibility === 'role' ? pick(['chair', 'coordinator', 'statistician']) : null,
          body_text: body(),
          text_state: 'done',
        });
      }
      const ids = await db('library_documents').insert(rows).returning('id');
      await db('library_versions').insert(
        ids.map(({ id }: { id: number }) => ({
          document_id: id,
          version_no: 1,
          file_name: `Документ ${id}.pdf`,
          kind: 'pdf',
          size_bytes: 100_000,
          sha256: String(id).padStart(64, '0'),
        })),
      );
    }
    await db.raw('VACUUM ANALYZE library_documents');
    await db.raw('VACUUM ANALYZE library_versions');
    console.log(`generated ${DOCUMENTS} documents in ${Math.round((performance.now() - started) / 1000)} s`);
  } finally {
    await db.destroy();
  }
}

const SEARCHES: Record<string, string>[] = [
  { q: 'договора' },
  { q: 'охраны труда' },
  { q: 'аттестации педагогических работников' },
  { q: '"коллективного договора"' },
  { q: 'санаторно-курортное оздоровление' },
  { q: 'отпуск -ежегодный' },
  { q: 'оплата труда', category: 'normative' },
  { q: 'молодых педагогов', tag: 'молодёжь' },
  { q: 'договора', page: '5' },
];

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms`;
};

async function main() {
  await migrateLatest(databaseUrl!);
  await fill(databaseUrl!);
  const owner = createOwnerDb(databaseUrl!);
  const appUrl = await enableAppRoleLogin(owner, databaseUrl!);
  const grants = await owner.raw(
    `SELECT u.username, g.role, g.organization_id AS "organizationId", o.path::text AS "organizationPath", o.level AS "organizationLevel",
            o.inpo AS "organizationInpo", o.name AS "organizationName", u.id AS "userId"
     FROM users u JOIN role_grants g ON g.user_id = u.id JOIN organizations o ON o.id = g.organization_id
     WHERE u.username IN ('lib-admin', 'lib-chair')`,
  );
  await owner.destroy();
  const principals: Record<string, Principal> = {};
  for (const g of grants.rows) {
    principals[g.username] = {
      id: g.userId,
      username: g.username,
      fullName: g.username,
      mustChangePassword: false,
      secondFactorEnrolled: false,
      memberId: null,
      grants: [g],
    };
  }

  const logger = createLogger('silent');
  const db = createDb(appUrl, { poolMax: 4, statementTimeoutMs: 0 });
  // the service's file store, unused by searches: removed at the end (each run left an empty folder behind)
  const libraryDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reestr-lib-bench-'));
  const library = createLibraryService(db, createJobQueue(db, { pollSeconds: 60, maintenanceSeconds: 3600, logger }), {
    libraryDir,
    maxBytes: 20 * 1024 * 1024,
    logger,
  });
  console.log(
    `load before: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (${os.cpus().length} cores)`,
  );
  const all: number[] = [];
  for (const who of ['lib-chair', 'lib-admin']) {
    for (const search of SEARCHES) {
      const q = searchSchema.parse(search);
      await library.search(principals[who]!, q); // warm
      const times: number[] = [];
      let total = '';
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        const found = await library.search(principals[who]!, q);
        total = `${found.more ? '>' : ''}${found.total}`;
        times.push(performance.now() - t);
      }
      all.push(...times);
      console.log(
        `direct  ${who.padEnd(9)} ${JSON.stringify(search).padEnd(60)} ${total.padStart(5)} found  ${summary(times)}`,
      );
    }
  }
  console.log(`direct  all searches: ${summary(all)}`);
  await db.destroy();
  fs.rmSync(libraryDir, { recursive: true, force: true });

  const server = await startServer(databaseUrl!, appUrl, 3960, {
    LIBRARY_DIR: path.join(os.tmpdir(), 'reestr-lib-bench-files'),
  });
  try {
    const overHttp: number[] = [];
    for (const who of ['lib-chair', 'lib-admin']) {
      const session = await login(server.baseUrl, who, BENCH_PASSWORD);
      for (const search of SEARCHES) {
        const url = `${server.baseUrl}/library?${new URLSearchParams(search)}`;
        await (await fetch(url, { headers: { cookie: session.cookie } })).text();
        const times: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const t = performance.now();
          const res = await fetch(url, { headers: { cookie: session.cookie, 'accept-encoding': 'gzip' } });
          await res.text();
          if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
          times.push(performance.now() - t);
        }
        overHttp.push(...times);
        console.log(`http    ${who.padEnd(9)} ${JSON.stringify(search).padEnd(60)} ${summary(times)}`);
      }
    }
    console.log(`http    all searches: ${summary(overHttp)}`);
  } finally {
    await server.stop();
  }
  console.log(
    `load after: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

await main();
