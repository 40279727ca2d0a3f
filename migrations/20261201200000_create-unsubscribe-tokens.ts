// One-click unsubscribe links (RFC 8058) in letters to members: a random token names the member and what
// the link withdraws (`purpose`: the mailing consent). Only a SHA-256 of the token is stored, so a copy
// of the table unsubscribes no one. A letter gets a token of its own (the token itself is never kept,
// so an earlier one cannot be put in a later letter); each works for a year, as a link in an old letter
// must, and the hourly housekeeping forgets the expired ones.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE unsubscribe_tokens (
      token_hash bytea PRIMARY KEY,
      member_id bigint NOT NULL REFERENCES members(id) ON DELETE CASCADE,
      purpose text NOT NULL CHECK (purpose IN ('mailing')),
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    )`);
  await knex.raw('CREATE INDEX unsubscribe_tokens_member_idx ON unsubscribe_tokens (member_id)');
  await knex.raw('CREATE INDEX unsubscribe_tokens_expiry_idx ON unsubscribe_tokens (expires_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE unsubscribe_tokens');
}
