// Big exports run as jobs: queued, claimed by a worker (SKIP LOCKED), written to a temporary file
// that is renamed only when complete, downloadable by the requester until it expires.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE export_jobs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      organization_id integer NOT NULL REFERENCES organizations(id),
      format text NOT NULL CHECK (format IN ('xlsx', 'csv')),
      filter jsonb NOT NULL,
      status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
      rows_total integer,
      rows_done integer NOT NULL DEFAULT 0,
      file_name text,
      error text,
      attempts smallint NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz,
      expires_at timestamptz NOT NULL DEFAULT now() + interval '24 hours'
    )`);
  await knex.raw("CREATE INDEX export_jobs_queue_idx ON export_jobs (created_at) WHERE status IN ('queued', 'running')");
  await knex.raw('CREATE INDEX export_jobs_user_idx ON export_jobs (user_id, created_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE export_jobs');
}
