import os from 'node:os';
import { defineConfig } from 'vitest/config';

// Three projects: `npm test` runs them all; `npx vitest run --project unit` runs the pure code's tests
// in seconds with no PostgreSQL (the database's global setup belongs to the other two).
const withDatabase = { globalSetup: ['test/support/global-setup.ts'] };

export default defineConfig({
  test: {
    pool: 'forks',
    // Every test file has its own database and spends much of its time waiting on PostgreSQL, so one worker per
    // core plus one keeps the cores busy (vitest's default, cores − 1, is a single worker on two cores).
    maxWorkers: os.availableParallelism() + 1,
    // a guard against a hung test, not a performance target: the walks over every route (authz matrix, GET never
    // writes, fuzz) take ~30 s on two busy cores
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'test-results/vitest.json' },
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        // one module registry per worker, not per file: importing the app's graph again for every file cost
        // ~3 s a file; each file still gets its own database, app and connections (test/support/app.ts)
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'], isolate: false, ...withDatabase },
      },
      // the browser journeys share a module registry per worker too, and with it the worker's Chromium: each file
      // still gets its own app, database and browser contexts (test/support/browser.ts), and the app's graph is
      // imported once, not once per journey
      {
        extends: true,
        test: { name: 'browser', include: ['test/e2e/**/*.test.ts'], isolate: false, ...withDatabase },
      },
    ],
  },
});
