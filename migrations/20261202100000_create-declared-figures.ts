// The statistical report's own numbers (members total and by category, organizations by level) per
// organization and date, which the monitoring compares the registry with (issue #17). They are entered on
// the monitoring page or imported from XLSX; filed reports, when they exist, are read from the reports
// instead. One row per organization and report date: a second entry for the same date replaces the first.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE declared_figures (
      organization_id integer NOT NULL REFERENCES organizations(id),
      on_date date NOT NULL,
      members_total integer NOT NULL CHECK (members_total >= 0),
      working integer CHECK (working >= 0),
      student integer CHECK (student >= 0),
      pensioner integer CHECK (pensioner >= 0),
      unemployed integer CHECK (unemployed >= 0),
      territorial_orgs integer CHECK (territorial_orgs >= 0),
      primary_orgs integer CHECK (primary_orgs >= 0),
      source text NOT NULL CHECK (source IN ('entered', 'imported')),
      entered_by integer REFERENCES users(id),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (organization_id, on_date)
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE declared_figures');
}
