// Online admission (issue 18, items 1 and 2): an application to a ППО, unconfirmed until its e-mail link is
// followed, then in the chair's queue until accepted (the member card it became), rejected (with a
// reason mailed to the applicant) or sent to the transfer path (the person is a member elsewhere).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE join_applications (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      organization_id integer NOT NULL REFERENCES organizations(id),
      status text NOT NULL DEFAULT 'unconfirmed'
        CHECK (status IN ('unconfirmed', 'confirmed', 'accepted', 'rejected', 'transfer')),
      surname text NOT NULL,
      name text NOT NULL,
      patronymic text,
      sex text NOT NULL CHECK (sex IN ('m', 'f')),
      birth_date date NOT NULL,
      email text NOT NULL,
      phone text,
      snils text,
      category text NOT NULL,
      workplace text,
      position text,
      consent_version text NOT NULL,
      mailing_consent boolean NOT NULL DEFAULT false,
      confirm_token_hash bytea NOT NULL UNIQUE,
      ip inet,
      created_at timestamptz NOT NULL DEFAULT now(),
      confirmed_at timestamptz,
      decided_at timestamptz,
      decided_by integer REFERENCES users(id),
      reject_reason text,
      member_id bigint REFERENCES members(id),
      CHECK ((status = 'unconfirmed') = (confirmed_at IS NULL))
    )`);
  // the queue of a ППО, and the escalated ones of a territory (confirmed more than 30 days ago)
  await knex.raw(
    `CREATE INDEX join_applications_waiting_idx ON join_applications (organization_id, confirmed_at) WHERE status = 'confirmed'`,
  );
  // the monitoring's admissions by organization in a period
  await knex.raw(
    `CREATE INDEX join_applications_accepted_idx ON join_applications (organization_id, decided_at) WHERE status = 'accepted'`,
  );
  // unconfirmed ones are forgotten after a while (housekeeping)
  await knex.raw(
    `CREATE INDEX join_applications_unconfirmed_idx ON join_applications (created_at) WHERE status = 'unconfirmed'`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE join_applications');
}
