// A migration that has landed (is on main, so some database may have run it) is never edited: a database
// migrated before the edit would silently lack it. migrations/landed.json records each landed file's
// sha256; the check (test/unit/landed-migrations.test.ts) fails when one changes or disappears, and
// `npm run migrations:record` records new files.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { APP_ROOT, MIGRATIONS_DIR } from '../src/app-paths';
import { listMigrationFiles } from '../src/db/migrate';

/** Kept with the sources, not built into dist/: a record for development and review. */
export const LANDED_FILE = path.join(APP_ROOT, 'migrations', 'landed.json');
export const RECORD_COMMAND = 'npm run migrations:record';

export type MigrationHashes = Record<string, string>;

/** sha256 of the text with line endings normalised, so a checkout with CRLF endings hashes the same. */
export function hashMigrationText(text: string): string {
  return crypto.createHash('sha256').update(text.replace(/\r\n/g, '\n')).digest('hex');
}

export function currentMigrationHashes(): MigrationHashes {
  return Object.fromEntries(
    listMigrationFiles().map((file) => [
      file,
      hashMigrationText(fs.readFileSync(path.join(MIGRATIONS_DIR, file), 'utf8')),
    ]),
  );
}

export function readLandedHashes(): MigrationHashes {
  return fs.existsSync(LANDED_FILE) ? (JSON.parse(fs.readFileSync(LANDED_FILE, 'utf8')) as MigrationHashes) : {};
}

export function writeLandedHashes(hashes: MigrationHashes): void {
  const sorted = Object.fromEntries(Object.entries(hashes).sort(([a], [b]) => a.localeCompare(b)));
  fs.writeFileSync(LANDED_FILE, `${JSON.stringify(sorted, null, 2)}\n`);
}

export interface LandedDrift {
  /** landed files whose content differs from the recorded hash */
  changed: string[];
  /** landed files no longer in migrations/ */
  missing: string[];
  /** migration files not recorded yet */
  unrecorded: string[];
}

export function compareWithLanded(landed: MigrationHashes, current: MigrationHashes): LandedDrift {
  return {
    changed: Object.keys(landed).filter((f) => f in current && current[f] !== landed[f]),
    missing: Object.keys(landed).filter((f) => !(f in current)),
    unrecorded: Object.keys(current).filter((f) => !(f in landed)),
  };
}

/** One line per problem, each saying what to do about it. */
export function describeDrift(drift: LandedDrift): string[] {
  return [
    ...drift.changed.map(
      (f) =>
        `${f} was edited after it landed: restore it and add a new migration instead (a database migrated before the edit never sees it)`,
    ),
    ...drift.missing.map(
      (f) => `${f} landed and is gone: restore it and add a new migration instead to undo what it did`,
    ),
    ...drift.unrecorded.map(
      (f) => `${f} is not recorded as landed: run \`${RECORD_COMMAND}\` and commit migrations/landed.json`,
    ),
  ];
}
