import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { APP_ROOT } from '../../src/app-paths';
import { buildDeps, type Deps } from '../../src/deps';
import { createLogger } from '../../src/logger';
import { testConfig, useTestApp } from '../support/app';
import { collectOutput, waitForOutput } from '../support/child-output';
import { uniq } from '../support/factories';
import { useSmtpCapture } from '../support/smtp';

// The app of this file runs no workers (no SMTP_URL): each test starts the instances it is about.
const ctx = useTestApp();
const db = () => ctx.database.ownerDb;
const instances: Deps[] = [];
afterAll(async () => {
  for (const deps of instances) {
    await deps.jobs.stop();
    await deps.db.destroy();
  }
});

/** One more app instance on the test database, with its own pool; its queue workers run once started. */
function instance(env: Record<string, string>): Deps {
  const deps = buildDeps(testConfig(env), ctx.database.appUrl, createLogger('silent'));
  instances.push(deps);
  return deps;
}
async function startInstance(env: Record<string, string>): Promise<Deps> {
  const deps = instance(env);
  await deps.jobs.start();
  return deps;
}

const smtpEnv: Record<string, string> = {};
// the first letter is received but never acknowledged: its sender is killed while it waits for the reply
const smtp = useSmtpCapture(smtpEnv, { hold: (mail) => mail.subject?.startsWith('Прерванное') ?? false });

describe('the job queue with two instances', () => {
  it('when both run the hourly schedule, then each tick runs the housekeeping once', async () => {
    // every minute, so that the test's own minute is a tick; both instances start together
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reestr-housekeeping-'));
    const env = { HOUSEKEEPING_CRON: '* * * * *', EXPORT_DIR: `${dir}/exports`, UPLOAD_DIR: `${dir}/uploads` };
    await Promise.all([startInstance(env), startInstance(env)]);
    const runs = () => db()('pgboss.job').where({ name: 'housekeeping' }).select('state');
    await expect.poll(async () => (await runs()).map((r) => r.state), { timeout: 15_000 }).toEqual(['completed']);
    // both instances' workers poll twice a second and their timekeepers had their look: still one run
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await runs()).map((r) => r.state)).toEqual(['completed']);
  });
});

describe('a letter whose sender is killed mid-send', () => {
  it('when the app is killed while the mail server has the letter and another instance takes over, then the letter is not sent again and the rest of the queue goes out once', async () => {
    const env = {
      ...smtpEnv,
      JOB_POLL_SECONDS: '0.5',
      JOB_MAINTENANCE_SECONDS: '1',
      MAIL_SEND_TIMEOUT_SECONDS: '2',
      MAIL_RETRY_DELAY_SECONDS: '1',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/queue-worker.ts'], {
      cwd: APP_ROOT,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        APP_DATABASE_URL: ctx.database.appUrl,
        ...env,
      },
    });
    try {
      const output = collectOutput(child);
      await waitForOutput(output, /queue worker ready/, 60_000);
      const cut = { to: `${uniq('cut')}@example.ru`, subject: uniq('Прерванное '), text: 'Первое' };
      const next = { to: `${uniq('next')}@example.ru`, subject: uniq('Следующее '), text: 'Второе' };
      // queued by an instance that runs no workers (a web process), sent by the child's worker
      const web = instance(env);
      const cutId = await web.mail.send(cut);
      const nextId = await web.mail.send(next);
      await expect
        .poll(() => smtp.messages.filter((m) => m.subject === cut.subject).length, { timeout: 15_000 })
        .toBe(1);
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      expect((await db()('mail_outbox').where({ id: cutId }).first()).status).toBe('sending');

      // the restarted app: the dead worker's job expires and is retried here
      await startInstance(env);
      await expect
        .poll(async () => (await db()('mail_outbox').where({ id: cutId }).first()).status, { timeout: 20_000 })
        .toBe('uncertain');
      await expect
        .poll(async () => (await db()('mail_outbox').where({ id: nextId }).first()).status, { timeout: 10_000 })
        .toBe('sent');
      expect(smtp.messages.filter((m) => m.subject === cut.subject)).toHaveLength(1);
      expect(smtp.messages.filter((m) => m.subject === next.subject)).toHaveLength(1);
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});
