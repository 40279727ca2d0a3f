// npm run bench [-- --quick] [-- --load] [-- --only <text>]: the journeys of ../shared/spec/performance.md against the
// database in DATABASE_URL (a full-scale union from `npm run seed:scale`), through the real server
// and directly; the table goes to stdout and into docs/performance.md between the bench markers.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { enableAppRoleLogin } from '../src/db/app-role';
import { createDb } from '../src/db/knex';
import { createOwnerDb } from '../src/db/migrate';
import { BENCH_PASSWORD, emptyOrganization, prepareFixtures } from './fixtures';
import { journeys } from './journeys';
import { measureJourney } from './judge';
import { exportAndImport } from './memory';
import { mailingToRegion } from './mailing';
import { firstReportOfNewDate } from './first-report';
import { principalCacheSideBySide } from './principal-cache';
import { pageWork } from './page-work';
import { login, type Session } from './session';
import { startServer } from './server-process';
import { probeRegionList, vacuumRow } from './vacuum-probe';

const argv = process.argv.slice(2);
const args = new Set(argv);
const quick = args.has('--quick');
/** `--only <text>`: the journeys whose name contains the text (the memory journeys: "export", "import" or "memory"; "mailing") */
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1]?.toLowerCase() : undefined;
const selected = (name: string) =>
  !only || name.toLowerCase().includes(only) || name.split(' ').some((word) => word === only);
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('DATABASE_URL must point at a database loaded with `npm run seed:scale` (see docs/performance.md).');
  process.exit(1);
}
const ROOT = path.resolve(import.meta.dirname, '..');
const DOC = path.join(ROOT, 'docs', 'performance.md');

/** The 1-minute load average sampled through the run: the table states it, since two cores shared with anything else
 * make every figure several times a quiet machine's. */
function sampleLoad() {
  const seen: number[] = [os.loadavg()[0]!];
  const timer = setInterval(() => seen.push(os.loadavg()[0]!), 5_000).unref();
  return () => {
    clearInterval(timer);
    const sorted = [...seen].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
    return `load average (1 min) ${at(0)}–${at(1)}, median ${at(0.5)}`;
  };
}

async function main() {
  const loadSeen = sampleLoad();
  const started = new Date();
  const rows: string[] = [];
  if (args.has('--load')) rows.push(await timeLoad());

  const owner = createOwnerDb(databaseUrl!);
  const fx = await prepareFixtures(owner);
  // issue 15, item 6: what the dead rows of the previous run's clean-up cost, before the VACUUM below
  const beforeVacuum = selected('vacuum') ? await probeRegionList(owner, fx) : undefined;
  // steady state, not the minutes after a load when autovacuum sweeps 4 M fresh rows on the same two cores
  await owner.raw('VACUUM ANALYZE');
  if (beforeVacuum) {
    rows.push(vacuumRow(beforeVacuum, await probeRegionList(owner, fx)));
    console.log(rows.at(-1));
  }
  const dataset = await owner.raw(
    `SELECT (SELECT count(*) FROM organizations) AS orgs, (SELECT count(*) FROM members) AS members, pg_size_pretty(pg_database_size(current_database())) AS size`,
  );
  const appUrl = await enableAppRoleLogin(owner, databaseUrl!);
  await owner.destroy();
  const db = createDb(appUrl, { poolMax: 4, statementTimeoutMs: 0 });
  const counting = createDb(appUrl, { poolMax: 4, statementTimeoutMs: 0 });
  const server = await startServer(databaseUrl!, appUrl, 3901);
  try {
    const sessions: Record<string, Session> = {
      admin: await login(server.baseUrl, 'bench-admin', BENCH_PASSWORD),
      coordinator: await login(server.baseUrl, 'bench-coordinator', BENCH_PASSWORD),
      chair: await login(server.baseUrl, 'bench-chair', BENCH_PASSWORD),
      statistician: await login(server.baseUrl, 'bench-statistician', BENCH_PASSWORD),
    };
    const context = {
      db,
      counting: await pageWork(counting, sessions.coordinator!, 'bench-coordinator'),
      fx,
      work: {
        coordinator: await pageWork(db, sessions.coordinator!, 'bench-coordinator'),
        admin: await pageWork(db, sessions.admin!, 'bench-admin'),
        chair: await pageWork(db, sessions.chair!, 'bench-chair'),
        statistician: await pageWork(db, sessions.statistician!, 'bench-statistician'),
      },
    };
    const all = journeys(context);
    const chosen = all.filter((j) => selected(j.name));
    // the pages' throughput is judged against the empty page's, measured first
    const withLimit = chosen.some((j) => j.limits.ofLimit !== undefined);
    let limitRps: number | undefined;
    let comparisonP50: number | undefined;
    // and the rows judged against a page without their feature, against that page's, measured first too
    const withComparison = chosen.some((j) => j.limits.addsAtMostMs !== undefined);
    for (const j of all.filter(
      (j) => chosen.includes(j) || (j.isLimit && withLimit) || (j.isComparison && withComparison),
    )) {
      const row = await measureJourney(j, server.baseUrl, sessions[j.who]!, limitRps, comparisonP50);
      if (j.isLimit) limitRps = row.rps;
      if (j.isComparison) comparisonP50 = row.p50;
      rows.push(row.line);
      console.log(row.line);
    }
    const extraRows = [
      ...(selected('principal') ? [await principalCacheSideBySide(databaseUrl!, appUrl, server.baseUrl, fx)] : []),
      // last of the timed journeys: its writers make the statistics of every later date stale
      ...(selected('never-seen') ? [await firstReportOfNewDate(db, server.baseUrl, sessions.admin!, fx)] : []),
    ];
    for (const row of extraRows) {
      rows.push(row);
      console.log(row);
    }
    // `--only export` runs the export alone, `--only import` the imports alone, `--only memory` both
    const memoryJourneys = {
      export: selected('export') || selected('memory'),
      import: selected('import') || selected('memory'),
    };
    const emptyImportTarget = async () => {
      const cleanup = createOwnerDb(databaseUrl!);
      await emptyOrganization(cleanup, fx.importTarget.id);
      await cleanup.destroy();
    };
    const memoryRows =
      memoryJourneys.export || memoryJourneys.import
        ? await exportAndImport(
            db,
            server,
            { admin: sessions.admin!, coordinator: sessions.coordinator! },
            fx,
            quick,
            memoryJourneys,
          )
        : [];
    for (const row of memoryRows) {
      rows.push(row);
      console.log(row);
    }
    // the imported cards gone before the mailing, which writes to every card of the region with a consent (with
    // them there it wrote to 234,810 instead of 101,477, and they could not be deleted after it)
    if (memoryRows.length) await emptyImportTarget();
    // its own server (with SMTP_URL into a local sink): the main one has no mail transport, so takes no mailing job
    const mailingRows = selected('mailing') ? await mailingToRegion(databaseUrl!, appUrl, db, fx) : [];
    for (const row of mailingRows) {
      rows.push(row);
      console.log(row);
    }
    await emptyImportTarget(); // the next run measures the same union
  } finally {
    await server.stop();
    await db.destroy();
    await counting.destroy();
  }
  const d = dataset.rows[0];
  // a subset replaces its own rows of the table (or is added to it), the others stay as they were measured
  if (only) return mergeRows(rows);
  writeTable(
    rows,
    `${Number(d.orgs).toLocaleString('en')} organizations, ${Number(d.members).toLocaleString('en')} members (database ${d.size}); biggest region ${fx.region.members.toLocaleString('en')} members`,
    `${Math.round((Date.now() - started.getTime()) / 60_000)} min, ${loadSeen()}`,
  );
}

