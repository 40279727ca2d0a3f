// Issue 15, item 2: a member list filtered by union card (its status, its kind, or «без карты») or by consent
// could not know where its matches are. The union's page walked every region's name index testing each card:
// a card status nobody on record holds (`blocked`: an exit blocks the card) read all 4 M cards (30 s, past
// the statement timeout; the biggest region 1 s), and a region's total probed its 152,000 cards for a card
// (0.1–0.5 s) or hashed all 3 M consents (up to 1.9 s) whenever the matches were fewer than the page's cap.
//
// Kept here, per region and state on record, the members holding something of a kind:
// - region_card_counts: a union card of a status and kind, each member counted once per (status, kind) they
//   hold and once per status under the kind 'any' (two blocked cards are one member of `blocked`). A member
//   holds at most one live card, so the live statuses' holders are the members with a live card: «без
//   карты» is the region's members less those.
// - region_consent_counts: an active consent of a kind (a member consenting to mailings by e-mail and by SMS
//   is one); «без согласия» is the region's members less the holders.
// Merged duplicates are not counted, as in member_counts. As region_member_counts, each statement adds its
// net change per key as rows of its own (no writer waits for another's region row); the hourly housekeeping
// folds them into one row per key.
//
// A statement's change is what its members hold now less what they held before it (their rows now without
// the statement's new rows, with its old ones), read in one query: a change another transaction committed
// meanwhile is in both and cancels. Two transactions never change one member's holdings unseen by each
// other: a new card or consent and a consent's withdrawal lock the member first, a card's move locks the
// card, and only a member's one live card moves.
import type { Knex } from 'knex';

interface Holding {
  /** the maintained table */
  counts: string;
  /** the rows held, with their member */
  source: string;
  /** the source's columns a holding is read from, the first the member */
  columns: string;
  /** the key's columns after the region and state on record */
  key: string[];
  /** one row (member_id, ...key) per thing a member holds, from rows of `columns` */
  held: (rows: string) => string;
  check: string;
}

const CARDS: Holding = {
  counts: 'region_card_counts',
  source: 'union_cards',
  columns: 'member_id, status, kind',
  key: ['status', 'kind'],
  held: (rows) => `
    SELECT DISTINCT h.member_id, h.status, k.kind
      FROM (${rows}) h (member_id, status, kind) CROSS JOIN LATERAL (VALUES (h.kind), ('any')) k (kind)`,
  check: "CHECK (kind IN ('plastic', 'virtual', 'any'))",
};

const CONSENTS: Holding = {
  counts: 'region_consent_counts',
  source: 'member_consents',
  columns: 'member_id, kind, withdrawn_on',
  key: ['kind'],
  held: (rows) => `
    SELECT DISTINCT h.member_id, h.kind FROM (${rows}) h (member_id, kind, withdrawn_on) WHERE h.withdrawn_on IS NULL`,
  check: "CHECK (kind IN ('processing', 'mailing'))",
};

const keyOf = (h: Holding) => ['region_id', 'on_record', ...h.key].join(', ');
const groupAll = (h: Holding) => h.key.map((_, i) => i + 3).join(', ');

/** Rows (member_id, ...key, delta) added as counts of the member's region and state now. */
const added = (h: Holding, rows: string) => `
  INSERT INTO ${h.counts} (${keyOf(h)}, n)
  SELECT m.region_id, m.left_on IS NULL, ${h.key.map((k) => `d.${k}`).join(', ')}, sum(d.delta)
    FROM (${rows}) d (member_id, ${h.key.join(', ')}, delta) JOIN members m ON m.id = d.member_id AND m.merged_into_id IS NULL
   GROUP BY 1, 2, ${groupAll(h)} HAVING sum(d.delta) <> 0`;

/** The net change of a statement on the source whose members are `touched`. */
const sourceChanged = (h: Holding, touched: string, { inserted, deleted }: { inserted: boolean; deleted: boolean }) => {
  const current = `SELECT ${h.columns} FROM ${h.source} s WHERE member_id IN (${touched})`;
  const before = [
    // NOT EXISTS, not NOT IN: a subquery of a bulk statement's rows past work_mem is not hashed
    inserted ? `${current} AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.id = s.id)` : current,
    ...(deleted ? [`SELECT ${h.columns} FROM old_rows`] : []),
  ].join(' UNION ALL ');
  return added(
    h,
    `SELECT *, 1 FROM (${h.held(current)}) now_held UNION ALL SELECT *, -1 FROM (${h.held(before)}) held_before`,
  );
};

/**
 * A members statement that changes where a member is counted (region, on record, merged) moves what the
 * member holds from the old key to the new one.
 */
