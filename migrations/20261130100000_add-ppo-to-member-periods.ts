// A member on a subdivision or a group is on the record of its ППО, and the reports count each ППО's own
// members (forms.md). Reports read a whole period in the tree of its report date, so a unit that passed to
// another ППО during the period (a merge re-parents the merged ППО's units; a subdivision may be moved)
// carried its members' whole history along: they were neither departures from the one ППО nor arrivals in
// the other, and the receiving ППО's start figure held them. Now every period carries the ППО whose record
// it is on (`ppo_id`: the ППО of its unit on the period's first day, the organization itself above the
// ППО level), and a period never spans a change of its unit's ППО: when the tree gives a unit another ППО,
// the periods running then are cut at that day and go on under the new ППО (and so is a period written
// later across such a day: a back-dated admission or transfer onto the unit). The reports judge a period
// by its ППО and that ППО's place by the tree of the report date. Databases that had such moves and merges
// are cut here the same way; the maintained statistics built on the old reading are dropped (a cache).
import type { Knex } from 'knex';

/** The ППО of an organization at a position of the tree: itself, or the ППО above a unit (a group may hang under a subdivision). */
const PPO_OF_POSITION = `
  CREATE FUNCTION ppo_of_position(org_id int, org_level text, pos ltree) RETURNS int LANGUAGE sql STABLE PARALLEL SAFE
  RETURN CASE WHEN org_level IN ('subdivision','group')
              THEN (SELECT CASE WHEN pa.level = 'primary' THEN pa.id ELSE ltree2text(subpath(pos, -3, 1))::int END
                      FROM organizations pa WHERE pa.id = ltree2text(subpath(pos, -2, 1))::int)
              ELSE org_id END`;

/** The ППО whose record a member on organization `org_id` is on day `d` (by the tree of that day). */
const UNIT_PPO_ON = `
  CREATE FUNCTION unit_ppo_on(org_id int, d date) RETURNS int LANGUAGE sql STABLE PARALLEL SAFE
  RETURN (SELECT ppo_of_position(o.id, o.level, coalesce(h.path, o.path))
            FROM organizations o LEFT JOIN org_tree_history h ON h.organization_id = o.id AND h.valid_from <= d AND h.valid_to > d
           WHERE o.id = org_id)`;

const COPY_PPO = `
  CREATE FUNCTION member_periods_copy_ppo() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    NEW.ppo_id := unit_ppo_on(NEW.organization_id, NEW.valid_from);
    RETURN NEW;
  END $$`;

// The periods of the units whose ППО is another from `on_date` on: those running then are cut there and
// go on from that day under the new ППО; those starting on it or later are written again under theirs.
// (Cut and rewritten in two statements each: the periods of a member may not overlap at any moment. The
// rows are written anew rather than relabelled, so the maintained statistics see the change as such.)
const FOLLOW_UNITS = `
  CREATE FUNCTION member_periods_follow_units(units int[], on_date date) RETURNS void LANGUAGE plpgsql AS $$
  DECLARE rows jsonb;
  BEGIN
    WITH running AS (
           SELECT p.* FROM member_periods p
            WHERE p.organization_id = ANY(units) AND p.valid_from < on_date AND (p.valid_to IS NULL OR p.valid_to > on_date)
              AND p.ppo_id IS DISTINCT FROM unit_ppo_on(p.organization_id, on_date)
              FOR UPDATE),
         cut AS (UPDATE member_periods p SET valid_to = on_date FROM running r WHERE p.id = r.id RETURNING p.id)
    SELECT jsonb_agg(to_jsonb(r) || jsonb_build_object('valid_from', on_date)) INTO rows FROM running r;
    PERFORM member_periods_insert_json(rows);
    WITH later AS (
           DELETE FROM member_periods p
            WHERE p.organization_id = ANY(units) AND p.valid_from >= on_date
              AND p.ppo_id IS DISTINCT FROM unit_ppo_on(p.organization_id, p.valid_from)
            RETURNING p.*)
    SELECT jsonb_agg(to_jsonb(l)) INTO rows FROM later l;
    PERFORM member_periods_insert_json(rows);
  END $$`;

/** Periods given as JSON rows (the person and the ППО are filled in by the triggers). */
const INSERT_JSON = `
  CREATE FUNCTION member_periods_insert_json(rows jsonb) RETURNS void LANGUAGE sql AS $$
    INSERT INTO member_periods (member_id, organization_id, category, is_pedagogical, on_parental_leave, valid_from, valid_to)
    SELECT member_id, organization_id, category, is_pedagogical, on_parental_leave, valid_from, valid_to
      FROM jsonb_populate_recordset(NULL::member_periods, coalesce(rows, '[]'))
  $$`;

/**
 * A trigger's function that cuts periods at the changes of their units' ППО its query finds (on_date,
 * units), in the order of the dates: a unit may pass to another ППО and back.
 */
const follow = (name: string, changes: string) => `
  CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE c record;
  BEGIN
    FOR c IN ${changes} ORDER BY 1 LOOP
      PERFORM member_periods_follow_units(c.units, c.on_date);
    END LOOP;
    RETURN NULL;
  END $$`;

/** New positions of units (a move, a merge, or a second move the same day) cut their members' periods. */
const TREE_CHANGED = follow('member_periods_follow_tree', `
  SELECT n.valid_from AS on_date, array_agg(n.organization_id) AS units
    FROM new_rows n JOIN organizations o ON o.id = n.organization_id
   WHERE o.level IN ('subdivision','group') AND n.valid_from > '-infinity' AND n.valid_to = 'infinity'
   GROUP BY 1`);

