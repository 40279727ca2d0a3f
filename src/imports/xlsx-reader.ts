import path from 'node:path';
import type { Readable } from 'node:stream';
import type yauzl from 'yauzl';
import { ValidationError } from '../http/errors';
import { MAX_CELL_CHARS, cellTooLong } from './limits';
import { parseId } from '../shared/numbers';
import type { SheetRow } from './row-source';
import { XmlTooLargeError, xmlChunks, type XmlHandlers } from './xml-events';
import { openZip, tooBigError, type OpenZip } from './zip';

// The shared strings are the one part held whole (cells refer to them by number), so their XML is
// capped: 32 MB is about 2.5 times that of a 100,000-row member list whose phones, e-mails and SNILS
// are all distinct texts, and keeps a crafted workbook from filling memory through them.
const MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024;
const MAX_COLUMNS = 16_384; // Excel's XFD
const longSharedString = () =>
  new ValidationError([
    {
      field: 'file',
      message: 'Файл отклонён: в книге есть текст длиннее 32 767 знаков — столько не допускает и Excel',
    },
  ]);
const EXCEL_ROWS = 1_048_576;

/**
 * Rows of the workbook's first sheet, read from the file on disk as they come: the zip's parts are
 * inflated one at a time as streams, and nothing is unpacked into memory or a temporary file.
 */
export async function* xlsxSheetRows(file: string): AsyncGenerator<SheetRow> {
  const opened = await openZip(file);
  try {
    const strings = await sharedStrings(opened, opened.entries.get('xl/sharedStrings.xml'));
    const sheet = await firstSheet(opened);
    if (sheet) yield* sheetRows(await opened.open(sheet), strings);
  } finally {
    opened.zip.close();
  }
}

/**
 * The shared strings, in order. A string over Excel's limit is kept as `null`, so that the cell that
 * uses it is reported with its row and column; its text is never gathered beyond the limit.
 */
async function sharedStrings({ open }: OpenZip, entry: yauzl.Entry | undefined): Promise<(string | null)[]> {
  if (!entry) return [];
  if (entry.uncompressedSize > MAX_SHARED_STRINGS_BYTES) {
    throw new ValidationError([
      { field: 'file', message: 'Файл отклонён: в книге слишком много разных текстов — разделите её на части' },
    ]);
  }
  const strings: (string | null)[] = [];
  let text: string | null = '';
  let inText = false;
  let phonetic = false; // <rPh> holds a reading aid, not the cell's text
  const handlers: XmlHandlers = {
    open: (name) => {
      if (name === 'si') text = '';
      else if (name === 't') inText = !phonetic;
      else if (name === 'rPh') phonetic = true;
    },
    text: (more) => {
      if (inText && text !== null) text = appendCapped(text, more);
    },
    close: (name) => {
      if (name === 't') inText = false;
      else if (name === 'rPh') phonetic = false;
      else if (name === 'si') strings.push(text?.trim() ?? null);
    },
  };
  await drain(refuseHuge(xmlChunks(await open(entry, MAX_SHARED_STRINGS_BYTES), handlers), longSharedString));
  return strings;
}

async function drain(chunks: AsyncGenerator<void>): Promise<void> {
  for await (const _chunk of chunks);
}

/** `text` + `more`, or null when that is over a cell's limit. */
function appendCapped(text: string, more: string): string | null {
  return text.length + more.length > MAX_CELL_CHARS ? null : text + more;
}

/** The feeding; XML too large for any spreadsheet (see xml-events) becomes the error `refusal` gives. */
async function* refuseHuge<T>(chunks: AsyncGenerator<T>, refusal: () => Error): AsyncGenerator<T> {
  try {
    yield* chunks;
  } catch (err) {
    throw err instanceof XmlTooLargeError ? refusal() : err;
  }
}

/** The first sheet in the workbook's tab order, else the first worksheet part of the zip. */
async function firstSheet(opened: OpenZip): Promise<yauzl.Entry | undefined> {
  const { entries } = opened;
  const workbook = entries.get('xl/workbook.xml');
  const rels = entries.get('xl/_rels/workbook.xml.rels');
  const id =
    workbook &&
    (await firstAttribute(
      opened,
      workbook,
      'sheet',
      (a) => Object.entries(a).find(([name]) => name.endsWith(':id'))?.[1],
    ));
  const target =
    id && rels && (await firstAttribute(opened, rels, 'Relationship', (a) => (a.Id === id ? a.Target : undefined)));
  const named = target
    ? entries.get(target.startsWith('/') ? target.slice(1) : path.posix.join('xl', target))
    : undefined;
  return named ?? [...entries.values()].find((e) => /^xl\/worksheets\/[^/]+\.xml$/.test(e.fileName));
}

async function firstAttribute(
  { open }: OpenZip,
  entry: yauzl.Entry,
  tag: string,
  pick: (attributes: Record<string, string>) => string | undefined,
) {
  let value: string | undefined;
  const chunks = xmlChunks(await open(entry), {
    open: (name, attributes) => {
      if (name === tag) value ??= pick(attributes);
    },
  });
  for await (const _chunk of chunks) if (value) break;
  return value;
}

/**
 * The sheet's rows: each cell's text at its column (A is 0), gaps as ''. Only the rows of the chunk just parsed
 * wait here for the caller; the tags themselves are read as they are parsed and kept by no one.
 */
async function* sheetRows(stream: Readable, strings: (string | null)[]): AsyncGenerator<SheetRow> {
  let parsed: SheetRow[] = [];
  let line = 0;
  let values: string[] = [];
  let column = 0;
  let inCell = false;
  let cellType = '';
  let cellText = '';
  let capture = false;
  let phonetic = false;
  const tooLong = () => cellTooLong(line, column - 1);
  const handlers: XmlHandlers = {
    open: (name, attributes) => {
      if (name === 'row') {
        // a crafted sheet may repeat a row number or give one past Excel's last: a line follows the one before
        const r = parseId(attributes.r, EXCEL_ROWS);
        line = r !== null && r > line ? r : line + 1;
        values = [];
        column = 0;
      } else if (name === 'c') {
        column = attributes.r ? columnOf(attributes.r) : column + 1;
        inCell = true;
        cellType = attributes.t ?? 'n';
        cellText = '';
      } else if (name === 'v' || name === 't') capture = inCell && !phonetic;
      else if (name === 'rPh') phonetic = true;
    },
    text: (more) => {
      if (capture) cellText = appendCapped(cellText, more) ?? throwError(tooLong());
    },
    close: (name) => {
      if (name === 'v' || name === 't') capture = false;
      else if (name === 'rPh') phonetic = false;
      else if (name === 'c' && inCell) {
        values[column - 1] = shownText(cellType, cellText, strings) ?? throwError(tooLong());
        inCell = false;
      } else if (name === 'row') {
        for (let i = 0; i < values.length; i++) values[i] ??= '';
        parsed.push({ line, values });
      }
    },
  };
  const chunks = refuseHuge(xmlChunks(stream, handlers), () => (inCell ? tooLong() : tooBigError()));
  for await (const _chunk of chunks) {
    const rows = parsed;
    parsed = [];
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

function throwError(err: Error): never {
  throw err;
}

/**
 * What a cell shows as text: shared and inline strings, numbers as JavaScript prints them (dates are Excel
 * serial days), booleans; null for a shared string over the limit.
 */
function shownText(type: string, raw: string, strings: (string | null)[]): string | null {
  const text = raw.trim();
  switch (type) {
    case 's': {
      const shared = text ? strings[Number(text)] : '';
      return shared === null ? null : shared || '';
    }
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
