// A meeting may be cancelled with its reason (issue 21, item 3 follow-up): a cancelled meeting keeps its row
// (it was announced, perhaps invitations went out) but takes no registration and is not «held».
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE meetings DROP CONSTRAINT meetings_status_check');
  await knex.raw(`
    ALTER TABLE meetings
      ADD CONSTRAINT meetings_status_check CHECK (status IN ('scheduled','open','closed','cancelled')),
      ADD COLUMN cancel_reason text CHECK (length(cancel_reason) <= 500),
      ADD COLUMN cancelled_at timestamptz,
      ADD CONSTRAINT meetings_cancelled_has_reason CHECK ((status = 'cancelled') = (cancel_reason IS NOT NULL))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("DELETE FROM meetings WHERE status = 'cancelled'");
  await knex.raw(`
    ALTER TABLE meetings DROP CONSTRAINT meetings_cancelled_has_reason, DROP COLUMN cancel_reason,
      DROP COLUMN cancelled_at, DROP CONSTRAINT meetings_status_check,
      ADD CONSTRAINT meetings_status_check CHECK (status IN ('scheduled','open','closed'))`);
}
