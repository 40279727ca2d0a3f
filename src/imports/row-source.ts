import { ValidationError } from '../http/errors';
import { xlsxSheetRows } from './xlsx-reader';

export { csvRows } from './csv-reader';

export interface SheetRow {
  line: number;
  values: string[];
}

const EXCEL_EPOCH = Date.UTC(1899, 11, 30);

/** Rows of the first sheet of an .xlsx, streamed from the file. */
export async function* xlsxRows(file: string): AsyncGenerator<SheetRow> {
  try {
    yield* xlsxSheetRows(file);
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    throw new ValidationError([
      { field: 'file', message: 'Не удалось прочитать книгу Excel: файл повреждён или в другом формате' },
    ]);
  }
}

/** 'ДД.ММ.ГГГГ', 'ГГГГ-ММ-ДД' or an Excel serial day number → the text a date field accepts. */
export function normalizeSheetDate(value: string): string {
  if (/^\d{5}(\.\d+)?$/.test(value)) {
    return new Date(EXCEL_EPOCH + Math.floor(Number(value)) * 86_400_000).toISOString().slice(0, 10);
  }
  return value;
}
