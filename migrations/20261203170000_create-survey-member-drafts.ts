// A member poll's draft (issue #20 item 1): what a member saved with «Сохранить черновик» before submitting,
// one row per poll and member, keyed to the poll's target row (a draft only of a poll sent to the member). The
// draft names its member while it exists — of an anonymous poll too, so the page says so — and is deleted in
// the submit's transaction: once a poll is answered no draft of it is left to pair the answer with a person
// (survey_member_answers stays nameless). Drafts of closed polls are deleted by the hourly housekeeping.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE survey_member_drafts (
      survey_id bigint NOT NULL,
      member_id bigint NOT NULL,
      answers jsonb NOT NULL,
      saved_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (survey_id, member_id),
      FOREIGN KEY (survey_id, member_id) REFERENCES survey_member_targets (survey_id, member_id) ON DELETE CASCADE
    )`);
  await knex.raw('CREATE INDEX survey_member_drafts_member_idx ON survey_member_drafts (member_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE survey_member_drafts');
}
