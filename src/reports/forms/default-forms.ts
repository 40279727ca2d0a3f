import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { REFERENCE_DATA_DIR } from '../../app-paths';
import { compileDefinition } from './compile';
import { installActiveVersion, lockFormCode, nextVersionNumber } from './forms.repo';

/** The union's default forms, shipped as files in seeds/reference (form-<code>.json). */
export function readDefaultForms(): { file: string; definition: unknown }[] {
  return fs
    .readdirSync(REFERENCE_DATA_DIR)
    .filter((f) => /^form-.+\.json$/.test(f))
    .sort()
    .map((file) => ({ file, definition: JSON.parse(fs.readFileSync(path.join(REFERENCE_DATA_DIR, file), 'utf8')) }));
}

/**
 * Installs each default form as the active version of its code when the shipped version is newer than
 * every stored one (a new installation, or a release that ships a new version): the previous active
 * version is retired, and reports filed on it keep it (they point at their form version). A version an
 * administrator uploaded with the same or a higher number is left alone.
 */
export async function installDefaultForms(db: Knex): Promise<void> {
  for (const { file, definition } of readDefaultForms()) {
    const result = compileDefinition(definition);
    if (!result.ok) throw new Error(`${file}: ${result.errors.join('; ')}`);
    const def = result.form.def;
    await db.transaction(async (trx) => {
      // one installer at a time per code (two app instances migrating at once)
      await lockFormCode(trx, def.code);
      // a stored version as new as the shipped one (or newer) stays
      if ((await nextVersionNumber(trx, def.code)) > def.version) return;
      await installActiveVersion(trx, { code: def.code, version: def.version, title: def.title, definition });
    });
  }
}
