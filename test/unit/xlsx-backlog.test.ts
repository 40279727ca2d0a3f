import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { addSafeRow } from '../../src/shared/spreadsheet';
import { compressorBacklog, compressorBacklogBytes } from '../../src/shared/xlsx-backlog';
import { readSheet } from '../support/xlsx';

const ROWS = 20_000; // ~3 MB of sheet XML: dozens of exceljs's 64 KiB hand-overs to the compressor

describe("the streaming XLSX writer's compressor backlog", () => {
  // Rows written in one go, as a fast cursor delivers them, while the compressor has not started on the sheet
  // (archiver takes its entries in turn): the whole sheet waited in memory before the wait was there.
  it('when rows come faster than the zip compresses them, then the writer is told to wait, and the XML in front of the compressor stays under a few chunks', async () => {
    const chunks: Buffer[] = [];
    const out = new PassThrough().on('data', (chunk: Buffer) => chunks.push(chunk));
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
    const sheet = workbook.addWorksheet('Члены Профсоюза');
    const signal = new AbortController().signal;
    let waits = 0;
    let largest = 0;
    for (let i = 1; i <= ROWS; i++) {
      addSafeRow(sheet, [i, `Фамилия ${i}`, '=ФОРМУЛА()', new Date(Date.UTC(1980, 0, 1 + (i % 365)))]).commit();
      largest = Math.max(largest, compressorBacklogBytes(sheet));
      const wait = compressorBacklog(sheet, signal);
      if (wait) {
        waits++;
        await wait;
      }
    }
    sheet.commit();
    await workbook.commit();

    expect(waits).toBeGreaterThan(0);
    expect(largest).toBeLessThan(256 * 1024);
    const rows = await readSheet(Buffer.concat(chunks));
    expect(rows).toHaveLength(ROWS);
    expect(rows[ROWS - 1]!.slice(0, 3)).toEqual([String(ROWS), `Фамилия ${ROWS}`, "'=ФОРМУЛА()"]);
  });

  it('when the receiver has gone while the writer waits, then the wait ends with its reason', async () => {
    const out = new PassThrough(); // never read: the compressor's output backs up and the sheet's XML with it
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
    const sheet = workbook.addWorksheet('x');
    const gone = new AbortController();
    let wait: Promise<void> | undefined;
    for (let i = 1; !wait && i <= ROWS; i++) {
      addSafeRow(sheet, [i, `Фамилия ${i}`]).commit();
      wait = compressorBacklog(sheet, gone.signal);
    }
    expect(wait).toBeDefined();
    gone.abort(new Error('the receiver closed before the end'));
    await expect(wait).rejects.toThrow();
  });
});
