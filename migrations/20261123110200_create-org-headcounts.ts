// The employer's headcount on a date: the denominator of coverage. Kept as history, one row per date.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE org_headcounts (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      organization_id integer NOT NULL REFERENCES organizations(id),
      as_of date NOT NULL,
      employees_total integer NOT NULL CHECK (employees_total >= 0),
      employees_pedagogical integer NOT NULL CHECK (employees_pedagogical >= 0),
      students_total integer NOT NULL DEFAULT 0 CHECK (students_total >= 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (employees_pedagogical <= employees_total),
      UNIQUE (organization_id, as_of)
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE org_headcounts');
}
