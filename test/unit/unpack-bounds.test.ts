import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { afterAll, describe, expect, it } from 'vitest';
import { xlsxRows } from '../../src/imports/row-source';
import { openZip } from '../../src/imports/zip';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reestr-bounds-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let files = 0;

async function zipFile(parts: Record<string, string>): Promise<string> {
  const zip = new JSZip();
  for (const [name, text] of Object.entries(parts)) zip.file(name, text);
  const file = path.join(dir, `z${++files}.xlsx`);
  fs.writeFileSync(file, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
  return file;
}

async function readAll(file: string) {
  for await (const _row of xlsxRows(file)) {
    // read to the end
  }
}

const sheet = (inside: string) =>
  `<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Иванова</t></is></c></row>${inside}</sheetData></worksheet>`;
const refused = { fields: [{ field: 'file', message: expect.stringContaining('подозрительно велико') }] };

describe('unpacking bounds', () => {
  it('when an entry inflates past its bound, then its stream fails with a Russian message as the bytes come', async () => {
    const { zip, entries, open } = await openZip(await zipFile({ 'xl/worksheets/sheet1.xml': 'x'.repeat(100_000) }));
    try {
      const stream = await open(entries.get('xl/worksheets/sheet1.xml')!, 10_000);
      await expect(
        (async () => {
          for await (const _chunk of stream) {
            // read until refused
          }
        })(),
      ).rejects.toMatchObject(refused);
    } finally {
      zip.close();
    }
  });

  it('when a comment in a sheet is longer than any spreadsheet needs, then the file is refused, not gathered', async () => {
    await expect(
      readAll(await zipFile({ 'xl/worksheets/sheet1.xml': sheet(`<!--${'x'.repeat(400_000)}-->`) })),
    ).rejects.toMatchObject(refused);
  });

  it('when tags nest deeper than any sheet does, then the file is refused', async () => {
    await expect(
      readAll(await zipFile({ 'xl/worksheets/sheet1.xml': sheet(`${'<x>'.repeat(1000)}${'</x>'.repeat(1000)}`) })),
    ).rejects.toMatchObject(refused);
  });

  it('when a shared string is longer than any spreadsheet needs, then the file is refused without gathering it', async () => {
    const file = await zipFile({
      'xl/sharedStrings.xml': `<sst><si><t>${'Я'.repeat(400_000)}</t></si></sst>`,
      'xl/worksheets/sheet1.xml': sheet(''),
    });
    await expect(readAll(file)).rejects.toMatchObject({
      fields: [{ field: 'file', message: expect.stringContaining('текст длиннее 32 767 знаков') }],
    });
  });
});
