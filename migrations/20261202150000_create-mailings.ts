// Mass mailings (issue #19 item 2): a letter (subject and Markdown text) composed at an organization for
// a target in its subtree — members by the member list's filters, or activists (officers of chosen posts
// and levels) — kept with its author, the target as composed and the counts of who was left out when it
// was queued (no address, address invalid, no mailing consent, the same address twice).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE mailings (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      organization_id integer NOT NULL REFERENCES organizations(id),
      author_user_id integer NOT NULL REFERENCES users(id),
      subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
      body text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
      target jsonb NOT NULL,
      status text NOT NULL DEFAULT 'sending' CHECK (status IN ('sending','done')),
      matched integer NOT NULL DEFAULT 0,
      no_address integer NOT NULL DEFAULT 0,
      invalid_address integer NOT NULL DEFAULT 0,
      no_consent integer NOT NULL DEFAULT 0,
      duplicates integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`);
  await knex.raw('CREATE INDEX mailings_organization_idx ON mailings (organization_id, id DESC)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE mailings');
}
