// The life of an organization: created, renamed, moved, merged, liquidated, each dated. A move keeps the
// old parent so that the tree as of a past date can be rebuilt for past reports.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE org_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      organization_id integer NOT NULL REFERENCES organizations(id),
      kind text NOT NULL CHECK (kind IN ('created','renamed','moved','merged','liquidated')),
      happened_on date NOT NULL,
      old_parent_id integer REFERENCES organizations(id),
      new_parent_id integer REFERENCES organizations(id),
      old_name text,
      new_name text,
      merged_into_id integer REFERENCES organizations(id),
      members_moved integer,
      actor_user_id integer REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw('CREATE INDEX org_events_organization_idx ON org_events (organization_id, happened_on)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE org_events');
}
