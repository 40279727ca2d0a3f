// What a member asks of their organization from the personal account (issue 18, item 3): a correction of
// their card (contacts, name with a reason, category, position) or leaving the union. A request waits
// for whoever may edit the card (the chair) to approve or reject it; the card changes only on approval,
// through the members' own edit path. Pending requests are few (a ППО's handful among 4 M cards), so the
// queue of a subtree reads the partial index of pending ones and keeps those inside the subtree.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE member_requests (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      member_id bigint NOT NULL REFERENCES members(id),
      kind text NOT NULL CHECK (kind IN ('correction', 'leave')),
      changes jsonb NOT NULL DEFAULT '{}'::jsonb,
      reason text CHECK (length(reason) <= 500),
      leave_on date,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
      proposed_by integer REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      decided_by integer REFERENCES users(id),
      decided_at timestamptz,
      decision_reason text CHECK (length(decision_reason) <= 500),
      CHECK (kind <> 'leave' OR (leave_on IS NOT NULL AND reason IS NOT NULL)),
      CHECK ((status = 'pending') = (decided_at IS NULL))
    )`);
  await knex.raw('CREATE INDEX member_requests_member_idx ON member_requests (member_id, id)');
  await knex.raw("CREATE INDEX member_requests_pending_idx ON member_requests (created_at, id) WHERE status = 'pending'");
  await knex.raw(
    "CREATE UNIQUE INDEX member_requests_one_pending_leave ON member_requests (member_id) WHERE kind = 'leave' AND status = 'pending'",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE member_requests');
}
