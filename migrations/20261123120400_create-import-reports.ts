// Error reports of imports, downloadable by the user who ran the import only, kept for a week.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE import_reports (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      organization_id integer NOT NULL REFERENCES organizations(id),
      issues jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw('CREATE INDEX import_reports_created_idx ON import_reports (created_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE import_reports');
}
