import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE users (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      username text NOT NULL CHECK (username ~ '^[a-z0-9._-]{3,64}$'),
      password_hash text NOT NULL,
      must_change_password boolean NOT NULL DEFAULT true,
      full_name text COLLATE "ru-RU-x-icu" NOT NULL,
      email text,
      member_id bigint,
      blocked_at timestamptz,
      password_changed_at timestamptz,
      last_login_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw('CREATE UNIQUE INDEX users_username_key ON users (username)');
  await knex.raw(`
    CREATE TABLE role_grants (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('admin','coordinator','chair','statistician','member')),
      organization_id integer NOT NULL REFERENCES organizations(id),
      granted_at timestamptz NOT NULL DEFAULT now(),
      granted_by integer REFERENCES users(id),
      UNIQUE (user_id, role, organization_id)
    )`);
  await knex.raw('CREATE INDEX role_grants_organization_idx ON role_grants (organization_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE role_grants');
  await knex.raw('DROP TABLE users');
}
