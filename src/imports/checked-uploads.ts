import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { ValidationError } from '../http/errors';
import { ensurePrivateDir } from '../shared/private-files';
import { isUuid } from '../shared/uuid';
import { deleteCheckedUploadsOlderThan, insertCheckedUpload, takeCheckedUpload } from './checked-uploads.repo';

/** How long a checked file waits to be loaded: long enough to read the check's result, short for personal data at rest. */
export const CHECKED_UPLOAD_HOURS = 1;
const TTL = `${CHECKED_UPLOAD_HOURS} hours`;
const HOUR_MS = 60 * 60 * 1000;

const refused = (message: string) => new ValidationError([{ field: 'file', message }]);

/**
 * Files that passed an import's check, kept (0600, in the upload folder's own «checked» folder) for the
 * user who checked them, so that loading them is one click rather than choosing the same file again.
 * A kept file is used once: taking it removes its record, so two clicks cannot load it twice.
 */
export function createCheckedUploads(db: Knex, uploadDir: string) {
  const folder = path.join(uploadDir, 'checked');
  const fileOf = (id: string) => path.join(folder, id);

  return {
    /** Moves the request's uploaded file (already private) into the kept folder; returns its id. */
    async keep(userId: number, organizationId: number, file: Express.Multer.File): Promise<string> {
      ensurePrivateDir(folder, 'UPLOAD_DIR');
      const id = await insertCheckedUpload(db, { userId, organizationId, fileName: file.originalname });
      await fs.promises.rename(file.path, fileOf(id));
      return id;
    },

    /**
     * The kept file of this user's check for this organization, taken for one use (the caller removes it
     * with `discard`); another user's id, a used one or an unknown one are refused alike, an expired one says so.
     */
    async take(userId: number, organizationId: number, id: unknown): Promise<{ id: string; path: string }> {
      if (!isUuid(id)) throw refused('Проверенный файл не найден: выберите файл снова');
      const row = await takeCheckedUpload(db, id, userId, organizationId);
      if (!row || !fs.existsSync(fileOf(id))) throw refused('Проверенный файл не найден: выберите файл снова');
      if (new Date(row.createdAt).getTime() < Date.now() - CHECKED_UPLOAD_HOURS * HOUR_MS) {
        await this.discard(id);
        throw refused(`Проверенный файл хранится ${CHECKED_UPLOAD_HOURS} час, этот срок прошёл: выберите файл снова`);
      }
      return { id, path: fileOf(id) };
    },

    discard: (id: string) => fs.promises.rm(fileOf(id), { force: true }),
  };
}

/** Forgets the checks nobody loaded in time, records and files (hourly housekeeping). Returns how many. */
export async function pruneCheckedUploads(db: Knex, uploadDir: string): Promise<number> {
  const expired = await deleteCheckedUploadsOlderThan(db, TTL);
  await Promise.all(expired.map((id) => fs.promises.rm(path.join(uploadDir, 'checked', id), { force: true })));
  return expired.length;
}
