// The union's document templates (the template-*.json files beside this one): a kind without any version
// yet gets the shipped one as version 1. Versions uploaded later at /admin/templates are never touched.
import type { Knex } from 'knex';
import { installDefaultTemplates } from '../../src/templates/default-templates';

export async function seed(db: Knex): Promise<void> {
  await installDefaultTemplates(db);
}
