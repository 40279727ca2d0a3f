// Files that passed an import's check, kept for the user who checked them so that loading them does
// not mean choosing the file again; the file itself lies in the upload folder's private «checked» folder.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE checked_uploads (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      organization_id integer NOT NULL REFERENCES organizations(id),
      file_name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw('CREATE INDEX checked_uploads_created_idx ON checked_uploads (created_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE checked_uploads');
}
