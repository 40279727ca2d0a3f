import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { APP_ROOT } from '../../src/app-paths';
import { csrfFrom } from '../support/agents';
import { collectOutput, terminate, waitForOutput } from '../support/child-output';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { createUser, createRegionTree } from '../support/factories';

// Two server processes on one database, as behind the load balancer of docker-compose.yml: started side
// by side on an empty database they take turns at migrating (db/startup-lock.ts) and both come up, and a
// session begun on one is the other's too — sessions live in PostgreSQL, not in a process.

let database: TestDatabase | undefined;
const children: ChildProcessWithoutNullStreams[] = [];
const folders: string[] = [];
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
  await database?.drop();
});

function startInstance(url: string, port: number) {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'reestr-instance-'));
  folders.push(folder);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: APP_ROOT,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: url,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DEMO_DATA: 'false',
      TOTP_REQUIRED: 'false',
      SESSION_SECRET: 'one-secret-shared-by-every-instance-of-the-app',
      // each instance keeps its own uploads and exports folders (README, UPLOAD_DIR)
      UPLOAD_DIR: path.join(folder, 'uploads'),
      EXPORT_DIR: path.join(folder, 'exports'),
    },
  });
  children.push(child);
  return { child, output: collectOutput(child), base: `http://127.0.0.1:${port}` };
}

/** A browser's cookie jar for one host: both instances are the same site behind the balancer. */
function cookieJar() {
  const cookies = new Map<string, string>();
  return {
    async fetch(url: string, init: RequestInit = {}) {
      const header = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, cookie: header } });
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const [name, ...value] = pair!.split('=');
        cookies.set(name!, value.join('='));
      }
      return response;
    },
  };
}

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

describe('two app instances on one database', () => {
  it('when they start side by side on an empty database, then both migrate it once and come up, a login on one is a session on the other, and a logout on the other ends it on both', async () => {
    database = await createTestDatabase();
    // an empty schema: both instances find every migration pending, some of them outside a transaction
    await database.ownerDb.raw('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    const port = 40000 + Math.floor(Math.random() * 20000);
    const [a, b] = [startInstance(database.url, port), startInstance(database.url, port + 1)];
    await Promise.all([a, b].map((i) => waitForOutput(i.output, /Реестр запущен/, 90_000)));
    // an instance that stops answering after it came up (seen once in CI: connection refused) tells why
    onTestFailed(() => {
      for (const [name, i] of [['A', a] as const, ['B', b] as const])
        console.error(`instance ${name} (exit code ${i.child.exitCode}, signal ${i.child.signalCode}):\n${i.output()}`);
    });
    const migrated = await database.ownerDb('knex_migrations').count('* as n').first();
    expect(Number(migrated!.n)).toBe(
      fs.readdirSync(path.join(APP_ROOT, 'migrations')).filter((f) => /^\d{14}_/.test(f)).length,
    );
    const tree = await createRegionTree(database.ownerDb);
    const user = await createUser(database.ownerDb, [{ role: 'chair', org: tree.primary }]);

    const browser = cookieJar();
    const loginPage = await browser.fetch(`${a.base}/login`);
    const login = await browser.fetch(
      `${a.base}/login`,
      form({ _csrf: csrfFrom(await loginPage.text()), username: user.username, password: user.password }),
    );
    expect(login.status).toBe(303);

    const onB = await browser.fetch(`${b.base}/orgs/${tree.primary.inpo}`);
    expect(onB.status).toBe(200);
    const page = await onB.text();
    expect(page).toContain(tree.primary.name);

    // the token A's session handed out is B's too; the logout on B ends the session A serves
    expect((await browser.fetch(`${b.base}/logout`, form({ _csrf: csrfFrom(page) }))).status).toBe(303);
    const afterLogout = await browser.fetch(`${a.base}/orgs/${tree.primary.inpo}`);
    expect(afterLogout.status).toBe(303);
    expect(afterLogout.headers.get('location')).toMatch(/^\/login/);

    expect(await Promise.all([terminate(a.child), terminate(b.child)])).toEqual([0, 0]);
  }, 120_000);
});
