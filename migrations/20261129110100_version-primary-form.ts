// The primary form is edited on the passport's general form: a change of it bumps the row's version
// like the other fields of that form (optimistic locking, 20261128120000_add-row-versions).
import type { Knex } from 'knex';

const GENERAL = ['name', 'short_name', 'employer_kind', 'employer_inn', 'address', 'phone', 'email', 'website'];

async function versionOn(knex: Knex, columns: string[]) {
  await knex.raw('DROP TRIGGER organizations_version ON organizations');
  await knex.raw(`CREATE TRIGGER organizations_version BEFORE UPDATE OF ${columns.join(', ')} ON organizations
                  FOR EACH ROW EXECUTE FUNCTION bump_row_version()`);
}

export async function up(knex: Knex): Promise<void> {
  await versionOn(knex, [...GENERAL, 'primary_form']);
}

export async function down(knex: Knex): Promise<void> {
  await versionOn(knex, GENERAL);
}
