import { afterAll, beforeAll } from 'vitest';
import type { Express } from 'express';
import { createApp } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { buildDeps, type Deps } from '../../src/deps';
import { createLogger } from '../../src/logger';
import { createTestDatabase, type TestDatabase } from './db';

export interface TestContext {
  app: Express;
  deps: Deps;
  database: TestDatabase;
  config: Config;
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  // One trusted hop (supertest's loopback connection plays the proxy) lets tests play clients at
  // different addresses through X-Forwarded-For.
  // The second factor's requirement is off unless a test turns it on (second-factor.test.ts): a TOTP code is
  // accepted once per 30-second step, and the suite signs the same administrators in many times a second.
  // Tests change grants in the database directly and expect the next request to see it: no kept principal
  // unless a test asks for it (principal-cache.test.ts).
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    TRUST_PROXY: '1',
    SESSION_SECRET: 'test-session-secret-of-at-least-32-characters',
    TOTP_REQUIRED: 'false',
    PRINCIPAL_CACHE_SECONDS: '0',
    // the same for the home page's dashboard figures (home-dashboard.test.ts checks the keeping on its own)
    DASHBOARD_KEPT_SECONDS: '0',
    // workers of the job queue (started where a test delivers mail) pick up new jobs within half a second
    JOB_POLL_SECONDS: '0.5',
    ...overrides,
  });
}

/** A real app on a private database for the current test file; torn down after it. */
export function useTestApp(overrides: Record<string, string> = {}): TestContext {
  const ctx = {} as TestContext;
  let close: () => Promise<void> = async () => {};
  beforeAll(async () => {
    ctx.database = await createTestDatabase();
    ctx.config = testConfig(overrides);
    // TEST_LOG=warn shows the app's own log of a test file (what a 500 or a pool warning was)
    ctx.deps = buildDeps(ctx.config, ctx.database.appUrl, createLogger(process.env.TEST_LOG ?? 'silent'));
    const created = createApp(ctx.deps);
    ctx.app = created.app;
    close = created.close;
    // with a mail server to deliver to (useSmtpCapture), this app's queue workers run as the server's do
    if (ctx.config.smtpUrl) await ctx.deps.jobs.start();
  });
  afterAll(async () => {
    if (ctx.config?.smtpUrl) await ctx.deps.jobs.stop();
    await close();
    await ctx.deps?.db.destroy();
    await ctx.database?.drop();
  });
  return ctx;
}
