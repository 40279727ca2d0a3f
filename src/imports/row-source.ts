import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse';
import { ValidationError } from '../http/errors';
import { cellValueText } from '../shared/spreadsheet';

export interface SheetRow {
  line: number;
  values: string[];
}

/** UTF-8 when the bytes are valid UTF-8 (a BOM is dropped), otherwise Windows-1251, as Russian Excel saves CSV. */
export function decodeCsv(data: Buffer): string {
  const body = data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf ? data.subarray(3) : data;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return new TextDecoder('windows-1251').decode(body);
  }
}

/** `;` (Russian Excel) or `,`, whichever the header line uses more. */
function delimiterOf(text: string): ';' | ',' {
  const header = text.slice(0, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n'));
  return (header.match(/;/g)?.length ?? 0) >= (header.match(/,/g)?.length ?? 0) ? ';' : ',';
}

/** Rows of a CSV file as they are parsed: memory holds one row, not the file's rows. */
export async function* csvRows(data: Buffer): AsyncGenerator<SheetRow> {
  const text = decodeCsv(data);
  const parser = Readable.from([text]).pipe(parse({ delimiter: delimiterOf(text), relax_column_count: true, skip_empty_lines: false, bom: true, info: true }));
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
