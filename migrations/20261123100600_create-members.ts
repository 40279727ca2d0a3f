// The core of the member card: enough for the demo union and subtree counts. The membership history,
// cards and consents of the member-card issue extend it.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE members (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      organization_id integer NOT NULL REFERENCES organizations(id),
      surname text COLLATE "ru-RU-x-icu" NOT NULL,
      name text COLLATE "ru-RU-x-icu" NOT NULL,
      patronymic text COLLATE "ru-RU-x-icu",
      sex char(1) NOT NULL CHECK (sex IN ('m','f')),
      birth_date date NOT NULL,
      phone text,
      email text,
      category text NOT NULL CHECK (category IN ('working','student','pensioner','unemployed')),
      is_pedagogical boolean NOT NULL DEFAULT false,
      joined_on date NOT NULL,
      left_on date,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw('CREATE INDEX members_organization_idx ON members (organization_id, surname, name, id)');
  await knex.raw('CREATE INDEX members_surname_trgm ON members USING gin (surname gin_trgm_ops)');
  await knex.raw('ALTER TABLE users ADD CONSTRAINT users_member_fk FOREIGN KEY (member_id) REFERENCES members(id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE users DROP CONSTRAINT users_member_fk');
  await knex.raw('DROP TABLE members');
}
