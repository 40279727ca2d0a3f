import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMBER_COLUMNS } from '../../src/members/import/member-sheet';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createRegionTree, createUser } from '../support/factories';
import { buildWorkbook } from '../support/xlsx';

const uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reestr-bomb-uploads-'));
const ctx = useTestApp({ UPLOAD_DIR: uploadDir });
afterAll(() => fs.rmSync(uploadDir, { recursive: true, force: true }));
const db = () => ctx.database.ownerDb;
const MB = 1024 * 1024;
const HEADERS = MEMBER_COLUMNS.map((c) => c.header); // all of them: a file without the required ones is not read past its first line
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let coordinator: { agent: Agent; csrf: string };
let bomb: Buffer;

/**
 * An .xlsx whose sheet has one inline-string cell of `cellBytes` letters. The letters repeat a pseudo-random
 * block of 1,500: deflate then packs 190 MiB into ~1.5 MB, a ratio of ~130. The file passes every check of
 * the zip's central directory (ratio under 200, the entry under 200 MiB, the whole under 300 MiB), so only the
 * bounds applied while unpacking can stop it. Streamed into jszip, never held whole.
 */
async function cellBomb(cellBytes: number): Promise<Buffer> {
  let seed = 7;
  const block = Buffer.from(
    Array.from({ length: 1500 }, () => 65 + ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 26)),
  );
  const chunk = Buffer.alloc(block.length * 40);
  for (let i = 0; i < chunk.length; i += block.length) block.copy(chunk, i);
  async function* sheet() {
    yield Buffer.from(
      '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>',
    );
    for (let sent = 0; sent < cellBytes; sent += chunk.length)
      yield chunk.subarray(0, Math.min(chunk.length, cellBytes - sent));
    yield Buffer.from('</t></is></c></row></sheetData></worksheet>');
  }
  const zip = new JSZip();
  zip.file(
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
  );
  zip.file('xl/worksheets/sheet1.xml', Readable.from(sheet()));
  const parts: Buffer[] = [];
  await new Promise((resolve, reject) => {
    zip
      .generateNodeStream({ compression: 'DEFLATE', compressionOptions: { level: 1 }, streamFiles: true })
      .on('data', (part: Buffer) => parts.push(part))
      .on('end', resolve)
      .on('error', reject);
  });
  return Buffer.concat(parts);
}

function upload(file: Buffer, name: string) {
  return coordinator.agent
    .post(`/orgs/${tree.territory.inpo}/members/import?_csrf=${encodeURIComponent(coordinator.csrf)}`)
    .field('mode', 'check')
    .attach('file', file, name);
}

/** The highest resident set size while `work` runs, sampled every 10 ms, above the one before it. */
async function rssGrowthDuring<T>(work: () => Promise<T>): Promise<{ result: T; growthMb: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  try {
    const result = await work();
    return { result, growthMb: (Math.max(peak, process.memoryUsage().rss) - before) / MB };
  } finally {
    clearInterval(sampler);
  }
}

beforeAll(async () => {
  tree = await createRegionTree(db(), 26);
  coordinator = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: tree.region }]));
  bomb = await cellBomb(190 * MB);
}, 60_000);

describe('upload bombs', () => {
  it('when 8 uploads of a 1.5 MB xlsx whose one cell unpacks to 200 MB arrive at once, then each gets a Russian 4xx and the process grows by less than 150 MB', async () => {
    expect(bomb.length).toBeLessThan(2 * MB);
    const { result: responses, growthMb } = await rssGrowthDuring(() =>
      Promise.all(Array.from({ length: 8 }, () => upload(bomb, 'bomb.xlsx'))),
    );
    expect(growthMb).toBeLessThan(150);
    const refused = responses.filter((r) => r.status === 422);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r.text).toContain('Строка 1, столбец A: в ячейке больше 32 767 знаков');
    for (const r of responses.filter((x) => x.status !== 422)) {
      expect(r.status).toBe(429);
      expect(r.headers['retry-after']).toMatch(/^\d+$/);
      expect(r.text).toContain('Сейчас загружаются другие файлы');
    }
  });

  it('when a CSV field is longer than 32,767 characters, then the upload is refused naming its row and column', async () => {
    const csv = Buffer.from(`${HEADERS.join(';')}\r\n${tree.primary.inpo};Иванова;${'Ж'.repeat(4 * MB)}\r\n`);
    const res = await upload(csv, 'members.csv');
    expect(res.status).toBe(422);
    expect(res.text).toContain('Строка 2, столбец C: в ячейке больше 32 767 знаков');
  });

  it('when a cell is just over the limit in a shared string or a sheet cell, then its row and column are named', async () => {
    const workbook = await buildWorkbook([HEADERS, [tree.primary.inpo, 'Иванова', 'Я'.repeat(32_768)]]);
    const res = await upload(workbook, 'members.xlsx');
    expect(res.status).toBe(422);
    expect(res.text).toContain('Строка 2, столбец C: в ячейке больше 32 767 знаков');
  });

  it('when every import slot is taken, then an upload is answered 429 with a Russian message and Retry-After, and goes through once a slot is free', async () => {
    const held = [ctx.deps.importSlots.take(), ctx.deps.importSlots.take()];
    const file = await buildWorkbook([
      ['Фамилия', 'Имя'],
      ['Иванова', 'Анна'],
    ]);
    try {
      expect(ctx.deps.importSlots.take()).toBeUndefined(); // the default is two at once
      const busy = await upload(file, 'members.xlsx');
      expect(busy.status).toBe(429);
      expect(busy.headers['retry-after']).toMatch(/^\d+$/);
      expect(busy.text).toContain('Сейчас загружаются другие файлы');
    } finally {
      for (const release of held) release?.();
    }
    expect((await upload(file, 'members.xlsx')).status).not.toBe(429);
  });
});
