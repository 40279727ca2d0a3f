import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { ValidationError } from '../http/errors';
import { zipBombCheck } from '../imports/upload';
import { openZip, type OpenZip } from '../imports/zip';
import { PRIVATE_FILE_MODE, ensurePrivateDir } from '../shared/private-files';
import { FILE_KINDS, type FileKind } from './library.schemas';

const refused = (message: string) => new ValidationError([{ field: 'file', message }]);

/** An uploaded file as the route hands it over (multer's temporary file). */
export interface Upload {
  path: string;
  originalName: string;
  size: number;
}

/** Multer decodes the multipart file name as Latin-1: a Cyrillic name arrives as its UTF-8 bytes. */
export function uploadedName(raw: string): string {
  const decoded = Buffer.from(raw, 'latin1').toString('utf8');
  // eslint-disable-next-line no-control-regex -- control characters have no place in a file name
  const name = (decoded.includes('\uFFFD') ? raw : decoded).replace(/[\\/]/g, '_').replace(/[\u0000-\u001f]/g, '');
  return name.slice(-255) || 'document';
}

/** What a zip-based office file declares itself to be: its main part's content type, or ODF's `mimetype` entry. */
const OOXML_MAIN: Record<string, FileKind> = {
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml': 'xlsx',
};
const ODT_MIME = 'application/vnd.oasis.opendocument.text';
/** The parts read to tell the type are a few kilobytes; more is no honest file. */
const TYPE_PART_BYTES = 256 * 1024;

async function textOf(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function headOf(file: string, bytes: number): Promise<Buffer> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(bytes), 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function zipKind(opened: OpenZip): Promise<FileKind | null> {
  const mimetype = opened.entries.get('mimetype');
  if (mimetype) {
    const declared = (await textOf(await opened.open(mimetype, TYPE_PART_BYTES))).trim();
    return declared === ODT_MIME && opened.entries.has('content.xml') ? 'odt' : null;
  }
  const types = opened.entries.get('[Content_Types].xml');
  if (!types) return null;
  const xml = await textOf(await opened.open(types, TYPE_PART_BYTES));
  for (const match of xml.matchAll(/ContentType\s*=\s*"([^"]+)"/g)) {
    const kind = OOXML_MAIN[match[1]!];
    if (kind) return kind;
  }
  return null;
}

/**
 * The file's type told by its content — a PDF's signature, or for a zip the content types it declares (a
 * DOCX's main document part, an XLSX's workbook, ODF's `mimetype`) — never by its name; then the name's
 * extension must say the same, so that a file is never offered for download as what it is not.
 */
export async function detectKind(file: string, fileName: string): Promise<FileKind> {
  const head = await headOf(file, 8);
  let kind: FileKind | null = null;
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') kind = 'pdf';
  else if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) {
    const opened = await openZip(file, zipBombCheck()).catch((err: unknown) => {
      throw err instanceof ValidationError ? err : refused('Файл повреждён: архив не читается');
    });
    try {
      kind = await zipKind(opened);
    } finally {
      opened.zip.close();
    }
  }
  if (!kind) throw refused('Файл не является документом PDF, DOCX, XLSX или ODT (проверяется содержимое, а не имя)');
  const extension = path.extname(fileName).slice(1).toLowerCase();
  if (extension !== kind)
    throw refused(
      `По содержимому это файл ${FILE_KINDS[kind].label}, а имя оканчивается на «.${extension}»: переименуйте файл в .${kind}`,
    );
  return kind;
}

export async function sha256Of(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

const CHECKSUM = /^[0-9a-f]{64}$/;

/**
 * The library's files on disk, each named by its SHA-256: the same content uploaded twice is one file.
 * A file is copied under a temporary name in the same folder, flushed and then renamed, so a reader never
 * finds a half-written file under a checksum's name (a rename within a folder is atomic).
 */
export function createLibraryStore(dir: string) {
  const ready = () => ensurePrivateDir(dir, 'LIBRARY_DIR');
  const fileOf = (sha256: string) => {
    if (!CHECKSUM.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
    return path.join(dir, sha256);
  };
  const store = {
    fileOf,
    /**
     * Checks an upload by its content and size and keeps it under its checksum: what a row naming the file
     * records (the library's versions, the documents of an officer's personnel file).
     */
    async accept(upload: Upload | undefined, maxBytes: number) {
      if (!upload || upload.size === 0) throw refused('Выберите файл документа (PDF, DOCX, XLSX или ODT)');
      if (upload.size > maxBytes) throw refused(`Файл больше ${Math.round(maxBytes / 1024 / 1024)} МБ`);
      const fileName = uploadedName(upload.originalName);
      const kind = await detectKind(upload.path, fileName);
      const sha256 = await sha256Of(upload.path);
      await store.keep(upload.path, sha256);
      return { fileName, kind, sha256, sizeBytes: upload.size };
    },
    /** The stored file of a checksum with its size, or undefined when it is missing from the folder. */
    async stat(sha256: string) {
      const file = fileOf(sha256);
      const stat = await fs.promises.stat(file).catch(() => undefined);
      return stat && { path: file, size: stat.size };
    },
    /** Keeps the uploaded file under its checksum (the upload itself is removed when its request ends). */
    async keep(upload: string, sha256: string): Promise<void> {
      ready();
      const target = fileOf(sha256);
      if (fs.existsSync(target)) return;
      const temp = path.join(dir, `.${sha256}.${crypto.randomBytes(6).toString('hex')}.part`);
      try {
        await fs.promises.copyFile(upload, temp);
        await fs.promises.chmod(temp, PRIVATE_FILE_MODE);
        const handle = await fs.promises.open(temp, 'r+');
        await handle.sync().finally(() => handle.close());
        await fs.promises.rename(temp, target);
      } catch (err) {
        await fs.promises.rm(temp, { force: true });
        throw err;
      }
    },
  };
  return store;
}

export type LibraryStore = ReturnType<typeof createLibraryStore>;
