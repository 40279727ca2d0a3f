// Issue 21, item 2: report-and-election campaigns. The federal or a regional level declares one (its period,
// the levels in scope and a deadline per level); every open organization of those levels in its subtree gets
// a task, fixed when it is declared. A task records the result — the meeting or conference held on a date
// with its protocol and the chair it elected (an org_officers row, written in the same transaction) — or that
// it was postponed, with the reason and the new date. Whether a task is held, scheduled or overdue on a date
// is computed from these dates, never stored.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE campaigns (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      organization_id integer NOT NULL REFERENCES organizations (id),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
      starts_on date NOT NULL,
      ends_on date NOT NULL,
      created_by integer REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (ends_on >= starts_on)
    )`);
  await knex.raw('CREATE INDEX campaigns_organization_idx ON campaigns (organization_id)');
  await knex.raw(`
    CREATE TABLE campaign_levels (
      campaign_id integer NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
      level text NOT NULL,
      deadline date NOT NULL,
      PRIMARY KEY (campaign_id, level)
    )`);
  await knex.raw(`
    CREATE TABLE campaign_tasks (
      campaign_id integer NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
      organization_id integer NOT NULL REFERENCES organizations (id),
      level text NOT NULL,
      deadline date NOT NULL,
      outcome text CHECK (outcome IN ('held', 'postponed')),
      body_kind text CHECK (body_kind IN ('meeting', 'conference')),
      held_on date,
      protocol_number text,
      protocol_date date,
      chair_officer_id integer REFERENCES org_officers (id),
      postponed_reason text,
      postponed_to date,
      recorded_by integer REFERENCES users (id) ON DELETE SET NULL,
      recorded_at timestamptz,
      PRIMARY KEY (campaign_id, organization_id),
      CHECK (outcome IS DISTINCT FROM 'held' OR (held_on IS NOT NULL AND body_kind IS NOT NULL
             AND protocol_number IS NOT NULL AND protocol_date IS NOT NULL AND chair_officer_id IS NOT NULL)),
      CHECK (outcome IS DISTINCT FROM 'postponed' OR (postponed_reason IS NOT NULL AND postponed_to IS NOT NULL))
    )`);
  await knex.raw('CREATE INDEX campaign_tasks_organization_idx ON campaign_tasks (organization_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE campaign_tasks');
  await knex.raw('DROP TABLE campaign_levels');
  await knex.raw('DROP TABLE campaigns');
}
