// Letters go through the job queue (pg-boss): the outbox row is the letter's durable record and its
// delivery state. `queued` waits for the worker; `sending` is claimed by a worker that is handing it to
// the mail server; `uncertain` was being handed over when its worker stopped, so it is not sent again
// by itself (a letter is never sent twice); `failed` was refused for good. `batch` groups the letters of
// one bulk run (the chairs' invitations) so its progress is counted from the letters themselves.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_status_check');
  await knex.raw(`
    ALTER TABLE mail_outbox
      ADD CONSTRAINT mail_outbox_status_check
        CHECK (status IN ('kept','queued','sending','sent','failed','uncertain')),
      ADD COLUMN attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
      ADD COLUMN batch text CHECK (length(batch) <= 100),
      ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`);
  await knex.raw('CREATE INDEX mail_outbox_batch_idx ON mail_outbox (batch, status) WHERE batch IS NOT NULL');
  await knex.raw(
    "CREATE INDEX mail_outbox_unsent_idx ON mail_outbox (id DESC) WHERE status IN ('queued','sending','failed','uncertain')",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX mail_outbox_unsent_idx');
  await knex.raw('DROP INDEX mail_outbox_batch_idx');
  await knex.raw("UPDATE mail_outbox SET status = 'failed' WHERE status IN ('queued','sending','uncertain')");
  await knex.raw('ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_status_check');
  await knex.raw('ALTER TABLE mail_outbox DROP COLUMN attempts, DROP COLUMN batch, DROP COLUMN updated_at');
  await knex.raw("ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_status_check CHECK (status IN ('kept','sent','failed'))");
}
