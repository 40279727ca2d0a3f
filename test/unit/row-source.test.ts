import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, describe, expect, it } from 'vitest';
import { csvRows, xlsxRows, type SheetRow } from '../../src/imports/row-source';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reestr-rows-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let files = 0;
const fileOf = (data: Buffer | string) => {
  const file = path.join(dir, `f${++files}`);
  fs.writeFileSync(file, data);
  return file;
};
const all = async (rows: AsyncIterable<SheetRow>) => {
  const out: SheetRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
};

/** Windows-1251 bytes of Russian and ASCII text. */
const cp1251 = (text: string) =>
  Buffer.from([...text].map((ch) => (ch.charCodeAt(0) < 0x80 ? ch.charCodeAt(0) : ch.charCodeAt(0) - 0x410 + 0xc0)));

describe('CSV rows', () => {
  it('when a UTF-8 file has a BOM, CRLF, an empty line and a quoted field over two lines, then each row carries the line it ends on', async () => {
    const text = '\ufeffФамилия;Имя\r\nИванова; Мария \r\n\r\n"Петрова\nСидорова";Анна\r\nКузнецова;Ольга\r\n';
    expect(await all(csvRows(fileOf(text)))).toEqual([
      { line: 1, values: ['Фамилия', 'Имя'] },
      { line: 2, values: ['Иванова', 'Мария'] },
      { line: 3, values: [''] },
      { line: 5, values: ['Петрова\nСидорова', 'Анна'] },
      { line: 6, values: ['Кузнецова', 'Ольга'] },
    ]);
  });

  it('when a file is Windows-1251 with «,», then it reads the same, even when its first non-UTF-8 byte comes after the first chunks', async () => {
    const filler = Array.from({ length: 3000 }, (_, i) => `row${i},abc`).join('\n');
    const rows = await all(
      csvRows(fileOf(Buffer.concat([Buffer.from(`name,city\n${filler}\n`), cp1251('Шарипова,Казань\n')]))),
    );
    expect(rows).toHaveLength(3002);
    expect(rows.at(-1)).toEqual({ line: 3002, values: ['Шарипова', 'Казань'] });
  });

  it('when a Cyrillic letter straddles two 64 KiB chunks, then it arrives whole', async () => {
    const head = 'Фамилия;Имя\n';
    const filler = `${'x'.repeat(99)}\n`.repeat(600); // lines, not one field: a field is at most 32,767 characters
    const pad = 'x'.repeat(65_535 - Buffer.byteLength(head) - filler.length);
    const rows = await all(csvRows(fileOf(`${head}${filler}${pad}Жукова;Анна\n`)));
    expect(rows.at(-1)!.values).toEqual([`${pad}Жукова`, 'Анна']);
  });

  it('when a quote is left open, then the file is refused with the line, not a server error', async () => {
    await expect(all(csvRows(fileOf('Фамилия;Имя\nИванова;Мария\n"Петрова;Анна\n')))).rejects.toMatchObject({
      fields: [{ field: 'file', message: expect.stringContaining('кавычки не на месте') }],
    });
  });
});

async function xlsxOf(rows: string[][]): Promise<Buffer> {
  const file = path.join(dir, `w${++files}.xlsx`);
  const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: true });
  const sheet = writer.addWorksheet('Члены');
  for (const row of rows) sheet.addRow(row).commit();
  await writer.commit();
  return fs.readFileSync(file);
}

describe('XLSX rows', () => {
  it('when the shared strings run over many inflated chunks, then no Cyrillic letter is broken at a chunk edge', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => [`Фамилия${i}ова`, 'Мария', String(i)]);
    const read = await all(xlsxRows(fileOf(await xlsxOf(rows))));
    expect(read.map((r) => r.values)).toEqual(rows.map(([s, n, i]) => [s, n, i]));
    expect(read.at(-1)!.line).toBe(20_000);
  });

  it('when a workbook lists a later part as its first tab and spells cells in every way Excel may, then that sheet is read as Excel shows it', async () => {
    const zip = new JSZip();
    zip.file(
      'xl/workbook.xml',
      '<workbook xmlns:r="r"><sheets><sheet name="Члены" r:id="rId7"/><sheet name="Справка" r:id="rId1"/></sheets></workbook>',
    );
    zip.file(
      'xl/_rels/workbook.xml.rels',
      '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/><Relationship Id="rId7" Target="/xl/worksheets/sheet2.xml"/></Relationships>',
    );
    zip.file(
      'xl/worksheets/sheet1.xml',
      '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>не тот лист</t></is></c></row></sheetData></worksheet>',
    );
    zip.file(
      'xl/sharedStrings.xml',
      '<sst><si><t> Иванова </t></si><si><r><t>Ма</t></r><r><t>рия</t></r><rPh><t>まりあ</t></rPh></si></sst>',
    );
    zip.file(
      'xl/worksheets/sheet2.xml',
      `<x:worksheet xmlns:x="main"><x:sheetData>
      <x:row r="2"><x:c r="A2" t="s"><x:v>0</x:v></x:c><x:c r="C2" t="s"><x:v>1</x:v></x:c><x:c r="D2"><x:v>32874</x:v></x:c></x:row>
      <x:row><x:c t="inlineStr"><x:is><x:r><x:t>Пет</x:t></x:r><x:r><x:t>рова</x:t></x:r></x:is></x:c><x:c t="b"><x:v>1</x:v></x:c><x:c t="e"><x:v>#N/A</x:v></x:c><x:c t="str"><x:f>A3</x:f><x:v>Петрова</x:v></x:c><x:c s="2"/><x:c><x:v>1.5E3</x:v></x:c></x:row>
    </x:sheetData></x:worksheet>`,
    );
    const read = await all(xlsxRows(fileOf(await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }))));
    expect(read).toEqual([
      { line: 2, values: ['Иванова', '', 'Мария', '32874'] },
      { line: 3, values: ['Петрова', 'true', '', 'Петрова', '', '1500'] },
    ]);
  });

  it('when the shared strings are bigger than 32 MB, then the file is refused before they are read', async () => {
    const zip = new JSZip();
    zip.file('xl/sharedStrings.xml', `<sst>${'<si><t>Иванова</t></si>'.repeat(1_200_000)}</sst>`);
    zip.file('xl/worksheets/sheet1.xml', '<worksheet><sheetData/></worksheet>');
    const file = fileOf(await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
    await expect(all(xlsxRows(file))).rejects.toMatchObject({
      fields: [{ field: 'file', message: expect.stringContaining('слишком много разных текстов') }],
    });
  });

  it('when the file is not a zip, then the reader answers with a field error, not a crash', async () => {
    await expect(all(xlsxRows(fileOf('PK\u0003\u0004 not really a zip')))).rejects.toMatchObject({
      fields: [{ field: 'file' }],
    });
  });
});
