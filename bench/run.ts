// npm run bench [-- --quick] [-- --load] [-- --only=<text>]: the journeys of ../shared/spec/performance.md against the
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
import { directLoad, httpLoad, type Latency } from './measure';
import { exportAndImport } from './memory';
import { firstReportOfNewDate } from './first-report';
import { principalCacheSideBySide } from './principal-cache';
import { login, type Session } from './session';
import { startServer } from './server-process';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
/** `--only=search` runs the journeys whose name contains "search" (and not the export/import rows). */
const only = [...args].find((a) => a.startsWith('--only='))?.slice('--only='.length);
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('DATABASE_URL must point at a database loaded with `npm run seed:scale` (see docs/performance.md).');
  process.exit(1);
}
const ROOT = path.resolve(import.meta.dirname, '..');
const DOC = path.join(ROOT, 'docs', 'performance.md');

const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`);

async function main() {
  const rows: string[] = [];
  if (args.has('--load')) rows.push(await timeLoad());

  const owner = createOwnerDb(databaseUrl!);
  // steady state, not the minutes after a load when autovacuum sweeps 4 M fresh rows on the same two cores
  await owner.raw('VACUUM ANALYZE');
  const fx = await prepareFixtures(owner);
  const dataset = await owner.raw(
    `SELECT (SELECT count(*) FROM organizations) AS orgs, (SELECT count(*) FROM members) AS members, pg_size_pretty(pg_database_size(current_database())) AS size`,
  );
  const appUrl = await enableAppRoleLogin(owner, databaseUrl!);
  await owner.destroy();
  const db = createDb(appUrl, { poolMax: 4, statementTimeoutMs: 0 });
  const server = await startServer(databaseUrl!, appUrl, 3901);
  try {
    const sessions: Record<string, Session> = {
      admin: await login(server.baseUrl, 'bench-admin', BENCH_PASSWORD),
      coordinator: await login(server.baseUrl, 'bench-coordinator', BENCH_PASSWORD),
      chair: await login(server.baseUrl, 'bench-chair', BENCH_PASSWORD),
    };
    for (const j of journeys(db, fx).filter((j) => !only || j.name.includes(only))) {
      const report = j.limits.rps === undefined && !j.judgedUnderLoad;
      const paths = typeof j.path === 'string' ? [j.path] : j.path;
      const runs = quick ? 3 : j.limits.p95Ms >= 1000 ? 10 : 50;
      if (!paths) {
        const direct = await directLoad(j.direct, runs);
        rows.push(
          `| ${j.name} | ${j.target} | — | — | ${ms(direct.p50)} / ${ms(direct.p95)} | — | ${direct.p95 <= j.limits.p95Ms ? 'pass' : '**miss**'} |`,
        );
        console.log(rows.at(-1));
        continue;
      }
      const http: Record<number, Latency> = {};
      // the first request of a date may build the maintained statistics: timed apart, then the warm runs
      const cold = await httpLoad(server.baseUrl, paths, sessions[j.who]!, 1, { amount: 1 });
      if (cold.errors) throw new Error(`${j.name}: the first request of ${paths[0]} did not answer 200`);
      for (const c of j.concurrency) {
        const limit = report && c === 1 ? { amount: runs } : { seconds: quick ? 3 : 10 };
        http[c] = await httpLoad(server.baseUrl, paths, sessions[j.who]!, c, limit);
        if (http[c]!.errors) throw new Error(`${j.name}: ${http[c]!.errors} error responses from ${paths[0]}…`);
      }
      const direct = await directLoad(j.direct, runs);
      const worst = http[Math.max(...j.concurrency)]!;
      // page targets hold at 32 clients; a report's target is the latency one user waits for it
      const judged = report ? http[1]! : worst;
      const pass = judged.p95 <= j.limits.p95Ms && (j.limits.rps === undefined || judged.rps >= j.limits.rps);
      const one = http[1]!;
      const many =
        j.concurrency.length > 1
          ? `${ms(worst.p50)} / ${ms(worst.p95)} / ${ms(worst.p99)}, ${Math.round(worst.rps)} req/s`
          : '—';
      rows.push(
        `| ${j.name} | ${j.target} | ${ms(one.p50)} / ${ms(one.p95)} / ${ms(one.p99)}, ${Math.round(one.rps)} req/s (first ${ms(cold.p50)}) | ${many} | ${ms(direct.p50)} / ${ms(direct.p95)} | ${(one.p50 / direct.p50).toFixed(1)}× | ${pass ? 'pass' : '**miss**'} |`,
      );
      console.log(rows.at(-1));
    }
    for (const row of only
      ? []
      : [
          await principalCacheSideBySide(databaseUrl!, appUrl, server.baseUrl, fx),
          // last of the journeys: its writers make the statistics of every later date stale
          await firstReportOfNewDate(db, server.baseUrl, sessions.admin!, fx),
          ...(await exportAndImport(
            db,
            server,
            { admin: sessions.admin!, coordinator: sessions.coordinator! },
            fx,
            quick,
          )),
        ]) {
      rows.push(row);
      console.log(row);
    }
    const cleanup = createOwnerDb(databaseUrl!);
    await emptyOrganization(cleanup, fx.importTarget.id); // the next run measures the same union
    await cleanup.destroy();
  } finally {
    await server.stop();
    await db.destroy();
  }
  const d = dataset.rows[0];
  if (only) return; // a partial run leaves docs/performance.md alone
  writeTable(
    rows,
    `${Number(d.orgs).toLocaleString('en')} organizations, ${Number(d.members).toLocaleString('en')} members (database ${d.size}); biggest region ${fx.region.members.toLocaleString('en')} members`,
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

function writeTable(rows: string[], dataset: string) {
  const table = [
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB; ${dataset}.`,
    'App = HTTP through the real server (own process, loopback, logged-in session): p50 / p95 / p99 and throughput. Direct = the same repository or report-engine call made straight against PostgreSQL, no HTTP. Ratio = app p50 at 1 client / direct p50.',
    '',
    '| journey | target | app, 1 client | app, 32 clients | direct p50 / p95 | ratio | result |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
  const doc = fs.readFileSync(DOC, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const next = doc.includes(start)
    ? `${doc.slice(0, doc.indexOf(start) + start.length)}\n${table}\n${doc.slice(doc.indexOf(end))}`
    : `${doc}\n${start}\n${table}\n${end}\n`;
  fs.writeFileSync(DOC, next);
  console.log(`\nwritten to ${path.relative(ROOT, DOC)}`);
}

await main();
