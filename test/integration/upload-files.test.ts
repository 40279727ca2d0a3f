import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { runNextExportJob } from '../../src/exports/export-jobs';
import { uploadFile } from '../../src/imports/upload';
import { prepareFileFolders } from '../../src/ops/file-folders';
import { ensurePrivateDir } from '../../src/shared/private-files';
import { useTestApp } from '../support/app';
import { createMembers, createRegionTree, createUser } from '../support/factories';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'reestr-files-'));
// like the defaults: folders under .data that do not exist yet
const uploadDir = path.join(root, 'app', '.data', 'uploads');
const exportDir = path.join(root, 'app', '.data', 'exports');
const ctx = useTestApp({ UPLOAD_DIR: uploadDir, EXPORT_DIR: exportDir });
const db = () => ctx.database.ownerDb;
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let userId: number;

beforeAll(async () => {
  tree = await createRegionTree(db(), 27);
  await createMembers(db(), tree.primary, 5);
  userId = (await createUser(db(), [{ role: 'coordinator', org: tree.region }])).id;
});

const modeOf = (file: string) => fs.statSync(file).mode & 0o7777;
const UPLOAD_NAME = 'a'.repeat(32);

async function queueJob(status: 'queued' | 'running' | 'done' | 'failed'): Promise<string> {
  const [row] = await db()('export_jobs')
    .insert({ user_id: userId, organization_id: tree.primary.id, format: 'csv', filter: '{}', rows_total: 5, status })
    .returning('id');
  return row.id;
}

describe('files of uploads and exports', () => {
  it('when nothing is configured, then uploads wait in the app folder beside the exports, not in the shared temp folder', () => {
    const config = loadConfig({});
    expect(config.uploadDir).toBe('.data/uploads');
    expect(config.exportDir).toBe('.data/exports');
  });

  it('when a file is uploaded, then it is written 0600 in a folder of the app created 0700', async () => {
    const app = express();
    app.post('/read', uploadFile(uploadDir), (req, res) => {
      res.json({ file: modeOf(req.file!.path), dir: modeOf(path.dirname(req.file!.path)) });
    });
    const res = await request(app)
      .post('/read')
      .attach('file', Buffer.from('Фамилия;Имя\n'), 'members.csv')
      .expect(200);
    expect(res.body).toEqual({ file: 0o600, dir: 0o700 });
  });

  it('when a background export is written, then its file is 0600 in a folder created 0700', async () => {
    const id = await queueJob('queued');
    await ctx.deps.jobs.send(ctx.deps.db, 'export', { exportJobId: id }); // the job queue drives the run
    while (await runNextExportJob(ctx.deps.db, exportDir, ctx.deps.logger)) {
      // run the queue dry
    }
    expect(modeOf(exportDir)).toBe(0o700);
    expect(modeOf(path.join(exportDir, `${id}.csv`))).toBe(0o600);
  });

  it('when the app folder exists open to others, then it is made private; a shared temp folder is refused', () => {
    const open = path.join(root, 'open');
    fs.mkdirSync(open, { mode: 0o755 });
    fs.chmodSync(open, 0o755);
    ensurePrivateDir(open, 'UPLOAD_DIR');
    expect(modeOf(open)).toBe(0o700);

    const shared = path.join(root, 'shared');
    fs.mkdirSync(shared);
    fs.chmodSync(shared, 0o1777);
    expect(() => ensurePrivateDir(shared, 'UPLOAD_DIR')).toThrow(/^UPLOAD_DIR: .*shared/);
    expect(modeOf(shared)).toBe(0o1777);
  });

  it('when the app starts after a crash, then every upload left behind and the .part files of jobs not running are removed, and nothing else', async () => {
    fs.mkdirSync(uploadDir, { recursive: true });
    fs.mkdirSync(exportDir, { recursive: true });
    fs.writeFileSync(path.join(uploadDir, UPLOAD_NAME), 'a request that never ended, a minute ago');
    fs.writeFileSync(path.join(uploadDir, 'notes.txt'), 'not an upload');
    const [queued, failed, running, done] = (await Promise.all(
      (['queued', 'failed', 'running', 'done'] as const).map(queueJob),
    )) as [string, string, string, string];
    for (const id of [queued, failed, running]) fs.writeFileSync(path.join(exportDir, `${id}.csv.part`), 'half');
    fs.writeFileSync(path.join(exportDir, `${done}.csv`), 'whole');
    fs.chmodSync(exportDir, 0o755);

    await prepareFileFolders(ctx.deps.db, ctx.config, ctx.deps.logger);

    expect(fs.readdirSync(uploadDir)).toEqual(['notes.txt']);
    expect(
      fs
        .readdirSync(exportDir)
        .filter((f) => [queued, failed, running, done].some((id) => f.startsWith(id)))
        .sort(),
    ).toEqual([`${done}.csv`, `${running}.csv.part`].sort());
    expect(modeOf(uploadDir)).toBe(0o700);
    expect(modeOf(exportDir)).toBe(0o700);
  });
});
