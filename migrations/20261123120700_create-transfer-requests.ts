// A transfer to an organization outside the sender's subtree is a request the receiving side accepts.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE transfer_requests (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      member_id bigint NOT NULL REFERENCES members(id),
      from_organization_id integer NOT NULL REFERENCES organizations(id),
      to_organization_id integer NOT NULL REFERENCES organizations(id),
      transfer_on date NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'declined')),
      requested_by integer REFERENCES users(id),
      decided_by integer REFERENCES users(id),
      decided_at timestamptz,
      decline_reason text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw("CREATE UNIQUE INDEX transfer_requests_one_pending ON transfer_requests (member_id) WHERE status = 'pending'");
  await knex.raw("CREATE INDEX transfer_requests_to_idx ON transfer_requests (to_organization_id) WHERE status = 'pending'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE transfer_requests');
}
