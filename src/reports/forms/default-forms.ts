import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { REFERENCE_SEEDS_DIR } from '../../db/migrate';
import { compileDefinition } from './compile';

/** The default set of forms.md, shipped as files in seeds/reference (form-<code>.json). */
export function readDefaultForms(): { file: string; definition: unknown }[] {
  return fs
    .readdirSync(REFERENCE_SEEDS_DIR)
    .filter((f) => /^form-.+\.json$/.test(f))
    .sort()
    .map((file) => ({ file, definition: JSON.parse(fs.readFileSync(path.join(REFERENCE_SEEDS_DIR, file), 'utf8')) }));
}

/** Installs each default form whose code has no version yet, as the active version. */
export async function installDefaultForms(db: Knex): Promise<void> {
  for (const { file, definition } of readDefaultForms()) {
    const result = compileDefinition(definition);
    if (!result.ok) throw new Error(`${file}: ${result.errors.join('; ')}`);
    const def = result.form.def;
    const exists = await db('form_versions').where({ code: def.code }).first('id');
    if (exists) continue;
    await db('form_versions').insert({
      code: def.code, version: def.version, title: def.title, definition: JSON.stringify(definition), status: 'active', activated_at: db.fn.now(),
    });
  }
}
