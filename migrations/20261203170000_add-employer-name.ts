// The employer's name beside its INN on the passport's general data (issue 20, item 3): the application for
// dues withholding is addressed to the employer's head, and the registry had only the INN to name it by.
// The column is one of those the general form shows, so a change of it bumps the row's version like theirs
// (optimistic locking, 20261128120000_add-row-versions). The trigger's columns are read from the catalog and
// this one added: another migration of the same session that adds a column of its own keeps it either way.
import type { Knex } from 'knex';

async function versionedColumns(knex: Knex): Promise<string[]> {
  const r = await knex.raw(`
    SELECT a.attname FROM pg_trigger t
    CROSS JOIN LATERAL unnest(t.tgattr::int2[]) WITH ORDINALITY AS k(attnum, n)
    JOIN pg_attribute a ON a.attrelid = t.tgrelid AND a.attnum = k.attnum
    WHERE t.tgrelid = 'organizations'::regclass AND t.tgname = 'organizations_version'
    ORDER BY k.n`);
  return (r.rows as { attname: string }[]).map((row) => row.attname);
}

async function versionOn(knex: Knex, columns: string[]) {
  await knex.raw('DROP TRIGGER organizations_version ON organizations');
  await knex.raw(`CREATE TRIGGER organizations_version BEFORE UPDATE OF ${columns.join(', ')} ON organizations
                  FOR EACH ROW EXECUTE FUNCTION bump_row_version()`);
}

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE organizations ADD COLUMN employer_name text CHECK (length(employer_name) <= 500)');
  await versionOn(knex, [...(await versionedColumns(knex)), 'employer_name']);
}

export async function down(knex: Knex): Promise<void> {
  await versionOn(
    knex,
    (await versionedColumns(knex)).filter((c) => c !== 'employer_name'),
  );
  await knex.raw('ALTER TABLE organizations DROP COLUMN employer_name');
}
