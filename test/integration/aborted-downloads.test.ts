import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNextExportJob } from '../../src/exports/export-jobs';
import { useTestApp } from '../support/app';
import { listen, stopListening } from '../support/listen';
import { loggedInAgent, sessionCookie } from '../support/agents';
import { createMembers, createRegionTree, createUser } from '../support/factories';

// A small pool makes exhaustion quick to reach: 3 × 3 dropped downloads would hold every connection.
const POOL = 3;
// As many as a direct download allows: a file of ~3 MB, far from written when the first chunk arrives.
const MEMBERS = 20_000;
const exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reestr-aborted-'));
const ctx = useTestApp({ DB_POOL_MAX: String(POOL), EXPORT_DIR: exportDir });
const db = () => ctx.database.ownerDb;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let user: Awaited<ReturnType<typeof createUser>>;
let cookie: string;
let server: http.Server;
let base: string;

beforeAll(async () => {
  tree = await createRegionTree(db(), 25);
  for (let i = 0; i < MEMBERS; i += 5000) await createMembers(db(), tree.primary, 5000, { surname: 'Выгружаемая' }); // 8 bindings a row, 65,535 a statement
  user = await createUser(db(), [{ role: 'coordinator', org: tree.region }]);
  cookie = await sessionCookie(ctx.app, user);
  ({ server, baseUrl: base } = await listen(ctx.app));
});

afterAll(async () => {
  await stopListening(server);
  fs.rmSync(exportDir, { recursive: true, force: true });
});

/** Starts a download, reads its first chunks (64 KiB: a few hundred rows) and drops the connection, as a browser's "cancel" does. */
function dropMidway(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}${url}`, { headers: { cookie } }, (res) => {
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received < 64 * 1024) return;
        req.destroy();
        resolve(res.statusCode!);
      });
      res.once('end', () => resolve(res.statusCode!));
    });
    req.once('error', reject);
  });
}

async function timedGet(url: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const res = await fetch(`${base}${url}`, {
    headers: { cookie },
    redirect: 'manual',
    signal: AbortSignal.timeout(20_000),
  });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started };
}

async function abortedAudits(since: number) {
  return db()('audit_log')
    .where({ action: 'member.exported', actor_user_id: user.id })
    .where('id', '>', since)
    .whereRaw("new_values->>'aborted' = 'true'");
}

async function lastAuditId(): Promise<number> {
  return Number((await db()('audit_log').max('id as id').first())?.id ?? 0);
}

describe('dropped downloads', () => {
  it('when 3 × the pool size of list downloads are dropped midway, then /readyz and a page answer 200 within a second and each download is audited as aborted', async () => {
    const list = `/orgs/${tree.primary.inpo}/members`;
    expect((await timedGet(list)).status).toBe(200); // views compiled: the timing below is the pool's, not the first render's
    const since = await lastAuditId();

    const formats = Array.from({ length: 3 * POOL }, (_, i) => (i % 2 ? 'xlsx' : 'csv'));
    const statuses = await Promise.all(formats.map((f) => dropMidway(`${list}/export.${f}`)));
    expect(statuses).toEqual(formats.map(() => 200));

    const ready = await timedGet('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.ms).toBeLessThan(1000);
    const page = await timedGet(list);
    expect(page.status).toBe(200);
    expect(page.ms).toBeLessThan(1000);

    let audits = await abortedAudits(since);
    for (let i = 0; i < 50 && audits.length < formats.length; i++) {
      await new Promise((r) => setTimeout(r, 100));
      audits = await abortedAudits(since);
    }
    expect(audits).toHaveLength(formats.length);
    for (const a of audits) {
      expect(a.new_values.rows).toBeGreaterThan(0); // 64 KiB had arrived: rows had been sent
      expect(a.new_values.rows).toBeLessThan(MEMBERS);
    }
    expect(audits.map((a) => a.new_values.format).sort()).toEqual([...formats].sort());
  });

  it('when a download is read to its end, then it is audited once with every row and not as aborted', async () => {
    const since = await lastAuditId();
    const { agent } = await loggedInAgent(ctx.app, user);
    const csv = await agent.get(`/orgs/${tree.primary.inpo}/members/export.csv`).expect(200);
    expect(csv.text.trim().split('\r\n')).toHaveLength(MEMBERS + 1);
    const audits = await db()('audit_log')
      .where({ action: 'member.exported', actor_user_id: user.id })
      .where('id', '>', since);
    expect(audits).toHaveLength(1);
    expect(audits[0].new_values).toMatchObject({ format: 'csv', rows: MEMBERS });
    expect(audits[0].new_values.aborted).toBeUndefined();
  });

  it('when a background export cannot write its file, then the job fails over, its cursor is released and the app still answers', async () => {
    const { agent, csrf } = await loggedInAgent(ctx.app, user);
    const queued = await agent
      .post(`/orgs/${tree.primary.inpo}/members/export-jobs`)
      .type('form')
      .send({ _csrf: csrf, format: 'csv' })
      .expect(303);
    const id = queued.headers.location!.split('/').pop()!;
    fs.symlinkSync('/dev/full', path.join(exportDir, `${id}.csv.part`)); // a full disk: every write fails with ENOSPC

    const ran = runNextExportJob(ctx.deps.db, exportDir, ctx.deps.logger);
    const timeout = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 10_000).unref());
    expect(await Promise.race([ran, timeout])).toBe(true);
    expect(await db()('export_jobs').where({ id }).first('status', 'error')).toEqual({
      status: 'queued',
      error: 'Не удалось подготовить файл',
    });
    expect(fs.existsSync(path.join(exportDir, `${id}.csv.part`))).toBe(false);
    const ready = await timedGet('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.ms).toBeLessThan(1000);
  });
});
