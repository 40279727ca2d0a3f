import type { RequestHandler } from 'express';
import multer from 'multer';
import yauzl from 'yauzl';
import { ValidationError } from '../http/errors';

export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
// An .xlsx is a zip of a few dozen XML parts; these bounds leave room for 100,000-row sheets
// and stop zip bombs (thousands of entries, gigabytes unpacked, ratios in the thousands).
const MAX_ENTRIES = 2000;
const MAX_UNPACKED_BYTES = 300 * 1024 * 1024;
const MAX_RATIO = 200;

/** One file in memory, within the size limit; anything else in the form stays a text field. */
function singleUpload(maxBytes = MAX_UPLOAD_BYTES) {
  return multer({ storage: multer.memoryStorage(), limits: { fileSize: maxBytes, files: 1, fields: 20 } }).single('file');
}

/** The upload as middleware: multer's own refusals (too large, several files) become a Russian field error. */
export function uploadFile(maxBytes = MAX_UPLOAD_BYTES): RequestHandler {
  const handle = singleUpload(maxBytes);
  return (req, res, next) => {
    handle(req, res, (err: unknown) => {
      if (!err) return next();
      const tooLarge = (err as { code?: string }).code === 'LIMIT_FILE_SIZE';
      next(uploadError(tooLarge ? `Файл больше ${Math.round(maxBytes / 1024 / 1024)} МБ` : 'Не удалось принять файл'));
    });
  };
}

/** A .csv must look like text: no NUL bytes at its start (a binary renamed to .csv is refused). */
export function checkCsvUpload(file: Express.Multer.File): Buffer {
  if (file.buffer.subarray(0, 4096).includes(0)) throw uploadError('Файл не похож на текстовый CSV');
  return file.buffer;
}

/** .xlsx or .csv, each checked by its own rules. */
export async function checkSpreadsheetUpload(file: Express.Multer.File | undefined): Promise<{ kind: 'xlsx' | 'csv'; data: Buffer }> {
  if (file && file.size > 0 && /\.csv$/i.test(file.originalname)) return { kind: 'csv', data: checkCsvUpload(file) };
  if (file && file.size > 0 && !/\.xlsx$/i.test(file.originalname)) throw uploadError('Нужен файл .xlsx или .csv');
  return { kind: 'xlsx', data: await checkXlsxUpload(file) };
}

const uploadError = (message: string) => new ValidationError([{ field: 'file', message }]);

/** Checks an .xlsx upload before any parser sees it: the name, the zip signature and the central directory. */
export async function checkXlsxUpload(file: Express.Multer.File | undefined): Promise<Buffer> {
  if (!file || file.size === 0) throw uploadError('Выберите файл .xlsx');
  if (!/\.xlsx$/i.test(file.originalname)) throw uploadError('Нужен файл Excel в формате .xlsx');
  const data = file.buffer;
  if (data.length < 4 || data.readUInt32LE(0) !== 0x04034b50) throw uploadError('Файл не является книгой Excel (.xlsx)');
  await inspectZip(data);
  return data;
}

function inspectZip(data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(data, { lazyEntries: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(uploadError('Файл повреждён: не удалось прочитать архив .xlsx'));
      let entries = 0;
      let unpacked = 0;
      zip.on('entry', (entry: yauzl.Entry) => {
        entries += 1;
        unpacked += entry.uncompressedSize;
        const ratio = entry.compressedSize > 0 ? entry.uncompressedSize / entry.compressedSize : entry.uncompressedSize > 0 ? Infinity : 1;
        if (entries > MAX_ENTRIES || unpacked > MAX_UNPACKED_BYTES || (entry.uncompressedSize > 1024 * 1024 && ratio > MAX_RATIO)) {
          zip.close();
          return reject(uploadError('Файл отклонён: содержимое архива подозрительно велико'));
        }
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', () => reject(uploadError('Файл повреждён: не удалось прочитать архив .xlsx')));
      zip.readEntry();
    });
  });
}