async function timeLoad(): Promise<string> {
  const started = Date.now();
  execFileSync('npm', ['run', 'seed:scale', '--', '--members', '4000000', '--seed', '1', '--yes'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: process.env,
  });
  const seconds = (Date.now() - started) / 1000;
  return `| load the full-scale dataset (\`npm run seed:scale -- --members 4000000\`) | < 3 min | ${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s | — | — | — | ${seconds < 180 ? 'pass' : '**miss**'} |`;
}

const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';
/** A row's journey, without its figures in brackets: the same journey measured again replaces its row. */
const journeyOf = (row: string) => row.split('|')[1]!.replace(/\(.*$/, '').trim();

/** The document with Prettier's layout, as `npm test`'s format check wants it (the rows come unpadded). */
function writeDoc(text: string) {
  fs.writeFileSync(DOC, text);
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'prettier'), ['--write', DOC], { cwd: ROOT, stdio: 'ignore' });
}

function mergeRows(rows: string[]) {
  const doc = fs.readFileSync(DOC, 'utf8');
  if (!doc.includes(START) || !rows.length) return;
  const [before, rest] = [doc.slice(0, doc.indexOf(START)), doc.slice(doc.indexOf(START))];
  const lines = rest.slice(0, rest.indexOf(END)).split('\n');
  for (const row of rows) {
    const at = lines.findIndex((l) => l.startsWith('|') && journeyOf(l) === journeyOf(row));
    if (at >= 0) lines[at] = row;
    else lines.splice(lines.findLastIndex((l) => l.startsWith('|')) + 1, 0, row);
  }
  writeDoc(`${before}${lines.join('\n')}${rest.slice(rest.indexOf(END))}`);
  console.log(`\nrows written to ${path.relative(ROOT, DOC)}`);
}

function writeTable(rows: string[], dataset: string, run: string) {
  const table = [
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB (the whole run: ${run}); ${dataset}.`,
    "App = HTTP through the real server (own process, loopback, logged-in session): p50 / p95 / p99 and throughput; each request picks its organization, card, date or filter value at random from the journey's pool; at 32 clients, the throughput as a share of the empty logged-in page's (the limit row). Direct = the same session lookup and service, repository or report-engine calls made straight against PostgreSQL, no HTTP; for the 5-СП also the statements it sends and their floor (all of them in one round trip). Ratio = app p50 at 1 client / direct p50.",
    '',
    '| journey | target | app, 1 client | app, 32 clients | direct p50 / p95 | ratio | result |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  const doc = fs.readFileSync(DOC, 'utf8');
  const start = START;
  const end = END;
  const next = doc.includes(start)
    ? `${doc.slice(0, doc.indexOf(start) + start.length)}\n${table}\n${doc.slice(doc.indexOf(end))}`
    : `${doc}\n${start}\n${table}\n${end}\n`;
  writeDoc(next);
  console.log(`\nwritten to ${path.relative(ROOT, DOC)}`);
}

await main();
