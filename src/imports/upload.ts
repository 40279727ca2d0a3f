import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import { TooManyRequestsError, ValidationError } from '../http/errors';
import { rejectNulBytes } from '../http/setup/input-guard';
import { PRIVATE_FILE_MODE, ensurePrivateDir } from '../shared/private-files';
import type { Slots } from '../shared/slots';
import { MAX_ENTRIES, MAX_ENTRY_BYTES, MAX_UNPACKED_BYTES, openZip, tooBigError } from './zip';

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
// Ratios in the thousands are bombs; a legitimate sheet's XML packs 10–30 to 1.
const MAX_RATIO = 200;

/**
 * One file, within the size limit, written to a temporary file in `dir` — held in memory, a 50 MB
 * upload and its decoded copies were the import's largest buffers. The folder is the app's own (0700) and
 * the file is private (0600). The file is removed when the response is done, whatever the outcome; multer
 * removes a partial one itself. Other form fields stay text.
 */
export function uploadFile(dir: string, maxBytes = MAX_UPLOAD_BYTES): RequestHandler {
  ensurePrivateDir(dir, 'UPLOAD_DIR');
  const storage = multer.diskStorage({ destination: dir, filename: privateFileIn(dir) });
  const handle = multer({ storage, limits: { fileSize: maxBytes, files: 1, fields: 20 } }).single('file');
  return (req, res, next) => {
    res.once('close', () => {
      if (req.file?.path) fs.rm(req.file.path, { force: true }, () => undefined);
    });
    handle(req, res, (err: unknown) => {
      if (!err) return rejectNulBytes(req, res, next);
      const tooLarge = (err as { code?: string }).code === 'LIMIT_FILE_SIZE';
      next(uploadError(tooLarge ? `Файл больше ${Math.round(maxBytes / 1024 / 1024)} МБ` : 'Не удалось принять файл'));
    });
  };
}

/** What a definition's upload form sent (after `uploadFile`): the file's text, else the textarea `field`'s, else ''. */
export async function uploadedText(req: Request, field: string): Promise<string> {
  if (req.file?.size) return fs.promises.readFile(req.file.path, 'utf8');
  const typed = (req.body as Record<string, unknown> | undefined)?.[field];
  return typeof typed === 'string' ? typed : '';
}

const BUSY_RETRY_SECONDS = 30;

/**
 * Runs an upload's handler only with a free slot, held until the handler is done (not just the response:
 * a client that leaves does not free it while its file is still read); without one, 429 and Retry-After.
 * Each reader is bounded now, but before it was one 294 MB cell bomb took 815 MB of RSS and two 1.1 GB:
 * the slots bound what a burst of uploads can take, whatever the next reader's weakness.
 */
export function withImportSlot(
  slots: Slots,
  handler: (req: Request, res: Response) => Promise<unknown>,
): RequestHandler {
  return async (req, res) => {
    const release = slots.take();
    if (!release)
      throw new TooManyRequestsError(
        `Сейчас загружаются другие файлы: повторите через ${BUSY_RETRY_SECONDS} секунд`,
        BUSY_RETRY_SECONDS,
      );
    try {
      await handler(req, res);
    } finally {
      release();
    }
  };
}

/**
 * multer's random name, with the file created empty and private before multer opens it to write: opening
 * an existing file keeps its mode, and multer's own would be 0644 (0666 less the usual umask).
 */
function privateFileIn(dir: string) {
  return (_req: unknown, _file: unknown, done: (err: Error | null, name: string) => void) => {
    const name = crypto.randomBytes(16).toString('hex');
    fs.open(path.join(dir, name), 'wx', PRIVATE_FILE_MODE, (err, fd) => {
      if (err) return done(err, '');
      fs.close(fd, (closeErr) => done(closeErr, name));
    });
  };
}

// A request never runs for a day: older files in the upload folder were left by a process that died mid-request.
const STALE_UPLOAD_MS = 24 * 60 * 60 * 1000;
const UPLOAD_NAME = /^[0-9a-f]{32}$/; // multer's random names: nothing else in the folder is touched

