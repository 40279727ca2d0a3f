import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requeueAbandonedJobs, runExportJob, runNextExportJob } from '../../src/exports/export-jobs';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createRegionTree, createUser } from '../support/factories';
import { binaryParser, readSheet } from '../support/xlsx';

// like the default `.data/exports`: a directory whose path has a dot segment (send refuses those unless told)
const exportDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'reestr-exports-')), '.data', 'exports');
const ctx = useTestApp({ EXPORT_DIR: exportDir });
const db = () => ctx.database.ownerDb;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let coordinator: { agent: Agent; csrf: string };

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  await createMembers(db(), tree.primary, 2500, { surname: 'Выгружаемая' });
  await createMembers(db(), tree.primary, 10, { surname: 'Студентка', category: 'student' });
  coordinator = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: tree.region }]));
});

describe('background exports', () => {
  it('when a big list is queued, then a worker writes the file, the requester sees progress and downloads it; nobody else can', async () => {
    const queued = await coordinator.agent
      .post(`/orgs/${tree.region.inpo}/members/export-jobs`)
      .type('form')
      .send({ _csrf: coordinator.csrf, format: 'xlsx', category: 'working', status: 'active' });
    expect(queued.status).toBe(303);
    const jobUrl = queued.headers.location!;
    const waiting = await coordinator.agent.get(jobUrl).expect(200);
    expect(waiting.text).toContain('Выгрузка в очереди');
    expect(waiting.text).toContain('http-equiv="refresh"');

    expect(await runNextExportJob(ctx.deps.db, exportDir, ctx.deps.logger)).toBe(true);
    expect(await runNextExportJob(ctx.deps.db, exportDir, ctx.deps.logger)).toBe(false);
    expect(fs.readdirSync(exportDir).filter((f) => f.endsWith('.part'))).toEqual([]);

    const ready = await coordinator.agent.get(jobUrl).expect(200);
    expect(ready.text).toContain('Файл готов: 2');
    const file = await coordinator.agent.get(`${jobUrl}/download`).buffer(true).parse(binaryParser).expect(200);
    const [, ...rows] = await readSheet(file.body);
    expect(rows).toHaveLength(2500);
    expect(rows.every((r) => r[1] === 'Выгружаемая')).toBe(true);

    const stranger = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: tree.region }]));
    expect((await stranger.agent.get(jobUrl)).status).toBe(404);
    expect((await stranger.agent.get(`${jobUrl}/download`)).status).toBe(404);
    const [audit] = await db()('audit_log').where({ action: 'member.exported' }).orderBy('id', 'desc');
    expect(audit.new_values).toMatchObject({ rows: 2500, background: true, filter: { category: 'working' } });
  });

  it('when a worker died mid-job, then the job returns to the queue and no half-written file is visible', async () => {
    const queued = await coordinator.agent
      .post(`/orgs/${tree.region.inpo}/members/export-jobs`)
      .type('form')
      .send({ _csrf: coordinator.csrf, format: 'csv' });
    const id = queued.headers.location!.split('/').pop()!;
    await db()('export_jobs')
      .where({ id })
      .update({ status: 'running', started_at: db().raw("now() - interval '1 hour'") });
    fs.writeFileSync(path.join(exportDir, `${id}.csv.part`), 'half');
    expect((await coordinator.agent.get(`/exports/${id}/download`)).status).toBe(404);
    expect(await requeueAbandonedJobs(ctx.deps.db, exportDir)).toBe(1);
    expect(fs.existsSync(path.join(exportDir, `${id}.csv.part`))).toBe(false);
    expect(await runNextExportJob(ctx.deps.db, exportDir, ctx.deps.logger)).toBe(true);
    const csv = await coordinator.agent.get(`/exports/${id}/download`).expect(200);
    expect(csv.text.trim().split('\r\n')).toHaveLength(2511);
  });

  it('when the requester cannot be told the file is ready, then the job is neither done nor audited, and its retry does all three', async () => {
    // a fault in the database itself: the notification of a finished export is refused once
    await db().raw(`CREATE FUNCTION refuse_export_notice() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN RAISE EXCEPTION 'notification refused by the test'; END $$`);
    await db().raw(`CREATE TRIGGER refuse_export_notice BEFORE INSERT ON notifications FOR EACH ROW
      WHEN (NEW.kind = 'export_finished') EXECUTE FUNCTION refuse_export_notice()`);
    const queued = await coordinator.agent
      .post(`/orgs/${tree.region.inpo}/members/export-jobs`)
      .type('form')
      .send({ _csrf: coordinator.csrf, format: 'csv', category: 'student' });
    const id = queued.headers.location!.split('/').pop()!;
    const job = { data: { exportJobId: id }, retryCount: 0, retryLimit: 2 } as Parameters<typeof runExportJob>[3];
    const run = () => runExportJob(ctx.deps.db, exportDir, ctx.deps.logger, job, ctx.deps.notifications);
    const audits = () => db()('audit_log').where({ action: 'member.exported', request_id: `export-job:${id}` });
    const notices = () => db()('notifications').where({ kind: 'export_finished', link: `/exports/${id}` });
    try {
      await expect(run()).rejects.toThrow(/notification refused/);
    } finally {
      await db().raw('DROP TRIGGER refuse_export_notice ON notifications');
      await db().raw('DROP FUNCTION refuse_export_notice()');
    }
    expect((await db()('export_jobs').where({ id }).first()).status).toBe('queued');
    expect(await audits()).toEqual([]);
    await run();
    expect((await db()('export_jobs').where({ id }).first()).status).toBe('done');
    expect(await audits()).toHaveLength(1);
    expect(await notices()).toHaveLength(1);
  });

  it('when a user already has three exports waiting, then a fourth is refused', async () => {
    const user = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: tree.region }]));
    for (let i = 0; i < 3; i++) {
      expect(
        (
          await user.agent
            .post(`/orgs/${tree.primary.inpo}/members/export-jobs`)
            .type('form')
            .send({ _csrf: user.csrf })
        ).status,
      ).toBe(303);
    }
    const fourth = await user.agent
      .post(`/orgs/${tree.primary.inpo}/members/export-jobs`)
      .type('form')
      .send({ _csrf: user.csrf });
    expect(fourth.status).toBe(409);
    expect(fourth.text).toContain('уже готовятся 3 выгрузки');
  });
});
