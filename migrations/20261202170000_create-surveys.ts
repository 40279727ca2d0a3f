// Surveys of organizations (issue #20 item 1): a questionnaire built at an organization (its definition a
// versioned JSON document checked by src/surveys/survey-definition.ts), sent to the organizations of chosen
// levels in its subtree. The targets are fixed when it is published (one INSERT … SELECT), so the response
// rate of any subtree is a join, not a walk of the tree. Each target answers once: one response row per
// survey and organization (unique), a submitted row is frozen by a trigger, and the response's foreign key to
// the targets refuses an answer from an organization the survey was not sent to.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE surveys (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      organization_id integer NOT NULL REFERENCES organizations(id),
      author_user_id integer NOT NULL REFERENCES users(id),
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
      description text NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
      definition jsonb NOT NULL,
      format_version integer NOT NULL DEFAULT 1,
      version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
      copied_from_id bigint REFERENCES surveys(id),
      target_levels text[] NOT NULL,
      opens_on date NOT NULL,
      closes_on date NOT NULL CHECK (closes_on >= opens_on),
      status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','published')),
      published_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw('CREATE INDEX surveys_organization_idx ON surveys (organization_id, id DESC)');
  await knex.raw(`
    CREATE TABLE survey_targets (
      survey_id bigint NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
      organization_id integer NOT NULL REFERENCES organizations(id),
      PRIMARY KEY (survey_id, organization_id)
    )`);
  await knex.raw('CREATE INDEX survey_targets_organization_idx ON survey_targets (organization_id)');
  await knex.raw(`
    CREATE TABLE survey_responses (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      survey_id bigint NOT NULL,
      organization_id integer NOT NULL,
      answers jsonb NOT NULL DEFAULT '{}',
      status text NOT NULL CHECK (status IN ('draft','submitted')),
      saved_by_user_id integer REFERENCES users(id),
      submitted_at timestamptz CHECK ((status = 'submitted') = (submitted_at IS NOT NULL)),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT survey_responses_once UNIQUE (survey_id, organization_id),
      FOREIGN KEY (survey_id, organization_id) REFERENCES survey_targets (survey_id, organization_id) ON DELETE CASCADE
    )`);
  await knex.raw(`
    CREATE FUNCTION survey_responses_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.status = 'submitted' THEN
        RAISE EXCEPTION 'survey response % is submitted and cannot change', OLD.id USING ERRCODE = 'check_violation',
          CONSTRAINT = 'survey_responses_submitted';
      END IF;
      RETURN NEW;
    END $$`);
  await knex.raw(`
    CREATE TRIGGER survey_responses_frozen BEFORE UPDATE ON survey_responses
      FOR EACH ROW EXECUTE FUNCTION survey_responses_frozen()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE survey_responses');
  await knex.raw('DROP FUNCTION survey_responses_frozen()');
  await knex.raw('DROP TABLE survey_targets');
  await knex.raw('DROP TABLE surveys');
}
