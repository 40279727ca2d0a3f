// The default form set of forms.md (the form-*.json files beside this one): each code without a
// version yet is installed as its active version. Versions uploaded later are never touched.
import type { Knex } from 'knex';
import { installDefaultForms } from '../../src/reports/forms/default-forms';

export async function seed(db: Knex): Promise<void> {
  await installDefaultForms(db);
}
