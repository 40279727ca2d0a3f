import { create as contentDisposition } from 'content-disposition';
import { PassThrough } from 'node:stream';
import fs from 'node:fs';
import { finished, pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { Knex } from 'knex';
import { auditContextOf, recordAudit, type AuditEntry } from '../audit/audit';
import { sinkUntilGone, type RowSink } from '../db/stream-rows';

export interface Download {
  type: string;
  fileName: string;
  /** Writes the file into `sink.out` (ending it or not) and resolves when it is complete. */
  write: (sink: RowSink) => Promise<unknown>;
  /** The read-audit row; the rows sent are added to its new values, and `aborted: true` when the client left before the end. */
  audit?: AuditEntry;
}

/**
 * A compressed download (CSV, JSON) is flushed every so many bytes of file: the client receives the export as the
 * cursor delivers it (about one cursor batch of a member list, 35 KB of CSV), never a whole export held back in
 * the compressor. A sync flush costs a few bytes; per row it would cost more than the rows gain.
 */
const FLUSH_BYTES = 64 * 1024;

/** The compression middleware's flush (a no-op on an answer it does not compress, XLSX or PDF). */
function flushEvery(body: PassThrough, res: Response, bytes: number) {
  const flush = (res as Response & { flush?: () => void }).flush?.bind(res);
  if (!flush) return;
  let pending = 0;
  body.on('data', (chunk: Buffer) => {
    pending += chunk.length;
    if (pending < bytes) return;
    pending = 0;
    flush();
  });
}

/**
 * Sends a file that is written as it is produced. The response ends only after the audit row is written
 * (a file complete for the client is an audited one). When the client goes away first, the writer is
 * stopped through the sink's signal — which also closes a database cursor and returns its connection —
 * and the audit row says the download was aborted, with the rows sent so far.
 */
export async function sendDownload(db: Knex, req: Request, res: Response, download: Download): Promise<void> {
  res.type(download.type).attachment(download.fileName);
  const body = new PassThrough();
  body.pipe(res, { end: false });
  flushEvery(body, res, FLUSH_BYTES);
  const sink = sinkUntilGone(body, res);
  const gone = new Promise<never>((_, reject) =>
    sink.signal.addEventListener('abort', () => reject(sink.signal.reason), { once: true }),
  );
  gone.catch(() => undefined); // a client leaving after the last byte is no error
  try {
    // a writer that waits for its output (pdfkit, exceljs) would wait for good once the client has left
    await Promise.race([download.write(sink), gone]);
    if (!body.writableEnded) body.end();
    await Promise.race([finished(body), gone]);
  } catch (err) {
    body.destroy();
    if (!sink.signal.aborted) {
      if (!res.headersSent) {
        // the error page is a page, not the file
        res.removeHeader('Content-Disposition');
        res.removeHeader('Content-Type');
      }
      throw err;
    }
  }
  if (download.audit) {
    const aborted = sink.signal.aborted ? { aborted: true } : {};
    await recordAudit(db, auditContextOf(req), {
      ...download.audit,
      newValues: { ...download.audit.newValues, rows: sink.rows, ...aborted },
    });
  }
  if (!sink.signal.aborted) res.end();
}

const TRANSLIT: Record<string, string> = Object.fromEntries(
  [...'абвгдеёжзийклмнопрстуфхцчшщъыьэюя'].map((c, i) => [
    c,
    'a,b,v,g,d,e,e,zh,z,i,i,k,l,m,n,o,p,r,s,t,u,f,kh,ts,ch,sh,shch,,y,,e,iu,ia'.split(',')[i]!,
  ]),
);

/**
 * `Content-Disposition: attachment` for any file name (RFC 6266): the name itself in `filename*` (UTF-8,
 * percent-encoded), and for clients that read only `filename` an ASCII fallback — Cyrillic transliterated,
 * anything else non-ASCII or unsafe in a quoted string as «_» — rather than a row of question marks.
 */
export function attachmentHeader(fileName: string): string {
  const fallback = [...fileName]
    .map((c) => {
      const lower = c.toLowerCase();
      const latin = TRANSLIT[lower];
      if (latin !== undefined) return c === lower ? latin : latin.charAt(0).toUpperCase() + latin.slice(1);
      return /[\x20-\x7e]/.test(c) && c !== '"' && c !== '\\' && c !== '%' ? c : '_';
    })
    .join('');
  return contentDisposition(fileName, { fallback: fallback || 'file' });
}

/** A stored file (the library's, a personnel file's document) streamed as an attachment, never cached or sniffed. */
export async function sendStoredFile(
  res: Response,
  file: { path: string; size: number; type: string; fileName: string },
): Promise<void> {
  res.set({
    'Content-Type': file.type,
    'Content-Length': String(file.size),
    'Content-Disposition': attachmentHeader(file.fileName),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'private, no-store',
  });
  await pipeline(fs.createReadStream(file.path), res);
}
