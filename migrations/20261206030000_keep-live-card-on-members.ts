// Issue 15, item 2: the union's member list with a union card filter combined with another (an employer kind,
// an age or tenure band, a date) tested each card it read against union_cards, one index probe (~3 buffers)
// per card: a rare employer kind with «карта выдана» gathered 71,000 cards of 77 regions and probed each
// (211,000 buffers, 1.2 s), and its count 66,000 more (0.4 s); a card kind with an age band was counted by
// hashing all 2.8 M cards. A member holds at most one live card (union_cards_one_live_per_member): its status
// and kind are kept on the member's row, so that «без карты», a live status and a card kind are conditions on
// the card itself — tested on the entries of the sort indexes, which carry them as trailing key columns like
// the other filtered fields (widen-member-sort-indexes). The cards that are no longer live (refused, lost,
// blocked; a member may hold several) are still asked of union_cards.
import type { Knex } from 'knex';

export const config = { transaction: false };

const LIVE = "c.status NOT IN ('refused', 'lost', 'blocked')";

const FILTERED = ['left_on', 'merged_into_id', 'category', 'sex', 'is_pedagogical', 'birth_date', 'joined_on'];
const CARD = ['live_card_status', 'live_card_kind'];

const SORT_INDEXES: Record<string, string[]> = {
  members_region_name_idx: ['surname', 'name', 'id'],
  members_region_birth_idx: ['birth_date', 'id'],
  members_region_joined_idx: ['joined_on', 'id'],
};

async function rebuild(knex: Knex, name: string, columns: string[]) {
  await knex.raw(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${name}_next ON members (${columns.join(', ')})`);
  await knex.raw(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
  await knex.raw(`ALTER INDEX ${name}_next RENAME TO ${name}`);
}

/** The members whose cards a statement touched, set to their live card as it is now (none: NULL). */
const sync = (touched: string) => `
  UPDATE members m SET live_card_status = l.status, live_card_kind = l.kind
    FROM (SELECT t.member_id, c.status, c.kind
            FROM (${touched}) t LEFT JOIN union_cards c ON c.member_id = t.member_id AND ${LIVE}) l
   WHERE m.id = l.member_id AND (m.live_card_status, m.live_card_kind) IS DISTINCT FROM (l.status, l.kind)`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE members ADD COLUMN IF NOT EXISTS live_card_status text, ADD COLUMN IF NOT EXISTS live_card_kind text');
  // A trigger sees only the transition tables of its event, so each event has its own statement.
  await knex.raw(`
    CREATE FUNCTION members_live_card_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN ${sync('SELECT DISTINCT member_id FROM new_rows')};
      ELSIF TG_OP = 'DELETE' THEN ${sync('SELECT DISTINCT member_id FROM old_rows')};
      ELSE ${sync('SELECT member_id FROM new_rows UNION SELECT member_id FROM old_rows')};
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE TRIGGER members_live_card_inserted AFTER INSERT ON union_cards REFERENCING NEW TABLE AS new_rows
                  FOR EACH STATEMENT EXECUTE FUNCTION members_live_card_sync()`);
  await knex.raw(`CREATE TRIGGER members_live_card_deleted AFTER DELETE ON union_cards REFERENCING OLD TABLE AS old_rows
                  FOR EACH STATEMENT EXECUTE FUNCTION members_live_card_sync()`);
  await knex.raw(`CREATE TRIGGER members_live_card_updated AFTER UPDATE ON union_cards REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                  FOR EACH STATEMENT EXECUTE FUNCTION members_live_card_sync()`);
  // Set again from the cards: the backfill here, and after a bulk load that set the triggers aside.
  await knex.raw(`
    CREATE FUNCTION members_live_card_rebuild() RETURNS void LANGUAGE sql AS $$
      UPDATE members m SET live_card_status = c.status, live_card_kind = c.kind
        FROM union_cards c WHERE c.member_id = m.id AND ${LIVE}
         AND (m.live_card_status, m.live_card_kind) IS DISTINCT FROM (c.status, c.kind);
      UPDATE members m SET live_card_status = NULL, live_card_kind = NULL
       WHERE (m.live_card_status IS NOT NULL OR m.live_card_kind IS NOT NULL)
         AND NOT EXISTS (SELECT 1 FROM union_cards c WHERE c.member_id = m.id AND ${LIVE});
    $$`);
  await knex.raw('SELECT members_live_card_rebuild()');
  for (const [name, key] of Object.entries(SORT_INDEXES)) {
    await rebuild(knex, name, ['region_id', ...key, ...FILTERED.filter((c) => !key.includes(c)), ...CARD]);
  }
  await knex.raw('ANALYZE members');
}

export async function down(knex: Knex): Promise<void> {
  for (const [name, key] of Object.entries(SORT_INDEXES)) {
    await rebuild(knex, name, ['region_id', ...key, ...FILTERED.filter((c) => !key.includes(c))]);
  }
  for (const event of ['inserted', 'deleted', 'updated']) await knex.raw(`DROP TRIGGER members_live_card_${event} ON union_cards`);
  await knex.raw('DROP FUNCTION members_live_card_rebuild()');
  await knex.raw('DROP FUNCTION members_live_card_sync()');
  await knex.raw('ALTER TABLE members DROP COLUMN live_card_status, DROP COLUMN live_card_kind');
}
