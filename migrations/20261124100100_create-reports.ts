// Statistical reporting. Form definitions are data (form_versions, one active version per code); a
// report is (organization, form, date) with a status, and every filing is a frozen version that keeps
// the form version it was computed with, so a later definition never changes a filed report.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE form_versions (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      code text NOT NULL,
      version integer NOT NULL CHECK (version > 0),
      title text NOT NULL,
      definition jsonb NOT NULL,
      status text NOT NULL CHECK (status IN ('draft','active','retired')),
      uploaded_by integer REFERENCES users(id),
      uploaded_at timestamptz NOT NULL DEFAULT now(),
      activated_at timestamptz,
      UNIQUE (code, version)
    )`);
  await knex.raw("CREATE UNIQUE INDEX form_versions_one_active ON form_versions (code) WHERE status = 'active'");
  await knex.raw(`
    CREATE TABLE reports (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      organization_id integer NOT NULL REFERENCES organizations(id),
      form_code text NOT NULL,
      report_date date NOT NULL,
      status text NOT NULL CHECK (status IN ('draft','submitted','accepted','returned')),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (organization_id, form_code, report_date)
    )`);
  await knex.raw('CREATE INDEX reports_form_date_idx ON reports (form_code, report_date, status)');
  await knex.raw(`
    CREATE TABLE report_versions (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      report_id integer NOT NULL REFERENCES reports(id),
      number integer NOT NULL CHECK (number > 0),
      form_version_id integer NOT NULL REFERENCES form_versions(id),
      result jsonb NOT NULL,
      filed_by integer REFERENCES users(id),
      filed_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (report_id, number)
    )`);
  await knex.raw(`
    CREATE TABLE report_events (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      report_id integer NOT NULL REFERENCES reports(id),
      action text NOT NULL CHECK (action IN ('filed','accepted','returned','reopened')),
      version_number integer,
      comment text CHECK (length(comment) <= 2000),
      actor_user_id integer REFERENCES users(id),
      happened_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw('CREATE INDEX report_events_report_idx ON report_events (report_id, happened_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE report_events');
  await knex.raw('DROP TABLE report_versions');
  await knex.raw('DROP TABLE reports');
  await knex.raw('DROP TABLE form_versions');
}