const membersMoved = (h: Holding) => `
  INSERT INTO ${h.counts} (${keyOf(h)}, n)
  WITH moved AS (
    SELECT o.id, o.region_id AS old_region, o.left_on IS NULL AS old_on_record, o.merged_into_id IS NULL AS old_counted,
           n.region_id AS new_region, n.left_on IS NULL AS new_on_record, n.merged_into_id IS NULL AS new_counted
      FROM old_rows o JOIN new_rows n ON n.id = o.id
     WHERE (o.region_id, o.left_on IS NULL, o.merged_into_id IS NULL) IS DISTINCT FROM (n.region_id, n.left_on IS NULL, n.merged_into_id IS NULL)),
  holdings AS (${h.held(`SELECT ${h.columns} FROM ${h.source} WHERE member_id IN (SELECT id FROM moved)`)})
  SELECT ${keyOf(h)}, sum(delta) FROM (
    SELECT x.old_region, x.old_on_record, ${h.key.map((k) => `h.${k}`).join(', ')}, -1 FROM moved x JOIN holdings h ON h.member_id = x.id WHERE x.old_counted
    UNION ALL
    SELECT x.new_region, x.new_on_record, ${h.key.map((k) => `h.${k}`).join(', ')}, 1 FROM moved x JOIN holdings h ON h.member_id = x.id WHERE x.new_counted
  ) d (${keyOf(h)}, delta) GROUP BY 1, 2, ${groupAll(h)} HAVING sum(delta) <> 0`;

async function create(knex: Knex, h: Holding) {
  await knex.raw(`
    CREATE TABLE ${h.counts} (
      region_id integer NOT NULL,
      on_record boolean NOT NULL,
      ${h.key.map((k) => `${k} text NOT NULL`).join(', ')},
      n bigint NOT NULL,
      ${h.check})`);
  await knex.raw(`CREATE INDEX ${h.counts}_key_idx ON ${h.counts} (${keyOf(h)})`);
  // A trigger sees only the transition tables of its event, so each event has its own statement.
  await knex.raw(`
    CREATE FUNCTION ${h.counts}_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN ${sourceChanged(h, 'SELECT member_id FROM new_rows', { inserted: true, deleted: false })};
      ELSIF TG_OP = 'DELETE' THEN ${sourceChanged(h, 'SELECT member_id FROM old_rows', { inserted: false, deleted: true })};
      ELSE ${sourceChanged(h, 'SELECT member_id FROM new_rows UNION SELECT member_id FROM old_rows', { inserted: true, deleted: true })};
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE TRIGGER ${h.counts}_inserted AFTER INSERT ON ${h.source} REFERENCING NEW TABLE AS new_rows
                  FOR EACH STATEMENT EXECUTE FUNCTION ${h.counts}_changed()`);
  await knex.raw(`CREATE TRIGGER ${h.counts}_deleted AFTER DELETE ON ${h.source} REFERENCING OLD TABLE AS old_rows
                  FOR EACH STATEMENT EXECUTE FUNCTION ${h.counts}_changed()`);
  await knex.raw(`CREATE TRIGGER ${h.counts}_updated AFTER UPDATE ON ${h.source} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                  FOR EACH STATEMENT EXECUTE FUNCTION ${h.counts}_changed()`);
  // A member is inserted before anything they hold and deleted after it (the foreign key): only updates move counts.
  await knex.raw(`
    CREATE FUNCTION ${h.counts}_members() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      ${membersMoved(h)};
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE TRIGGER ${h.counts}_members AFTER UPDATE ON members REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                  FOR EACH STATEMENT EXECUTE FUNCTION ${h.counts}_members()`);
  // One row per key, as region_member_counts_compact(): rows committed meanwhile are not seen, so kept.
  await knex.raw(`
    CREATE FUNCTION ${h.counts}_compact() RETURNS void LANGUAGE sql AS $$
      WITH gone AS (DELETE FROM ${h.counts} RETURNING ${keyOf(h)}, n)
      INSERT INTO ${h.counts} (${keyOf(h)}, n)
      SELECT ${keyOf(h)}, sum(n) FROM gone GROUP BY 1, 2, ${groupAll(h)} HAVING sum(n) <> 0 ORDER BY 1, 2, ${groupAll(h)};
    $$`);
  // Counted again from the source: the backfill here, and after a bulk load that set the triggers aside.
  await knex.raw(`
    CREATE FUNCTION ${h.counts}_rebuild() RETURNS void LANGUAGE sql AS $$
      DELETE FROM ${h.counts};
      INSERT INTO ${h.counts} (${keyOf(h)}, n)
      SELECT m.region_id, m.left_on IS NULL, ${h.key.map((k) => `h.${k}`).join(', ')}, count(*)
        FROM (${h.held(`SELECT ${h.columns} FROM ${h.source}`)}) h JOIN members m ON m.id = h.member_id AND m.merged_into_id IS NULL
       GROUP BY 1, 2, ${groupAll(h)} ORDER BY 1, 2, ${groupAll(h)};
    $$`);
  await knex.raw(`SELECT ${h.counts}_rebuild()`);
  await knex.raw(`ANALYZE ${h.counts}`);
}

async function drop(knex: Knex, h: Holding) {
  await knex.raw(`DROP TRIGGER ${h.counts}_members ON members`);
  for (const event of ['inserted', 'deleted', 'updated']) await knex.raw(`DROP TRIGGER ${h.counts}_${event} ON ${h.source}`);
  for (const fn of ['members', 'changed', 'compact', 'rebuild']) await knex.raw(`DROP FUNCTION ${h.counts}_${fn}()`);
  await knex.raw(`DROP TABLE ${h.counts}`);
}

export async function up(knex: Knex): Promise<void> {
  await create(knex, CARDS);
  await create(knex, CONSENTS);
}

export async function down(knex: Knex): Promise<void> {
  await drop(knex, CONSENTS);
  await drop(knex, CARDS);
}
