import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { REFERENCE_DATA_DIR } from '../app-paths';
import { checkTemplate } from './templates.schemas';
import { insertTemplateVersion, lockTemplateKind, nextTemplateVersion } from './templates.repo';

/** The union's default templates, shipped as files in seeds/reference (template-<kind>.json). */
export function readDefaultTemplates(): { file: string; text: string }[] {
  return fs
    .readdirSync(REFERENCE_DATA_DIR)
    .filter((f) => /^template-.+\.json$/.test(f))
    .sort()
    .map((file) => ({ file, text: fs.readFileSync(path.join(REFERENCE_DATA_DIR, file), 'utf8') }));
}

/** Each shipped template becomes version 1 of its kind when the kind has no version yet (a new installation). */
export async function installDefaultTemplates(db: Knex): Promise<void> {
  for (const { file, text } of readDefaultTemplates()) {
    const checked = checkTemplate(text, JSON.parse(text));
    if (!checked.ok) throw new Error(`${file}: ${checked.errors.join('; ')}`);
    const { kind, title } = checked.body;
    await db.transaction(async (trx) => {
      // one installer at a time per kind (two app instances migrating at once)
      await lockTemplateKind(trx, kind);
      if ((await nextTemplateVersion(trx, kind)) > 1) return;
      await insertTemplateVersion(trx, { kind, version: 1, title, body: checked.body, uploadedBy: null });
    });
  }
}
