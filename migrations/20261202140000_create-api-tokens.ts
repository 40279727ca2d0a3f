// Bearer tokens of the JSON API (/api/v1, src/api/): personal access tokens a user creates on /account
// (named, with scopes and an expiry, revocable) and the short-lived session tokens the member app gets
// by signing in with a password (scope `me`). Only a SHA-256 of a token is stored: a copy of the table
// opens nothing. The window columns count the token's requests of the current minute (the per-token
// rate limit), updated by the same statement that finds the token and marks it used.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE api_tokens (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('personal', 'session')),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      token_hash bytea NOT NULL UNIQUE,
      scopes text[] NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      last_used_at timestamptz,
      revoked_at timestamptz,
      window_started_at timestamptz,
      window_requests integer NOT NULL DEFAULT 0
    )`);
  await knex.raw('CREATE INDEX api_tokens_user_idx ON api_tokens (user_id, created_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE api_tokens');
}
