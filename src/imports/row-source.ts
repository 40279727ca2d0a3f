import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse';
import { ValidationError } from '../http/errors';
import { cellValueText } from '../shared/spreadsheet';

export interface SheetRow {
  line: number;
  values: string[];
}

// Text is decoded and parsed 64 KiB at a time: csv-parse pushes every record of a chunk it is given at
// once, so handing it the whole decoded file (10 MiB, 100,000 rows) queued all rows in its buffer
// (a heap snapshot at the peak: 858,000 strings, 53 MB, held by the parser's ReadableState).
const CHUNK_BYTES = 64 * 1024;

/** UTF-8 when the bytes are valid UTF-8, otherwise Windows-1251, as Russian Excel saves CSV. */
function encodingOf(body: Buffer): 'utf-8' | 'windows-1251' {
  return isUtf8(body) ? 'utf-8' : 'windows-1251';
}

/** `;` (Russian Excel) or `,`, whichever the header line uses more; both are one ASCII byte in either encoding. */
function delimiterOf(body: Buffer): ';' | ',' {
  const end = body.indexOf(0x0a);
  const header = body.subarray(0, end === -1 ? body.length : end);
  let semicolons = 0;
  let commas = 0;
  for (const byte of header) {
    if (byte === 0x3b) semicolons++;
    else if (byte === 0x2c) commas++;
  }
  return semicolons >= commas ? ';' : ',';
}

function* decodedChunks(body: Buffer, encoding: string): Generator<string> {
  const decoder = new TextDecoder(encoding);
  for (let at = 0; at < body.length; at += CHUNK_BYTES) yield decoder.decode(body.subarray(at, at + CHUNK_BYTES), { stream: true });
  const rest = decoder.decode();
  if (rest) yield rest;
}

/** Rows of a CSV file as they are parsed: memory holds a chunk's rows, not the file's rows. */
export async function* csvRows(data: Buffer): AsyncGenerator<SheetRow> {
  const body = data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf ? data.subarray(3) : data;
  const parser = Readable.from(decodedChunks(body, encodingOf(body))).pipe(
    parse({ delimiter: delimiterOf(body), relax_column_count: true, skip_empty_lines: false, bom: true, info: true }),
  );
  for await (const record of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    yield { line: record.info.lines, values: record.record.map((v) => v.trim()) };
  }
}

const EXCEL_EPOCH = Date.UTC(1899, 11, 30);

/** Rows of the first sheet of an .xlsx, streamed by exceljs's reader. */
export async function* xlsxRows(data: Buffer): AsyncGenerator<SheetRow> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([data]), { worksheets: 'emit', sharedStrings: 'cache', styles: 'ignore', hyperlinks: 'ignore' });
  try {
    for await (const sheet of reader) {
      for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
        const values = (row.values as ExcelJS.CellValue[]).slice(1).map((v) => cellValueText(v ?? null));
        yield { line: row.number, values };
      }
      return; // the first sheet only
    }
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    throw new ValidationError([{ field: 'file', message: 'Не удалось прочитать книгу Excel: файл повреждён или в другом формате' }]);
  }
}

/** 'ДД.ММ.ГГГГ', 'ГГГГ-ММ-ДД' or an Excel serial day number → the text a date field accepts. */
export function normalizeSheetDate(value: string): string {
  if (/^\d{5}(\.\d+)?$/.test(value)) {
    return new Date(EXCEL_EPOCH + Math.floor(Number(value)) * 86_400_000).toISOString().slice(0, 10);
  }
  return value;
}
