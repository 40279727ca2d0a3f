// Member polls (issue #20 item 1): a survey may go to members of the subtree (the member list's filters, with
// their mailing consent) rather than to organizations; they answer once from their personal account. An
// anonymous poll keeps no link from an answer to a person: who has answered is a table of its own
// (survey_respondents, no key to an answer, no time), and its answer rows carry neither a member nor an
// organization nor a time (a random id, so not even their order pairs them with the respondents).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE surveys
      ADD COLUMN audience text NOT NULL DEFAULT 'organizations' CHECK (audience IN ('organizations','members')),
      ADD COLUMN anonymous boolean NOT NULL DEFAULT false,
      ADD COLUMN member_filter jsonb,
      ADD CONSTRAINT surveys_anonymous_members CHECK (NOT anonymous OR audience = 'members')`);
  await knex.raw(`
    CREATE TABLE survey_member_targets (
      survey_id bigint NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
      member_id bigint NOT NULL REFERENCES members(id),
      organization_id integer NOT NULL REFERENCES organizations(id),
      PRIMARY KEY (survey_id, member_id)
    )`);
  await knex.raw('CREATE INDEX survey_member_targets_member_idx ON survey_member_targets (member_id)');
  await knex.raw(`
    CREATE TABLE survey_respondents (
      survey_id bigint NOT NULL,
      member_id bigint NOT NULL,
      PRIMARY KEY (survey_id, member_id),
      FOREIGN KEY (survey_id, member_id) REFERENCES survey_member_targets (survey_id, member_id) ON DELETE CASCADE
    )`);
  await knex.raw(`
    CREATE TABLE survey_member_answers (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      survey_id bigint NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
      member_id bigint REFERENCES members(id),
      organization_id integer REFERENCES organizations(id),
      answers jsonb NOT NULL,
      CHECK ((member_id IS NULL) = (organization_id IS NULL))
    )`);
  await knex.raw(
    'CREATE UNIQUE INDEX survey_member_answers_once ON survey_member_answers (survey_id, member_id) WHERE member_id IS NOT NULL',
  );
  await knex.raw('CREATE INDEX survey_member_answers_survey_idx ON survey_member_answers (survey_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE survey_member_answers');
  await knex.raw('DROP TABLE survey_respondents');
  await knex.raw('DROP TABLE survey_member_targets');
  await knex.raw(
    'ALTER TABLE surveys DROP CONSTRAINT surveys_anonymous_members, DROP COLUMN member_filter, DROP COLUMN anonymous, DROP COLUMN audience',
  );
}
