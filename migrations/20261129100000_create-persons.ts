// Elected officers are people (issue 12, item 1): a member card, or — for someone outside the union's
// registry — a person recorded once by SNILS with the sex and birth date the forms count (women, youth).
// An officer row references one or the other; rows from before this (a typed name) reference neither and
// are reported as data gaps until linked.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE persons (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      snils text CHECK (snils ~ '^\\d{11}$'),
      surname text COLLATE "ru-RU-x-icu" NOT NULL,
      name text COLLATE "ru-RU-x-icu" NOT NULL,
      patronymic text COLLATE "ru-RU-x-icu",
      sex char(1) NOT NULL CHECK (sex IN ('m','f')),
      birth_date date NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      depersonalised_at timestamptz,
      -- retention clears the SNILS with the names; until then it identifies the person
      CHECK (snils IS NOT NULL OR depersonalised_at IS NOT NULL)
    )`);
  await knex.raw('CREATE UNIQUE INDEX persons_snils_idx ON persons (snils) WHERE snils IS NOT NULL');
  await knex.raw('ALTER TABLE org_officers ADD COLUMN person_id bigint REFERENCES persons(id)');
  await knex.raw('ALTER TABLE org_officers ADD CONSTRAINT org_officers_one_person CHECK (member_id IS NULL OR person_id IS NULL)');
  await knex.raw('CREATE INDEX org_officers_person_idx ON org_officers (person_id) WHERE person_id IS NOT NULL');
  // the officers who are no person yet: a report's data gap, looked up per organization
  await knex.raw('CREATE INDEX org_officers_without_person_idx ON org_officers (organization_id) WHERE member_id IS NULL AND person_id IS NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE org_officers DROP COLUMN person_id');
  await knex.raw('DROP TABLE persons');
}