/**
 * Removes the uploads a crashed process left behind: older than a day while the app runs, every one at
 * start-up (`olderThanMs` 0), when no request of this process can be using one. Returns how many.
 */
export async function deleteStaleUploads(dir: string, olderThanMs = STALE_UPLOAD_MS): Promise<number> {
  let removed = 0;
  const now = Date.now();
  for (const name of await fs.promises.readdir(dir).catch(() => [])) {
    const file = path.join(dir, name);
    const stat = UPLOAD_NAME.test(name) ? await fs.promises.stat(file).catch(() => undefined) : undefined;
    if (stat?.isFile() && (olderThanMs === 0 || now - stat.mtimeMs > olderThanMs)) {
      await fs.promises.rm(file, { force: true });
      removed++;
    }
  }
  return removed;
}

/** The first bytes of the uploaded file, for its signature. */
async function headOf(file: Express.Multer.File, bytes: number): Promise<Buffer> {
  const handle = await fs.promises.open(file.path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(bytes), 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** A .csv must look like text: no NUL bytes at its start (a binary renamed to .csv is refused). Returns the file's path. */
export async function checkCsvUpload(file: Express.Multer.File): Promise<string> {
  if ((await headOf(file, 4096)).includes(0)) throw uploadError('Файл не похож на текстовый CSV');
  return file.path;
}

/** .xlsx or .csv, each checked by its own rules; the path of the checked file. */
export async function checkSpreadsheetUpload(
  file: Express.Multer.File | undefined,
): Promise<{ kind: 'xlsx' | 'csv'; path: string }> {
  if (file && file.size > 0 && /\.csv$/i.test(file.originalname))
    return { kind: 'csv', path: await checkCsvUpload(file) };
  if (file && file.size > 0 && !/\.xlsx$/i.test(file.originalname)) throw uploadError('Нужен файл .xlsx или .csv');
  return { kind: 'xlsx', path: await checkXlsxUpload(file) };
}

const uploadError = (message: string) => new ValidationError([{ field: 'file', message }]);

/** Checks an .xlsx upload before any parser sees it: the name, the zip signature and the central directory. Returns the file's path. */
export async function checkXlsxUpload(file: Express.Multer.File | undefined): Promise<string> {
  if (!file || file.size === 0) throw uploadError('Выберите файл .xlsx');
  if (!/\.xlsx$/i.test(file.originalname)) throw uploadError('Нужен файл Excel в формате .xlsx');
  const head = await headOf(file, 4);
  if (head.length < 4 || head.readUInt32LE(0) !== 0x04034b50)
    throw uploadError('Файл не является книгой Excel (.xlsx)');
  await inspectZip(file.path);
  return file.path;
}

/**
 * The central directory's bounds against zip bombs (too many entries, too much unpacked, a suspicious ratio):
 * the check `openZip` runs on each entry before anything is inflated.
 */
export function zipBombCheck(): (entry: { uncompressedSize: number; compressedSize: number }, count: number) => void {
  let unpacked = 0;
  return (entry, count) => {
    unpacked += entry.uncompressedSize;
    const ratio =
      entry.compressedSize > 0
        ? entry.uncompressedSize / entry.compressedSize
        : entry.uncompressedSize > 0
          ? Infinity
          : 1;
    if (
      count > MAX_ENTRIES ||
      entry.uncompressedSize > MAX_ENTRY_BYTES ||
      unpacked > MAX_UNPACKED_BYTES ||
      (entry.uncompressedSize > 1024 * 1024 && ratio > MAX_RATIO)
    ) {
      throw tooBigError();
    }
  };
}

async function inspectZip(path: string): Promise<void> {
  const opened = await openZip(path, zipBombCheck()).catch((err: unknown) => {
    throw err instanceof ValidationError ? err : uploadError('Файл повреждён: не удалось прочитать архив .xlsx');
  });
  opened.zip.close();
}
