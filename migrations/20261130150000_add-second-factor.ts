// The TOTP second factor (RFC 6238): the user's secret, when it was confirmed, and the last time step a code
// was accepted for (a code is never accepted twice, nor an older one after a newer). Recovery codes are
// kept as SHA-256 digests only (see src/auth/recovery-codes.ts for why a fast hash is enough).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE users
      ADD COLUMN totp_secret text,
      ADD COLUMN totp_enabled_at timestamptz,
      ADD COLUMN totp_last_step bigint,
      ADD CONSTRAINT users_totp_enabled_has_secret CHECK (totp_enabled_at IS NULL OR totp_secret IS NOT NULL)`);
  await knex.raw(`
    CREATE TABLE user_recovery_codes (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      code_hash text NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (user_id, code_hash)
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE user_recovery_codes');
  await knex.raw('ALTER TABLE users DROP CONSTRAINT users_totp_enabled_has_secret, DROP COLUMN totp_secret, DROP COLUMN totp_enabled_at, DROP COLUMN totp_last_step');
}
