import pino from 'pino';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { createJobQueue } from '../../src/jobs/job-queue';
import { createMailService } from '../../src/mail/mail.service';
import { createLogger } from '../../src/logger';
import { useTestApp } from '../support/app';
import { anonymousAgent, loggedInAgent } from '../support/agents';
import { createRegionTree, createUser, uniq, unionRoot } from '../support/factories';

// No SMTP_URL: the development setup of `npm start`.
const ctx = useTestApp();

describe('mail without a mail server', () => {
  it('when an invitation is sent, then it is kept in the outbox, the federal admin reads its link there and the link works', async () => {
    const db = ctx.database.ownerDb;
    const tree = await createRegionTree(db, 77);
    const admin = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'admin', org: await unionRoot(db) }]));
    const email = `${uniq('kept')}@example.ru`;
    await admin.agent
      .post('/admin/users')
      .type('form')
      .send({
        _csrf: admin.csrf,
        fullName: 'Орлова Нина Павловна',
        username: uniq('orlova-'),
        email,
        role: 'chair',
        inpo: tree.primary.inpo,
      })
      .expect(303);

    const list = await admin.agent.get(`/admin/mail?to=${encodeURIComponent(email)}`).expect(200);
    expect(list.text).toContain('Почтовый сервер не настроен');
    const id = /href="\/admin\/mail\/(\d+)"/.exec(list.text)![1];
    const message = await admin.agent.get(`/admin/mail/${id}`).expect(200);
    const link = /https?:\/\/[^\s<]+\/invite\/[A-Za-z0-9_-]+/.exec(message.text)![0];
    await (await anonymousAgent(ctx.app)).agent.get(new URL(link).pathname).expect(200);

    // the letters open anyone's account: nobody but the federal administrator reads them
    const coordinator = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'coordinator', org: tree.region }]));
    await coordinator.agent.get('/admin/mail').expect(404);
    await coordinator.agent.get(`/admin/mail/${id}`).expect(404);
  });

  it('when the mail server cannot be reached, then the letter fails after its last attempt with the reason, and its page does not show the text', async () => {
    const logger = createLogger('silent');
    const jobs = createJobQueue(ctx.deps.db, { pollSeconds: 2, maintenanceSeconds: 60, logger });
    const mail = createMailService(ctx.deps.db, jobs, {
      smtpUrl: 'smtp://127.0.0.1:1',
      from: 'test@example.ru',
      publicUrl: 'http://127.0.0.1',
      logger,
      rate: { perSecond: 100, perDomain: 100 },
      retry: { limit: 0, delaySeconds: 1 },
      sendTimeoutSeconds: 60,
    });
    const to = `${uniq('down')}@example.ru`;
    const id = await mail.send({ to, subject: 'Тема', text: 'одноразовая-ссылка' });
    expect(await ctx.database.ownerDb('mail_outbox').where({ id }).first()).toMatchObject({ status: 'queued' });
    expect(await jobs.runOnce('mail')).toBe(true);
    const row = await ctx.database.ownerDb('mail_outbox').where({ id }).first();
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row.error).toBeTruthy();
    const db = ctx.database.ownerDb;
    const admin = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'admin', org: await unionRoot(db) }]));
    const page = await admin.agent.get(`/admin/mail/${id}`).expect(200);
    expect(page.text).toContain('не доставлено');
    expect(page.text).not.toContain('одноразовая-ссылка');
  });
});

describe('links in the request log', () => {
  it('when an invitation or reset link is opened, then the log names the page but not the token', async () => {
    const lines: string[] = [];
    const { app, close } = createApp({
      ...ctx.deps,
      logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }),
    });
    await request(app).get('/invite/secret-token-of-someone').expect(410);
    await request(app).get('/reset-password/another-secret-token').expect(410);
    await close();
    const log = lines.join('\n');
    expect(log).toContain('/invite/');
    expect(log).not.toContain('secret-token-of-someone');
    expect(log).not.toContain('another-secret-token');
  });
});
