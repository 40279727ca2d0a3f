// One row per address of a mailing: its delivery state machine. `queued` waits for a worker; `sending` is
// claimed (FOR UPDATE SKIP LOCKED) by the worker handing it to the mail server right now; then `sent`,
// `deferred` (a 4xx: tried again at next_attempt_at), `bounced` (hard: refused for good, or soft: deferred
// too many times; with the reason), `complained` or `unsubscribed` (consent withdrawn before its turn), or
// `uncertain` (its worker stopped mid-send: the server may have the letter, so it is never sent again).
// `token` names the letter in its envelope sender and Message-ID, so a bounce report finds its row.
// `source`: the address is the member card's or the organization passport's (a chair's official address).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE mailing_recipients (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      mailing_id bigint NOT NULL REFERENCES mailings(id) ON DELETE CASCADE,
      address text NOT NULL CHECK (length(address) <= 254),
      source text NOT NULL CHECK (source IN ('member','passport')),
      member_id bigint REFERENCES members(id) ON DELETE SET NULL,
      organization_id integer NOT NULL REFERENCES organizations(id),
      status text NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued','sending','sent','deferred','bounced','complained','unsubscribed','uncertain')),
      bounce text CHECK (bounce IN ('hard','soft')),
      reason text CHECK (length(reason) <= 500),
      attempts smallint NOT NULL DEFAULT 0,
      next_attempt_at timestamptz,
      token uuid NOT NULL DEFAULT gen_random_uuid(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((status = 'bounced') = (bounce IS NOT NULL))
    )`);
  await knex.raw('CREATE UNIQUE INDEX mailing_recipients_address_idx ON mailing_recipients (mailing_id, lower(address))');
  await knex.raw('CREATE UNIQUE INDEX mailing_recipients_token_idx ON mailing_recipients (token)');
  await knex.raw(
    "CREATE INDEX mailing_recipients_pending_idx ON mailing_recipients (mailing_id, id) WHERE status IN ('queued','deferred','sending')",
  );
  await knex.raw('CREATE INDEX mailing_recipients_status_idx ON mailing_recipients (mailing_id, status)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE mailing_recipients');
}
