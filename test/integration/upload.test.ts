import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express, { type ErrorRequestHandler } from 'express';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteStaleUploads, uploadFile } from '../../src/imports/upload';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reestr-upload-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The file removal runs after the response has gone: wait a little for the folder to empty. */
async function leftInDir(): Promise<string[]> {
  for (let i = 0; i < 50 && fs.readdirSync(dir).length; i++) await new Promise((r) => setTimeout(r, 20));
  return fs.readdirSync(dir);
}

const app = express();
const seen: string[] = [];
app.post('/read', uploadFile(dir, 1024 * 1024), (req, res) => {
  seen.push(req.file!.path);
  res.json({ onDisk: fs.existsSync(req.file!.path), text: fs.readFileSync(req.file!.path, 'utf8') });
});
app.post('/fail', uploadFile(dir, 1024 * 1024), () => {
  throw new Error('the import broke');
});
app.use(((err, _req, res, _next) =>
  res
    .status((err as { status?: number }).status ?? 500)
    .json({ error: (err as Error).message })) as ErrorRequestHandler);

describe('an uploaded file', () => {
  it('when the request is served, then the file was on disk in the upload folder during it and is gone after it', async () => {
    const res = await request(app)
      .post('/read')
      .attach('file', Buffer.from('Фамилия;Имя\n'), 'members.csv')
      .expect(200);
    expect(res.body).toEqual({ onDisk: true, text: 'Фамилия;Имя\n' });
    expect(path.dirname(seen[0]!)).toBe(dir);
    expect(await leftInDir()).toEqual([]);
  });

  it('when the handler fails, then the file is removed all the same', async () => {
    await request(app).post('/fail').attach('file', Buffer.from('x'), 'members.csv').expect(500);
    expect(await leftInDir()).toEqual([]);
  });

  it('when the file is over the limit, then it is refused and no part of it stays', async () => {
    const res = await request(app)
      .post('/read')
      .attach('file', Buffer.alloc(1024 * 1024 + 1, 0x41), 'members.csv');
    expect(res.status).toBe(422);
    expect(await leftInDir()).toEqual([]);
  });

  it('when a process died mid-request, then the housekeeping removes its day-old upload and nothing else', async () => {
    const old = path.join(dir, 'a'.repeat(32));
    const fresh = path.join(dir, 'b'.repeat(32));
    const foreign = path.join(dir, 'notes.txt');
    for (const file of [old, fresh, foreign]) fs.writeFileSync(file, 'x');
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    fs.utimesSync(old, twoDaysAgo, twoDaysAgo);
    fs.utimesSync(foreign, twoDaysAgo, twoDaysAgo);
    expect(await deleteStaleUploads(dir)).toBe(1);
    expect(fs.readdirSync(dir).sort()).toEqual([fresh, foreign].map((f) => path.basename(f)).sort());
    expect(await deleteStaleUploads(path.join(dir, 'missing'))).toBe(0);
  });
});
