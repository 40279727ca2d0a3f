import { once } from 'node:events';
import type { EventEmitter } from 'node:events';
import type ExcelJS from 'exceljs';

/** The part of exceljs's streaming sheet read here: its XML stream (a StreamBuf) and what that is piped into. */
interface StreamedSheet {
  stream?: { pipes?: unknown[] };
}

/** A writable stream of readable-stream 2 (archiver's), whose state says whether its writer should wait. */
type EntryInput = EventEmitter & { _writableState?: { length: number; needDrain: boolean } };

/**
 * The stream in front of the zip compressor for a sheet of exceljs's streaming WorkbookWriter: archiver wraps
 * the sheet's StreamBuf in a PassThrough, which feeds the entry's deflate. Undefined before the sheet has one,
 * or if exceljs/archiver change their insides (test/unit/xlsx-backlog.test.ts then fails).
 */
function entryInput(sheet: ExcelJS.Worksheet): EntryInput | undefined {
  const input = (sheet as unknown as StreamedSheet).stream?.pipes?.[0] as EntryInput | undefined;
  return input?._writableState ? input : undefined;
}

/** The sheet's XML bytes waiting for the compressor (tests and probes). */
export function compressorBacklogBytes(sheet: ExcelJS.Worksheet): number {
  return entryInput(sheet)?._writableState?.length ?? 0;
}

/**
 * A promise to await before the next row when the sheet's XML is piling up in front of the zip compressor;
 * undefined when the writer may go on.
 *
 * Why: exceljs's StreamBuf hands every 64 KiB of XML to the compressor without looking at write()'s answer, and
 * the deflate runs on libuv's thread pool; whenever it falls behind the rows (a loaded machine: two cores
 * shared with the database), the XML waited in memory, more the more rows — 30 MB at 150,000 rows at load
 * 20, the RSS of the union's 305,349-row export varying with the load. The output file's own backpressure
 * (RowSink.out) is only felt after the compressor, so it never saw this.
 */
export function compressorBacklog(sheet: ExcelJS.Worksheet, signal: AbortSignal): Promise<void> | undefined {
  const input = entryInput(sheet);
  if (!input?._writableState?.needDrain) return undefined;
  return once(input, 'drain', { signal }).then(() => undefined);
}
