import path from 'node:path';
import type { Readable } from 'node:stream';
import type yauzl from 'yauzl';
import { ValidationError } from '../http/errors';
import { parseId } from '../shared/numbers';
import type { SheetRow } from './row-source';
import { xmlEvents } from './xml-events';
import { openZip } from './zip';

// The shared strings are the one part held whole (cells refer to them by number), so their XML is
// capped: 32 MB is about 2.5 times that of a 100,000-row member list whose phones, e-mails and SNILS
// are all distinct texts, and keeps a crafted workbook from filling memory through them.
const MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024;
const MAX_COLUMNS = 16_384; // Excel's XFD
const EXCEL_ROWS = 1_048_576;

/**
 * Rows of the workbook's first sheet, read from the file on disk as they come: the zip's parts are
 * inflated one at a time as streams, and nothing is unpacked into memory or a temporary file.
 */
export async function* xlsxSheetRows(file: string): AsyncGenerator<SheetRow> {
  const { zip, entries } = await openZip(file);
  try {
    const strings = await sharedStrings(zip, entries.get('xl/sharedStrings.xml'));
    const sheet = await firstSheet(zip, entries);
    if (sheet) yield* sheetRows(await zip.openReadStreamPromise(sheet), strings);
  } finally {
    zip.close();
  }
}

async function sharedStrings(zip: yauzl.ZipFile, entry: yauzl.Entry | undefined): Promise<string[]> {
  if (!entry) return [];
  if (entry.uncompressedSize > MAX_SHARED_STRINGS_BYTES) {
    throw new ValidationError([{ field: 'file', message: 'Файл отклонён: в книге слишком много разных текстов — разделите её на части' }]);
  }
  const strings: string[] = [];
  let text = '';
  let inText = false;
  let phonetic = false; // <rPh> holds a reading aid, not the cell's text
  for await (const events of xmlEvents(await zip.openReadStreamPromise(entry))) {
    for (const e of events) {
      if (e.kind === 'text') {
        if (inText) text += e.text;
      } else if (e.kind === 'open') {
        if (e.name === 'si') text = '';
        else if (e.name === 't') inText = !phonetic;
        else if (e.name === 'rPh') phonetic = true;
      } else if (e.name === 't') inText = false;
      else if (e.name === 'rPh') phonetic = false;
      else if (e.name === 'si') strings.push(text.trim());
    }
  }
  return strings;
}

/** The first sheet in the workbook's tab order, else the first worksheet part of the zip. */
async function firstSheet(zip: yauzl.ZipFile, entries: Map<string, yauzl.Entry>): Promise<yauzl.Entry | undefined> {
  const workbook = entries.get('xl/workbook.xml');
  const rels = entries.get('xl/_rels/workbook.xml.rels');
  const id = workbook && (await firstAttribute(zip, workbook, 'sheet', (a) => Object.entries(a).find(([name]) => name.endsWith(':id'))?.[1]));
  const target = id && rels && (await firstAttribute(zip, rels, 'Relationship', (a) => (a.Id === id ? a.Target : undefined)));
  const named = target ? entries.get(target.startsWith('/') ? target.slice(1) : path.posix.join('xl', target)) : undefined;
  return named ?? [...entries.values()].find((e) => /^xl\/worksheets\/[^/]+\.xml$/.test(e.fileName));
}

async function firstAttribute(zip: yauzl.ZipFile, entry: yauzl.Entry, tag: string, pick: (attributes: Record<string, string>) => string | undefined) {
  for await (const events of xmlEvents(await zip.openReadStreamPromise(entry))) {
    for (const e of events) {
      const value = e.kind === 'open' && e.name === tag ? pick(e.attributes) : undefined;
      if (value) return value;
    }
  }
  return undefined;
}

interface Cell {
  type: string;
  text: string;
}

/** The sheet's rows: each cell's text at its column (A is 0), gaps as ''. */
async function* sheetRows(stream: Readable, strings: string[]): AsyncGenerator<SheetRow> {
  let line = 0;
  let values: string[] = [];
  let column = 0;
  let cell: Cell | undefined;
  let capture = false;
  let phonetic = false;
  for await (const events of xmlEvents(stream)) {
    const rows: SheetRow[] = [];
    for (const e of events) {
      if (e.kind === 'text') {
        if (capture) cell!.text += e.text;
      } else if (e.kind === 'open') {
        if (e.name === 'row') {
          // a crafted sheet may repeat a row number or give one past Excel's last: a line follows the one before
          const r = parseId(e.attributes.r, EXCEL_ROWS);
          line = r !== null && r > line ? r : line + 1;
          values = [];
          column = 0;
        } else if (e.name === 'c') {
          column = e.attributes.r ? columnOf(e.attributes.r) : column + 1;
          cell = { type: e.attributes.t ?? 'n', text: '' };
        } else if (e.name === 'v' || e.name === 't') capture = cell !== undefined && !phonetic;
        else if (e.name === 'rPh') phonetic = true;
      } else if (e.name === 'v' || e.name === 't') capture = false;
      else if (e.name === 'rPh') phonetic = false;
      else if (e.name === 'c' && cell) {
        values[column - 1] = cellText(cell, strings);
        cell = undefined;
      } else if (e.name === 'row') rows.push({ line, values: Array.from(values, (v) => v ?? '') });
    }
    yield* rows;
  }
}

/** 'C7' → 3. */
function columnOf(ref: string): number {
  let column = 0;
  for (const ch of ref) {
    if (ch < 'A' || ch > 'Z') break;
    column = column * 26 + ch.charCodeAt(0) - 64;
  }
  if (column < 1 || column > MAX_COLUMNS) throw new Error(`cell reference ${ref.slice(0, 20)} out of range`);
  return column;
}

/** What a cell shows as text: shared and inline strings, numbers as JavaScript prints them (dates are Excel serial days), booleans. */
function cellText(cell: Cell, strings: string[]): string {
  const text = cell.text.trim();
  switch (cell.type) {
    case 's':
      return (text && strings[Number(text)]) || '';
    case 'str':
    case 'inlineStr':
      return text;
    case 'b':
      return text === '' ? '' : String(Number(text) !== 0);
    case 'e':
      return '';
    case 'd':
      return text.slice(0, 10);
    default:
      return text === '' ? '' : String(Number.parseFloat(text));
  }
}
