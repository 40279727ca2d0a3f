// The electronic union card (ЭПБ): a number that is never reused, a status with dated transitions,
// and at most one live card per member (a partial unique index over the live statuses).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE SEQUENCE union_card_number_seq START 1');
  await knex.raw(`
    CREATE TABLE union_cards (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      number text NOT NULL UNIQUE,
      member_id bigint NOT NULL REFERENCES members(id),
      kind text NOT NULL DEFAULT 'plastic' CHECK (kind IN ('plastic', 'virtual')),
      status text NOT NULL CHECK (status IN ('requested','sent_to_production','produced','delivered_to_region','handed_to_organization','issued','refused','lost','blocked')),
      status_on date NOT NULL,
      replaces_card_id bigint REFERENCES union_cards(id),
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw(`CREATE UNIQUE INDEX union_cards_one_live_per_member ON union_cards (member_id)
                  WHERE status NOT IN ('refused', 'lost', 'blocked')`);
  await knex.raw('CREATE INDEX union_cards_status_idx ON union_cards (status, member_id)');
  await knex.raw(`
    CREATE TABLE union_card_events (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      card_id bigint NOT NULL REFERENCES union_cards(id),
      from_status text,
      to_status text NOT NULL,
      happened_on date NOT NULL,
      reason text,
      actor_user_id integer REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw('CREATE INDEX union_card_events_card_idx ON union_card_events (card_id, id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE union_card_events');
  await knex.raw('DROP TABLE union_cards');
  await knex.raw('DROP SEQUENCE union_card_number_seq');
}
