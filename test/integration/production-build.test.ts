import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_ROOT } from '../../src/app-paths';
import { listMigrationFiles } from '../../src/db/migrate';
import { collectOutput, terminate, waitForOutput } from '../support/child-output';
import { createTestDatabase, type TestDatabase } from '../support/db';

// The production image runs the compiled app (`npm run build` → dist/, `node dist/src/server.js`), with
// no tsx. Built here into a folder of its own inside the checkout, as dist/ sits inside the image's app
// folder: views, public/ and the reference data are found beside it, node_modules above it.
const OUT_DIR = path.join(APP_ROOT, '.data', `build-check-${process.pid}`);
const bin = (name: string) => path.join(APP_ROOT, 'node_modules', '.bin', name);

let database: TestDatabase | undefined;
afterAll(async () => {
  await database?.drop();
  fs.rmSync(OUT_DIR, { recursive: true, force: true });
});

describe('the production build', () => {
  it('when compiled with tsc and started with plain node on an empty database, then it migrates under the sources’ names, installs the forms and serves pages and assets', async () => {
    const build = ['-p', 'tsconfig.build.json', '--outDir', OUT_DIR];
    execFileSync(bin('tsc'), build, { cwd: APP_ROOT, stdio: 'pipe' });
    execFileSync(bin('tsc-alias'), [...build, '--resolve-full-paths'], { cwd: APP_ROOT, stdio: 'pipe' });
    expect(fs.readdirSync(path.join(OUT_DIR, 'migrations')).filter((f) => f.endsWith('.js'))).toHaveLength(
      listMigrationFiles().length,
    );

    database = await createTestDatabase();
    await database.ownerDb.raw('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    const port = 40000 + Math.floor(Math.random() * 20000);
    const child = spawn(process.execPath, [path.join(OUT_DIR, 'src', 'server.js')], {
      cwd: APP_ROOT,
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: database.url,
        PORT: String(port),
        LOG_LEVEL: 'warn',
        DEMO_DATA: 'false',
      },
    });
    const output = collectOutput(child);
    try {
      await waitForOutput(output, /Реестр запущен/, 60_000);
      const base = `http://127.0.0.1:${port}`;
      // a server that died after its banner says why in its own output
      const login = await fetch(`${base}/login`).catch((error: Error) => {
        throw new Error(`${error.message} (${String(error.cause)}); the server's output:\n${output()}`);
      });
      expect(login.status).toBe(200);
      const html = await login.text();
      expect(html).toContain('Вход в Реестр');
      const assets = [...html.matchAll(/(?:href|src)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
      expect(assets.length).toBeGreaterThanOrEqual(5);
      for (const asset of assets) expect((await fetch(`${base}${asset}`)).status, asset).toBe(200);

      // a database migrated by the built app and one migrated by `npm start` record the same names
      const migrated = await database.ownerDb('knex_migrations').orderBy('id').pluck('name');
      expect(migrated).toEqual(listMigrationFiles());
      const shippedForms = fs
        .readdirSync(path.join(APP_ROOT, 'seeds', 'reference'))
        .filter((f) => /^form-.+\.json$/.test(f));
      expect(await database.ownerDb('form_versions').countDistinct('code as n').first()).toEqual({
        n: shippedForms.length,
      });

      expect(await terminate(child)).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});
