import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeps, type Deps } from '../../src/deps';
import { createLogger } from '../../src/logger';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createUser, uniq, unionRoot } from '../support/factories';
import { useSmtpCapture } from '../support/smtp';

// A mail server that asks to try later once per «busy» address and refuses «nobody» for good.
const busyOnce = new Set<string>();
// the throttle has its unit test: here it must not slow the letters down
const env: Record<string, string> = {
  MAIL_RETRY_DELAY_SECONDS: '1',
  MAIL_RETRY_LIMIT: '3',
  MAIL_RATE_PER_SECOND: '100',
  MAIL_RATE_PER_DOMAIN: '100',
};
const smtp = useSmtpCapture(env, {
  refuse(address) {
    if (address.startsWith('nobody')) return 550;
    if (address.startsWith('busy') && !busyOnce.has(address)) {
      busyOnce.add(address);
      return 451;
    }
    return undefined;
  },
});
const ctx = useTestApp(env);
const db = () => ctx.database.ownerDb;
let admin: { agent: Agent; csrf: string };
let second: Deps | undefined;

beforeAll(async () => {
  admin = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'admin', org: await unionRoot(db()) }]));
});
afterAll(async () => {
  await second?.jobs.stop();
  await second?.db.destroy();
});

const letter = (to: string, subject = uniq('Письмо ')) => ({ to, subject, text: `Текст для ${to}` });
const received = (subject: string) => smtp.messages.filter((m) => m.subject === subject).length;
async function settled(id: number, status: string) {
  await expect
    .poll(async () => (await db()('mail_outbox').where({ id }).first()).status, { timeout: 10_000 })
    .toBe(status);
  return db()('mail_outbox').where({ id }).first();
}

describe('the mail queue', () => {
  it('when a letter is queued, then the worker sends it once and forgets its text; a 4xx is retried, a 5xx fails with the reason', async () => {
    const ok = letter(`${uniq('ok')}@example.ru`);
    const busy = letter(`${uniq('busy')}@example.ru`);
    const nobody = letter(`${uniq('nobody')}@example.ru`);
    const [okId, busyId, nobodyId] = [
      await ctx.deps.mail.send(ok),
      await ctx.deps.mail.send(busy),
      await ctx.deps.mail.send(nobody),
    ];

    expect(await settled(okId, 'sent')).toMatchObject({ body: null, attempts: 1, error: null });
    const retried = await settled(busyId, 'sent');
    expect(retried.attempts).toBe(2); // refused once with 451, accepted on the retry
    const failed = await settled(nobodyId, 'failed');
    expect(failed.attempts).toBe(1); // 550 is final: no retry
    expect(failed.error).toContain('550');
    expect([received(ok.subject), received(busy.subject), received(nobody.subject)]).toEqual([1, 1, 0]);

    // the dead letters on the administrator's page, with the button that sends one again
    const page = await admin.agent.get('/admin/mail?status=undelivered').expect(200);
    expect(page.text).toContain(nobody.to);
    expect(page.text).not.toContain(ok.to);
    const shown = await admin.agent.get(`/admin/mail/${nobodyId}`).expect(200);
    expect(shown.text).toContain('не доставлено');
    expect(shown.text).not.toContain(nobody.text); // the text (one-time links) is not shown for a letter meant for someone
    await admin.agent.post(`/admin/mail/${nobodyId}/resend`).type('form').send({ _csrf: admin.csrf }).expect(303);
    expect((await settled(nobodyId, 'failed')).attempts).toBe(2);
    // a sent letter is not sent again
    await admin.agent.post(`/admin/mail/${okId}/resend`).type('form').send({ _csrf: admin.csrf }).expect(303);
    expect((await db()('mail_outbox').where({ id: okId }).first()).status).toBe('sent');
    expect(received(ok.subject)).toBe(1);
  });

  it('when two app instances work the same queue, then each letter is sent exactly once', async () => {
    second = buildDeps(ctx.config, ctx.database.appUrl, createLogger('silent'));
    await second.jobs.start();
    const letters = Array.from({ length: 12 }, (_, i) => letter(`${uniq(`pair${i}`)}@example${i % 3}.ru`));
    const ids = await Promise.all(letters.map((l, i) => (i % 2 ? second! : ctx.deps).mail.send(l)));
    await expect
      .poll(async () => (await db()('mail_outbox').whereIn('id', ids).where({ status: 'sent' })).length, {
        timeout: 15_000,
      })
      .toBe(letters.length);
    await new Promise((resolve) => setTimeout(resolve, 600)); // a poll of both workers: nothing more arrives
    expect(letters.map((l) => received(l.subject))).toEqual(letters.map(() => 1));
  });
});
