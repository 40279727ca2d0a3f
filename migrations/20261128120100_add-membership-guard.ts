// The card and the history must tell the same story: a member on record has exactly one open period
// (the exclusion constraint already forbids two), in the card's organization and category; a member who
// left — or whose card was merged into another — has none. Six simultaneous transfers, exits and
// category changes of one member all succeeded and left the card in one organization and the open
// period in another. The services now lock the card; this is the database's own guard.
//
// Within a transaction the two disagree between statements (a transfer splits the periods, then moves
// the card), so the check runs at commit. A constraint trigger is per row, and a per-row check would cost
// three probes per member of a bulk transfer (the card, the old period, the new one). Instead, statement
// triggers with transition tables queue the touched members of each statement as one array row, and the
// deferred constraint trigger on that queue checks everything queued by the transaction in one set-based
// query at its first firing (later firings find the queue empty). Statements that change nothing the rule
// reads (names, contacts, the region a move writes, the person copied onto the periods) queue nothing.
//
// Measured on a scratch union of 200,000 members (seed:scale), per-function times from
// pg_stat_user_functions over 11 runs: a bulk transfer of 3,000 members (0.6–0.9 s in all, noisy on two
// shared cores) spends 18 ms in the check at commit and 13 ms queueing (5 statements), about 4%, beside
// 23 ms for the region trigger and 15 ms for the person copied onto the periods; the row-version trigger
// of the same migration set adds 4.5 ms (1.5 µs a card). An import-sized insert of 100,000 cards with
// their periods in one transaction commits in 0.6–1.6 s instead of 10–20 ms (about 6 µs a card; the
// import takes 15 s). A per-row check would have fired 9,000 times for the transfer. The check probes
// two indexes per member, so its cost follows the rows touched, not the 4 M cards. The scale seed,
// which COPYs cards before their periods, sets the queueing triggers aside during the load.
import type { Knex } from 'knex';

/** A statement trigger's function that queues, as one array, the members its queries find touched. */
const queueFunction = (name: string, touched: { insert: string; update: string; delete?: string }) => `
  CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE touched bigint[];
  BEGIN
    IF TG_OP = 'INSERT' THEN ${touched.insert};
    ELSIF TG_OP = 'DELETE' THEN ${touched.delete ?? 'NULL'};
    ELSE ${touched.update};
    END IF;
    IF touched IS NOT NULL THEN INSERT INTO membership_guard_queue (member_ids) VALUES (touched); END IF;
    RETURN NULL;
  END $$`;

/** Every new card; a changed card only when what the rule reads changed. */
const QUEUE_MEMBERS = queueFunction('membership_guard_queue_members', {
  insert: 'SELECT array_agg(id) INTO touched FROM new_rows',
  update: `SELECT array_agg(n.id) INTO touched FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.organization_id, n.category, n.left_on, n.merged_into_id) IS DISTINCT FROM (o.organization_id, o.category, o.left_on, o.merged_into_id)`,
});

/** Periods that are or were open (both members of a period moved from one card to another). */
const QUEUE_PERIODS = queueFunction('membership_guard_queue_periods', {
  insert: 'SELECT array_agg(member_id) INTO touched FROM new_rows WHERE valid_to IS NULL',
  delete: 'SELECT array_agg(member_id) INTO touched FROM old_rows WHERE valid_to IS NULL',
  update: `SELECT array_agg(x.member_id) INTO touched
             FROM new_rows n JOIN old_rows o ON o.id = n.id CROSS JOIN LATERAL (VALUES (n.member_id), (o.member_id)) AS x (member_id)
            WHERE (n.valid_to IS NULL OR o.valid_to IS NULL)
              AND (n.member_id, n.organization_id, n.category, n.valid_to) IS DISTINCT FROM (o.member_id, o.organization_id, o.category, o.valid_to)`,
});

/** At commit: every member queued by this transaction, checked at once; the queue is emptied on the way. */
const CHECK = `
  CREATE FUNCTION membership_guard_check() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE bad record;
  BEGIN
    WITH queued AS (DELETE FROM membership_guard_queue WHERE xact = pg_current_xact_id() RETURNING member_ids),
         touched AS (SELECT DISTINCT unnest(member_ids) AS id FROM queued)
    SELECT m.id, m.organization_id, m.category, m.left_on, p.organization_id AS period_organization_id, p.category AS period_category INTO bad
      FROM touched t JOIN members m ON m.id = t.id
      LEFT JOIN member_periods p ON p.member_id = m.id AND p.valid_to IS NULL
     WHERE CASE WHEN m.left_on IS NULL AND m.merged_into_id IS NULL
                THEN p.id IS NULL OR p.organization_id <> m.organization_id OR p.category <> m.category
                ELSE p.id IS NOT NULL END
     LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'member % disagrees with its open membership period', bad.id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'member_card_matches_open_period', TABLE = 'members',
              DETAIL = format('card: organization %s, category %s, left on %s; open period: organization %s, category %s',
                              bad.organization_id, bad.category, bad.left_on, bad.period_organization_id, bad.period_category);
    END IF;
    RETURN NULL;
  END $$`;

const PERIOD_EVENTS = [
  ['inserted', 'INSERT', 'NEW TABLE AS new_rows'],
  ['deleted', 'DELETE', 'OLD TABLE AS old_rows'],
  ['updated', 'UPDATE', 'OLD TABLE AS old_rows NEW TABLE AS new_rows'],
] as const;

export async function up(knex: Knex): Promise<void> {
  // Rows live only inside the transaction that queues them: nothing to keep through a crash.
  await knex.raw(`
    CREATE UNLOGGED TABLE membership_guard_queue (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      xact xid8 NOT NULL DEFAULT pg_current_xact_id(),
      member_ids bigint[] NOT NULL
    )`);
  await knex.raw(QUEUE_MEMBERS);
  await knex.raw(QUEUE_PERIODS);
  await knex.raw(CHECK);
  await knex.raw(`CREATE TRIGGER membership_guard_inserted AFTER INSERT ON members REFERENCING NEW TABLE AS new_rows
                  FOR EACH STATEMENT EXECUTE FUNCTION membership_guard_queue_members()`);
  await knex.raw(`CREATE TRIGGER membership_guard_updated AFTER UPDATE ON members REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                  FOR EACH STATEMENT EXECUTE FUNCTION membership_guard_queue_members()`);
  for (const [event, operation, tables] of PERIOD_EVENTS) {
    await knex.raw(`CREATE TRIGGER membership_guard_${event} AFTER ${operation} ON member_periods
                    REFERENCING ${tables} FOR EACH STATEMENT EXECUTE FUNCTION membership_guard_queue_periods()`);
  }
  await knex.raw(`CREATE CONSTRAINT TRIGGER membership_guard_at_commit AFTER INSERT ON membership_guard_queue
                  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION membership_guard_check()`);
}

export async function down(knex: Knex): Promise<void> {
  for (const [event] of PERIOD_EVENTS) await knex.raw(`DROP TRIGGER membership_guard_${event} ON member_periods`);
  for (const event of ['inserted', 'updated']) await knex.raw(`DROP TRIGGER membership_guard_${event} ON members`);
  await knex.raw('DROP TABLE membership_guard_queue');
  for (const fn of ['membership_guard_check', 'membership_guard_queue_periods', 'membership_guard_queue_members']) await knex.raw(`DROP FUNCTION ${fn}()`);
}
