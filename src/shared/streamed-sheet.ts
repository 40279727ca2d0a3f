import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import { streamRows, type RowSink } from '../db/stream-rows';
import { addSafeRow, type CellInput } from './spreadsheet';
import { compressorBacklog } from './xlsx-backlog';

/** The one sheet of a streamed workbook: its name and columns (header, width, key), the header row bold and frozen. */
export interface StreamedSheetLayout {
  name: string;
  columns: Partial<ExcelJS.Column>[];
}

/**
 * A one-sheet workbook streamed from the rows of `query` (a database cursor) into `sink.out`: each row's
 * cells through the shared neutralising writer, written as it comes and forgotten, and the next row waited
 * for whenever the zip compressor or the receiver falls behind — memory stays flat whatever the number of
 * rows, and a receiver that goes away stops it. Returns the number of rows written.
 */
export async function streamSheet<T>(
  db: Knex,
  query: Knex.QueryBuilder | Knex.Raw,
  sink: RowSink,
  layout: StreamedSheetLayout,
  cells: (row: T) => CellInput[],
): Promise<number> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: sink.out,
    useSharedStrings: false,
    useStyles: true,
  });
  const sheet = workbook.addWorksheet(layout.name, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = layout.columns;
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  const count = await streamRows(db, query, sink, (row: T) => {
    addSafeRow(sheet, cells(row)).commit();
    return compressorBacklog(sheet, sink.signal);
  });
  sheet.commit();
  await workbook.commit();
  return count;
}