/** Periods written later (a back-dated admission, transfer or change) across a change of their unit's ППО are cut there too. */
const PERIODS_WRITTEN = follow('member_periods_follow_written', `
  SELECT h.valid_from AS on_date, array_agg(DISTINCT h.organization_id) AS units
    FROM new_rows n JOIN org_tree_history h ON h.organization_id = n.organization_id
         AND h.valid_from > n.valid_from AND (n.valid_to IS NULL OR h.valid_from < n.valid_to)
   WHERE EXISTS (SELECT 1 FROM organizations o WHERE o.id = n.organization_id AND o.level IN ('subdivision','group'))
   GROUP BY 1`);

async function dropStatistics(knex: Knex) {
  await knex.raw('DELETE FROM union_stats_fresh');
  await knex.raw('DELETE FROM union_stats');
  await knex.raw('DELETE FROM member_state_cached_orgs');
  await knex.raw('DELETE FROM member_state_cache');
}

export async function up(knex: Knex): Promise<void> {
  for (const fn of [PPO_OF_POSITION, UNIT_PPO_ON, COPY_PPO, INSERT_JSON, FOLLOW_UNITS, TREE_CHANGED, PERIODS_WRITTEN]) await knex.raw(fn);
  await knex.raw('ALTER TABLE member_periods ADD COLUMN ppo_id integer');
  // every period's ППО on its first day, in one pass over the positions of the tree (the triggers that
  // forget the statistics, dropped below anyway, would trace every member of the union)
  await knex.raw('ALTER TABLE member_periods DISABLE TRIGGER USER');
  await knex.raw(`
    UPDATE member_periods p SET ppo_id = ppo_of_position(o.id, o.level, h.path)
      FROM organizations o JOIN org_tree_history h ON h.organization_id = o.id
     WHERE o.id = p.organization_id AND h.valid_from <= p.valid_from AND h.valid_to > p.valid_from`);
  await knex.raw('UPDATE member_periods p SET ppo_id = unit_ppo_on(p.organization_id, p.valid_from) WHERE ppo_id IS NULL');
  await knex.raw('ALTER TABLE member_periods ENABLE TRIGGER USER');
  await knex.raw('ALTER TABLE member_periods ALTER COLUMN ppo_id SET NOT NULL');
  await knex.raw(`CREATE TRIGGER member_periods_ppo BEFORE INSERT OR UPDATE OF organization_id, valid_from ON member_periods
                  FOR EACH ROW EXECUTE FUNCTION member_periods_copy_ppo()`);
  // the moves and merges already recorded cut the periods running across them, in the order of their dates
  await knex.raw(`
    DO $$ DECLARE c record;
    BEGIN
      FOR c IN SELECT h.valid_from AS on_date, array_agg(h.organization_id) AS units
                 FROM org_tree_history h JOIN organizations o ON o.id = h.organization_id
                WHERE o.level IN ('subdivision','group') AND h.valid_from > '-infinity'
                GROUP BY 1 ORDER BY 1 LOOP
        PERFORM member_periods_follow_units(c.units, c.on_date);
      END LOOP;
    END $$`);
  await knex.raw(`CREATE TRIGGER member_periods_follow_new_positions AFTER INSERT ON org_tree_history REFERENCING NEW TABLE AS new_rows
                  FOR EACH STATEMENT EXECUTE FUNCTION member_periods_follow_tree()`);
  await knex.raw(`CREATE TRIGGER member_periods_follow_changed_positions AFTER UPDATE ON org_tree_history REFERENCING NEW TABLE AS new_rows
                  FOR EACH STATEMENT EXECUTE FUNCTION member_periods_follow_tree()`);
  for (const [event, operation] of [['inserted', 'INSERT'], ['updated', 'UPDATE']]) {
    await knex.raw(`CREATE TRIGGER member_periods_follow_${event} AFTER ${operation} ON member_periods REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION member_periods_follow_written()`);
  }
  // the movement of a ППО's record and its members at the start of a period are read by the period's ППО
  await knex.raw('CREATE INDEX member_periods_ppo_idx ON member_periods (ppo_id, valid_from)');
  await knex.raw('CREATE INDEX member_periods_ppo_end_idx ON member_periods (ppo_id, valid_to) WHERE valid_to IS NOT NULL');
  await knex.raw('ALTER TABLE member_state_cache ADD COLUMN ppo_id integer');
  // (and the union's amounts say how many organizations they add up: own-forms.ts takes some of them out)
  await knex.raw('ALTER TABLE union_stats ADD COLUMN contributors bigint');
  await dropStatistics(knex);
}

export async function down(knex: Knex): Promise<void> {
  // (the periods stay cut at the tree's changes: the same memberships, told in more pieces)
  await dropStatistics(knex);
  await knex.raw('ALTER TABLE member_state_cache DROP COLUMN ppo_id');
  await knex.raw('ALTER TABLE union_stats DROP COLUMN contributors');
  for (const event of ['inserted', 'updated']) await knex.raw(`DROP TRIGGER member_periods_follow_${event} ON member_periods`);
  await knex.raw('DROP TRIGGER member_periods_follow_changed_positions ON org_tree_history');
  await knex.raw('DROP TRIGGER member_periods_follow_new_positions ON org_tree_history');
  await knex.raw('DROP TRIGGER member_periods_ppo ON member_periods');
  await knex.raw('ALTER TABLE member_periods DROP COLUMN ppo_id');
  for (const fn of ['member_periods_follow_written()', 'member_periods_follow_tree()', 'member_periods_follow_units(int[], date)', 'member_periods_insert_json(jsonb)', 'member_periods_copy_ppo()', 'unit_ppo_on(int, date)', 'ppo_of_position(int, text, ltree)']) {
    await knex.raw(`DROP FUNCTION ${fn}`);
  }
}
