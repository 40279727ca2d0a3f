import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express, { type ErrorRequestHandler } from 'express';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { uploadFile } from '../../src/imports/upload';

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
app.use(((err, _req, res, _next) => res.status((err as { status?: number }).status ?? 500).json({ error: (err as Error).message })) as ErrorRequestHandler);

describe('an uploaded file', () => {
  it('when the request is served, then the file was on disk in the upload folder during it and is gone after it', async () => {
    const res = await request(app).post('/read').attach('file', Buffer.from('Фамилия;Имя\n'), 'members.csv').expect(200);
    expect(res.body).toEqual({ onDisk: true, text: 'Фамилия;Имя\n' });
    expect(path.dirname(seen[0]!)).toBe(dir);
    expect(await leftInDir()).toEqual([]);
  });

  it('when the handler fails, then the file is removed all the same', async () => {
    await request(app).post('/fail').attach('file', Buffer.from('x'), 'members.csv').expect(500);
    expect(await leftInDir()).toEqual([]);
  });

  it('when the file is over the limit, then it is refused and no part of it stays', async () => {
    const res = await request(app).post('/read').attach('file', Buffer.alloc(1024 * 1024 + 1, 0x41), 'members.csv');
    expect(res.status).toBe(422);
    expect(await leftInDir()).toEqual([]);
  });
});
