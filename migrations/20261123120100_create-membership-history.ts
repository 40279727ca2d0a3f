// Membership is history. Every change is an event (who, when, why, by which document); the events
// are also kept as non-overlapping periods (member, organization, category) so that "the registry as
// of date D" is one indexed range query: valid_from <= D < valid_to.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE EXTENSION IF NOT EXISTS btree_gist');
  await knex.raw(`
    CREATE TABLE membership_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      member_id bigint NOT NULL REFERENCES members(id),
      kind text NOT NULL CHECK (kind IN ('admitted','transferred','category_changed','left','readmitted')),
      happened_on date NOT NULL,
      from_organization_id integer REFERENCES organizations(id),
      to_organization_id integer REFERENCES organizations(id),
      category text CHECK (category IN ('working','student','pensioner','unemployed')),
      reason text,
      document_number text,
      document_date date,
      actor_user_id integer REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw('CREATE INDEX membership_events_member_idx ON membership_events (member_id, happened_on, id)');
  await knex.raw('CREATE INDEX membership_events_to_org_idx ON membership_events (to_organization_id, happened_on)');
  await knex.raw('CREATE INDEX membership_events_from_org_idx ON membership_events (from_organization_id, happened_on)');
  await knex.raw(`
    CREATE TABLE member_periods (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      member_id bigint NOT NULL REFERENCES members(id),
      organization_id integer NOT NULL REFERENCES organizations(id),
      category text NOT NULL CHECK (category IN ('working','student','pensioner','unemployed')),
      is_pedagogical boolean NOT NULL DEFAULT false,
      valid_from date NOT NULL,
      valid_to date,
      CHECK (valid_to IS NULL OR valid_to > valid_from),
      EXCLUDE USING gist (member_id WITH =, daterange(valid_from, valid_to) WITH &&)
    )`);
  await knex.raw('CREATE INDEX member_periods_organization_idx ON member_periods (organization_id, valid_from)');
  await knex.raw('CREATE INDEX member_periods_open_idx ON member_periods (member_id) WHERE valid_to IS NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE member_periods');
  await knex.raw('DROP TABLE membership_events');
}
