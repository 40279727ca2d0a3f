// A declared campaign is announced (issue 21 item 2): after the declaration commits, a job of the `campaign`
// queue tells the chair and coordinators of every organization in scope — by their channel for
// `campaign_declared` — of their task's link and deadline, in batches of tasks, and never twice: neither a second
// run of the job nor a walk in other batches tells anyone again or sends another letter.
import { beforeAll, describe, expect, it } from 'vitest';
import { announceCampaign } from '../../src/campaigns/campaign-announcements';
import { createJobQueue } from '../../src/jobs/job-queue';
import { createLogger } from '../../src/logger';
import { createMailService } from '../../src/mail/mail.service';
import { createNotificationsService } from '../../src/notifications/notifications.service';
import type { OrgRow } from '../../src/registry/org-row';
import { todayIso } from '../../src/shared/dates';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createOrg, createRegionTree, createUser } from '../support/factories';

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;

const TODAY = todayIso();
const inDays = (days: number) =>
  new Date(Date.parse(`${TODAY}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const ddmmyyyy = (iso: string) => iso.split('-').reverse().join('.');
const PRIMARY_DEADLINE = inDays(10);
const TERRITORIAL_DEADLINE = inDays(20);

let tree: Awaited<ReturnType<typeof createRegionTree>>;
/** In scope: the territory and the ППО A, B, C (under it) and D (under a second territory, not in scope itself). */
let org: Record<'T' | 'A' | 'B' | 'C' | 'D' | 'gone', OrgRow>;
let users: Record<'chairA' | 'chairB' | 'chairC' | 'coordT' | 'multi', number>;
let coordinator: { agent: Agent; csrf: string };

async function declare(name: string): Promise<number> {
  const res = await coordinator.agent
    .post(`/orgs/${tree.region.inpo}/campaigns`)
    .type('form')
    .send({
      _csrf: coordinator.csrf,
      name,
      startsOn: inDays(-5),
      endsOn: inDays(60),
      levels: ['primary', 'territorial'],
      deadline_primary: PRIMARY_DEADLINE,
      deadline_territorial: TERRITORIAL_DEADLINE,
    });
  expect(res.status).toBe(303);
  return Number(/campaigns\/(\d+)$/.exec(res.headers.location!)![1]);
}

/** The campaign's notifications as [user, organization's ИНПО in the link, title], and its letters' addresses. */
async function toldOf(campaignId: number) {
  const rows = await db()('notifications')
    .where({ kind: 'campaign_declared' })
    .whereLike('dedupe_key', `campaign_declared:${campaignId}:%`)
    .orderBy(['user_id', 'link'])
    .select('user_id', 'link', 'title');
  const letters = await db()('mail_outbox')
    .whereLike('body', `%/campaigns/${campaignId}/task%`)
    .orderBy('to_address')
    .select('to_address', 'subject', 'body');
  return { rows, letters };
}

beforeAll(async () => {
  tree = await createRegionTree(db(), 43);
  const T = tree.territory;
  const second = await createOrg(db(), tree.region, 'territorial');
  org = {
    T,
    A: tree.primary,
    B: await createOrg(db(), T, 'primary'),
    C: await createOrg(db(), T, 'primary'),
    D: await createOrg(db(), second, 'primary'),
    gone: await createOrg(db(), T, 'primary'),
  };
  await db()('organizations').where({ id: org.gone.id }).update({ liquidated_on: '2025-01-01' });
  const user = async (grants: { role: 'chair' | 'coordinator' | 'statistician'; org: OrgRow }[]) =>
    (await createUser(db(), grants)).id;
  users = {
    chairA: await user([{ role: 'chair', org: org.A }]),
    chairB: await user([{ role: 'chair', org: org.B }]),
    chairC: await user([{ role: 'chair', org: org.C }]),
    coordT: await user([{ role: 'coordinator', org: org.T }]),
    // two roles on D (told once for it) and a coordinator's on B: one notification per task
    multi: await user([
      { role: 'chair', org: org.D },
      { role: 'coordinator', org: org.D },
      { role: 'coordinator', org: org.B },
    ]),
  };
  await db()('users').where({ id: users.chairA }).update({ email: 'chair-a@example.ru' });
  await db()('users').where({ id: users.chairB }).update({ email: 'chair-b@example.ru' });
  await db()('users').where({ id: users.coordT }).update({ email: 'coord-t@example.ru' });
  // the chair of B wants the list only, the chair of C nothing
  await db()('notification_preferences').insert([
    { user_id: users.chairB, kind: 'campaign_declared', channel: 'app' },
    { user_id: users.chairC, kind: 'campaign_declared', channel: 'none' },
  ]);
  // told nothing: a blocked chair, an expired grant, a statistician, the chair of a liquidated ППО, the region's coordinator
  const blocked = await user([{ role: 'chair', org: org.A }]);
  await db()('users').where({ id: blocked }).update({ blocked_at: new Date(), email: 'blocked@example.ru' });
  const expired = await user([{ role: 'chair', org: org.B }]);
  await db()('role_grants')
    .where({ user_id: expired })
    .update({ valid_until: inDays(-1) });
  await user([{ role: 'statistician', org: org.A }]);
  await user([{ role: 'chair', org: org.gone }]);
  coordinator = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: tree.region }]));
});

/** Five notifications (A, B twice, T, D) and two letters (the default channel, with an address). */
function expectAnnounced(campaignId: number, told: Awaited<ReturnType<typeof toldOf>>, name: string) {
  const task = (o: OrgRow) => `/orgs/${o.inpo}/campaigns/${campaignId}/task`;
  const primaryTitle = `Отчёты и выборы «${name}»: срок — ${ddmmyyyy(PRIMARY_DEADLINE)}`;
  const territorialTitle = `Отчёты и выборы «${name}»: срок — ${ddmmyyyy(TERRITORIAL_DEADLINE)}`;
  const expected = [
    [users.chairA, task(org.A), primaryTitle],
    [users.chairB, task(org.B), primaryTitle],
    [users.coordT, task(org.T), territorialTitle],
    ...[
      [users.multi, task(org.B), primaryTitle],
      [users.multi, task(org.D), primaryTitle],
    ].sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
  ];
  expect(told.rows.map((r) => [r.user_id, r.link, r.title])).toEqual(expected);
  expect(told.letters.map((l) => l.to_address)).toEqual(['chair-a@example.ru', 'coord-t@example.ru']);
  expect(told.letters[0]!.subject).toBe(`Реестр Профсоюза: ${primaryTitle}`);
  expect(told.letters[0]!.body).toContain(`${ctx.config.publicUrl}${task(org.A)}`);
  expect(told.letters[1]!.body).toContain(`${ctx.config.publicUrl}${task(org.T)}`);
}

describe('announcing a declared campaign', () => {
  it('when a campaign is declared, then its job tells each holder of a task once, by their channel, and a second run tells no one', async () => {
    const campaignId = await declare('Отчёты и выборы 2026');
    const queued = await db()('pgboss.job').where({ name: 'campaign' }).select('data');
    expect(queued.map((j) => j.data)).toEqual([{ campaignId }]);
    // nothing is told before the job runs: the declaration's request only queues it
    expect((await toldOf(campaignId)).rows).toEqual([]);

    expect(await ctx.deps.jobs.runOnce('campaign')).toBe(true);
    const told = await toldOf(campaignId);
    expectAnnounced(campaignId, told, 'Отчёты и выборы 2026');

    // the same announcement again, in batches of two tasks: no row, no letter more
    expect(await announceCampaign(ctx.deps.db, ctx.deps.notifications, campaignId, 2)).toBe(0);
    expect(await toldOf(campaignId)).toEqual(told);
  });

  it('when the tasks are told in batches smaller than the campaign, then every holder is told exactly as in one batch, and the job after it tells no one', async () => {
    const campaignId = await declare('Отчёты и выборы 2027');
    // five tasks in batches of two: three transactions
    expect(await announceCampaign(ctx.deps.db, ctx.deps.notifications, campaignId, 2)).toBe(5);
    const told = await toldOf(campaignId);
    expectAnnounced(campaignId, told, 'Отчёты и выборы 2027');
    expect(await ctx.deps.jobs.runOnce('campaign')).toBe(true);
    expect(await toldOf(campaignId)).toEqual(told);
    expect(await ctx.deps.jobs.runOnce('campaign')).toBe(false);
  });

  it('when a mail server is configured, then each letter of a batch is queued with its own job of the mail queue', async () => {
    const campaignId = await declare('Отчёты и выборы 2028');
    const logger = createLogger('silent');
    const jobs = createJobQueue(ctx.deps.db, { pollSeconds: 2, maintenanceSeconds: 60, logger });
    const mail = createMailService(ctx.deps.db, jobs, {
      smtpUrl: 'smtp://127.0.0.1:1',
      from: 'test@example.ru',
      publicUrl: ctx.config.publicUrl,
      logger,
      rate: { perSecond: 100, perDomain: 100 },
      retry: { limit: 0, delaySeconds: 1 },
      sendTimeoutSeconds: 60,
    });
    const notifications = createNotificationsService(ctx.deps.db, mail, { publicUrl: ctx.config.publicUrl });
    expect(await announceCampaign(ctx.deps.db, notifications, campaignId)).toBe(5);
    const letters = await db()('mail_outbox')
      .whereLike('body', `%/campaigns/${campaignId}/task%`)
      .orderBy('id')
      .select('id', 'status');
    expect(letters.map((l) => l.status)).toEqual(['queued', 'queued']);
    const mailJobs = await db()('pgboss.job').where({ name: 'mail' }).pluck('data');
    expect(mailJobs.filter((d) => letters.some((l) => l.id === d.messageId))).toHaveLength(2);
    // the jobs are the mail worker's own: each takes its letter (here to a server that is not there)
    expect(await jobs.runOnce('mail')).toBe(true);
    expect(await jobs.runOnce('mail')).toBe(true);
    expect(
      (
        await db()('mail_outbox')
          .whereIn(
            'id',
            letters.map((l) => l.id),
          )
          .pluck('status')
      ).sort(),
    ).toEqual(['failed', 'failed']);
  });
});
