// A bulk provisioning of chairs sends its invitations after the request (a region's thousands of letters
// outlast it): each run records how many logins it made and how many letters went out or failed, so the
// monitoring page shows the progress and the outcome.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE provisioning_runs (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      organization_id integer NOT NULL REFERENCES organizations(id),
      started_by integer NOT NULL REFERENCES users(id),
      created integer NOT NULL CHECK (created >= 0),
      sent integer NOT NULL DEFAULT 0,
      failed integer NOT NULL DEFAULT 0,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`);
  await knex.raw('CREATE INDEX provisioning_runs_organization_idx ON provisioning_runs (organization_id, id DESC)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE provisioning_runs');
}
