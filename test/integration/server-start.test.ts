import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_ROOT } from '../../src/app-paths';
import { terminate, waitForOutput } from '../support/child-output';
import { createTestDatabase, type TestDatabase } from '../support/db';

let database: TestDatabase | undefined;
afterAll(async () => database?.drop());

describe('server start-up', () => {
  it('when started on an empty database, then it migrates, loads the demo union, prints the URL and logins, serves /login and stops cleanly on SIGTERM', async () => {
    database = await createTestDatabase();
    // The template is already migrated; an empty schema proves the server's own migration step.
    await database.ownerDb.raw('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    const port = 40000 + Math.floor(Math.random() * 20000);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: APP_ROOT,
      env: { PATH: process.env.PATH, DATABASE_URL: database.url, PORT: String(port), LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    try {
      const banner = await waitForOutput(() => stdout + stderr, /member\s+член Профсоюза/, 60_000);
      expect(banner).toContain(`Реестр запущен: http://127.0.0.1:${port}`);
      expect(banner).toContain('demo-password-1');
      for (const login of ['admin', 'coordinator', 'curator', 'chair', 'stat', 'member'])
        expect(banner).toMatch(new RegExp(`^\\s+${login}\\s`, 'm'));

      const login = await fetch(`http://127.0.0.1:${port}/login`);
      expect(login.status).toBe(200);
      expect(await login.text()).toContain('Вход в Реестр');
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      // Given the owner's URL, the server migrated with it and then logs in only as the app role.
      const logins = await database.ownerDb.raw(
        "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database() AND application_name IN ('reestr', 'reestr-sessions')",
      );
      expect(logins.rows.map((r: { usename: string }) => r.usename)).toEqual(['reestr_app']);

      const counts = await database.ownerDb.raw(`
        SELECT (SELECT count(*) FROM organizations WHERE level = 'regional') AS regions,
               (SELECT count(*) FROM members) AS members,
               (SELECT count(*) FROM users) AS users`);
      expect(counts.rows[0].regions).toBeGreaterThanOrEqual(3);
      expect(counts.rows[0].regions).toBeLessThanOrEqual(5);
      expect(counts.rows[0].members).toBeGreaterThanOrEqual(200);
      expect(counts.rows[0].users).toBe(6);

      expect(await terminate(child)).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 90_000);
});

describe('the database login of the app', () => {
  it("when DATABASE_URL is a superuser's beside MIGRATION_DATABASE_URL, then the server refuses to start and says why", async () => {
    const db = await createTestDatabase();
    try {
      const result = await new Promise<{ code: number | null; output: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
          cwd: APP_ROOT,
          env: {
            PATH: process.env.PATH,
            DATABASE_URL: db.url,
            MIGRATION_DATABASE_URL: db.url,
            PORT: String(40000 + Math.floor(Math.random() * 20000)),
            LOG_LEVEL: 'warn',
            DEMO_DATA: 'false',
          },
        });
        let output = '';
        child.stdout.on('data', (d) => (output += d));
        child.stderr.on('data', (d) => (output += d));
        child.on('exit', (code) => resolve({ code, output }));
      });
      expect(result.code).toBe(1);
      expect(result.output).toContain('лишними правами (superuser');
    } finally {
      await db.drop();
    }
  }, 60_000);
});
