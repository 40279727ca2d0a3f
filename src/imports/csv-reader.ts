import fs from 'node:fs';
import { Readable, pipeline } from 'node:stream';
import { parse } from 'csv-parse';
import { ValidationError } from '../http/errors';
import { MAX_CELL_CHARS, cellTooLong } from './limits';
import type { SheetRow } from './row-source';

// The file is read, decoded and parsed 64 KiB at a time: csv-parse pushes every record of a chunk it is
// given at once, so handing it the whole decoded file (10 MiB, 100,000 rows) queued all rows in its buffer
// (a heap snapshot at the peak: 858,000 strings, 53 MB, held by the parser's ReadableState).
const CHUNK_BYTES = 64 * 1024;
const UTF8_BOM = [0xef, 0xbb, 0xbf];
// csv-parse gathers a record's bytes before it hands the record over: bounded, a 50 MB file of one field
// cannot become a 50 MB buffer and its strings. 16 cells of 32,767 characters, UTF-8 (2 bytes a Cyrillic letter).
const MAX_RECORD_BYTES = 16 * 2 * MAX_CELL_CHARS;

/**
 * A first pass over the file: its encoding — UTF-8 when every byte is valid UTF-8, otherwise
 * Windows-1251, as Russian Excel saves CSV — whether it starts with a BOM, and the header line's bytes.
 */
async function sniffCsv(file: string): Promise<{ encoding: 'utf-8' | 'windows-1251'; bom: boolean; header: Buffer }> {
  const check = new TextDecoder('utf-8', { fatal: true });
  let utf8 = true;
  let head: Buffer | undefined;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>) {
    head ??= chunk;
    if (!utf8) continue;
    try {
      check.decode(chunk, { stream: true });
    } catch {
      utf8 = false;
    }
  }
  if (utf8) {
    try {
      check.decode();
    } catch {
      utf8 = false;
    }
  }
  head ??= Buffer.alloc(0);
  const bom = UTF8_BOM.every((byte, i) => head[i] === byte);
  const body = bom ? head.subarray(3) : head;
  const end = body.indexOf(0x0a);
  return { encoding: utf8 ? 'utf-8' : 'windows-1251', bom, header: body.subarray(0, end === -1 ? body.length : end) };
}

/** `;` (Russian Excel) or `,`, whichever the header line uses more; both are one ASCII byte in either encoding. */
function delimiterOf(header: Buffer): ';' | ',' {
  let semicolons = 0;
  let commas = 0;
  for (const byte of header) {
    if (byte === 0x3b) semicolons++;
    else if (byte === 0x2c) commas++;
  }
  return semicolons >= commas ? ';' : ',';
}

async function* decodedChunks(file: string, encoding: string, start: number): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding);
  for await (const chunk of fs.createReadStream(file, { start, highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>) {
    yield decoder.decode(chunk, { stream: true });
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/**
 * Rows of a CSV file as they are parsed: memory holds a chunk's rows, not the file's rows. A row's line is
 * the one it ends on, counted here: csv-parse's `info` option builds a 17-field object per record with
 * object spreads that V8 left in old space, 25 MB of garbage per 100,000 rows in a sampling heap profile.
 */
export async function* csvRows(file: string): AsyncGenerator<SheetRow> {
  const { encoding, bom, header } = await sniffCsv(file);
  const parser = parse({
    delimiter: delimiterOf(header),
    relax_column_count: true,
    skip_empty_lines: false,
    bom: true,
    max_record_size: MAX_RECORD_BYTES,
  });
  // A read error destroys the parser, whose iteration below then throws it; leaving the loop early
  // destroys the parser and, through the pipeline, closes the file.
  pipeline(Readable.from(decodedChunks(file, encoding, bom ? 3 : 0)), parser, () => undefined);
  let line = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      line += 1 + lineBreaksIn(record);
      const long = record.findIndex((v) => v.length > MAX_CELL_CHARS);
      if (long !== -1) throw cellTooLong(line, long);
      yield { line, values: record.map((v) => v.trim()) };
    }
  } catch (err) {
    // csv-parse's own refusals (a quote not closed, text after a closing quote) are the file's fault, not the server's
    if (!String((err as { code?: unknown }).code).startsWith('CSV_')) throw err;
    const { lines: at = line + 1, column = 0 } = err as { lines?: number; column?: number };
    if ((err as { code: string }).code === 'CSV_MAX_RECORD_SIZE') throw cellTooLong(at, column);
    throw new ValidationError([
      { field: 'file', message: `Не удалось прочитать CSV: кавычки не на месте (строка ${at})` },
    ]);
  }
}

/** Line breaks inside quoted fields (CRLF, LF or CR each count one). */
function lineBreaksIn(record: string[]): number {
  let count = 0;
  for (const field of record) {
    if (field.includes('\n') || field.includes('\r')) count += field.match(/\r\n|\r|\n/g)!.length;
  }
  return count;
}
