// Elected officers of an organization with their history: a row per term; the current holders have
// no ended_on. At most one current chair per organization, enforced by a partial unique index.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE org_officers (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      organization_id integer NOT NULL REFERENCES organizations(id),
      post text NOT NULL CHECK (post IN ('chair','deputy','committee','audit','group_organizer','safety_rep')),
      surname text COLLATE "ru-RU-x-icu" NOT NULL,
      name text COLLATE "ru-RU-x-icu" NOT NULL,
      patronymic text COLLATE "ru-RU-x-icu",
      sex char(1) CHECK (sex IN ('m','f')),
      birth_date date,
      member_id bigint REFERENCES members(id),
      elected_on date NOT NULL,
      term_until date,
      salaried boolean NOT NULL DEFAULT false,
      protocol_number text,
      protocol_date date,
      ended_on date,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (term_until IS NULL OR term_until >= elected_on),
      CHECK (ended_on IS NULL OR ended_on >= elected_on)
    )`);
  await knex.raw('CREATE INDEX org_officers_organization_idx ON org_officers (organization_id, post, elected_on DESC)');
  await knex.raw("CREATE UNIQUE INDEX org_officers_one_chair ON org_officers (organization_id) WHERE post = 'chair' AND ended_on IS NULL");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE org_officers');
}
