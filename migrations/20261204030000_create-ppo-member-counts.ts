// Issue 15, item 2: the organization search's «ППО без членов» over the union hashed every label of every
// populated organization's path (1.4 M labels, built again by each parallel worker: 5.3 s under load), to
// find the ~40 of 76,640 ППО outside that set. Kept here instead: per ППО (every organization of level
// 'primary', liquidated or not), the members on record in its subtree, so the filter reads the few rows
// at zero through a partial index.
//
// - A change of the counters (member_counts) adds its net change to each ППО above the organizations it
//   touched (an upsert in key order: the ППО's row is locked until commit, as the organization's own
//   counters already are, and additions commute, so two admissions of one ППО both count).
// - A change of the tree (a new, removed or moved organization, another level) recounts the ППО above the
//   organizations it touched, old and new paths, under their rows' locks, in a statement of its own (its
//   own snapshot in READ COMMITTED: a change of the counters that commits first is seen, one that commits
//   after adds its own net change on top). The recount reads the counters under the organizations' present
//   regions: this trigger is named after `organizations_members_region` and so fires after it has moved
//   the cards (and their counters) of a territory moved to another region.
import type { Knex } from 'knex';

/** The labels of a path: the organization itself and its ancestors (a path is the ids from the union down). */
const labels = (path: string) => `string_to_array(ltree2text(${path}), '.')::int[]`;

/** The net change on record per organization of `rows` (organization_id, signed n), added to each ППО above it. */
const added = (rows: string) => `
  INSERT INTO ppo_member_counts (ppo_id, on_record)
  SELECT p.id, sum(d.delta)
    FROM (SELECT organization_id, sum(delta) AS delta FROM (${rows}) r (organization_id, delta)
           GROUP BY 1 HAVING sum(delta) <> 0) d
    JOIN organizations u ON u.id = d.organization_id
    JOIN organizations p ON p.id = ANY(${labels('u.path')}) AND p.level = 'primary'
   GROUP BY p.id HAVING sum(d.delta) <> 0
   ORDER BY p.id
  ON CONFLICT (ppo_id) DO UPDATE SET on_record = ppo_member_counts.on_record + EXCLUDED.on_record`;
const onRecord = (table: string, sign: string) =>
  `SELECT organization_id, ${sign}n::bigint FROM ${table} WHERE on_record`;

/** Members on record in the subtree of the ППО `p` (read under each organization's present region). */
const RECOUNT = `(SELECT coalesce(sum(c.n), 0) FROM organizations u
                   JOIN member_counts c ON c.region_id = region_of_path(u.path) AND c.organization_id = u.id AND c.on_record
                  WHERE u.path <@ p.path)`;

const statementTriggers = (table: string, fn: string) => [
  `CREATE TRIGGER ppo_member_counts_inserted AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
  `CREATE TRIGGER ppo_member_counts_deleted AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
  `CREATE TRIGGER ppo_member_counts_updated AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE ppo_member_counts (
      ppo_id integer PRIMARY KEY,
      on_record bigint NOT NULL)`);
  // the search's «ППО без членов»: a few dozen rows of 76,000
  await knex.raw('CREATE INDEX ppo_member_counts_empty ON ppo_member_counts (ppo_id) WHERE on_record = 0');

  await knex.raw(`
    CREATE FUNCTION ppo_member_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN ${added(onRecord('new_rows', ''))};
      ELSIF TG_OP = 'DELETE' THEN ${added(onRecord('old_rows', '-'))};
      ELSE ${added(`${onRecord('new_rows', '')} UNION ALL ${onRecord('old_rows', '-')}`)};
      END IF;
      RETURN NULL;
    END $$`);
  for (const sql of statementTriggers('member_counts', 'ppo_member_counts_apply')) await knex.raw(sql);

  // `ids`: organizations whose ППО row may have changed; those that are ППО are recounted, the others keep none
  await knex.raw(`
    CREATE FUNCTION ppo_member_counts_refresh(ids int[]) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      ids := ARRAY(SELECT DISTINCT i FROM unnest(ids) i WHERE i IS NOT NULL ORDER BY i);
      IF cardinality(ids) = 0 THEN RETURN; END IF;
      DELETE FROM ppo_member_counts c
       WHERE c.ppo_id = ANY(ids) AND NOT EXISTS (SELECT 1 FROM organizations o WHERE o.id = c.ppo_id AND o.level = 'primary');
      INSERT INTO ppo_member_counts (ppo_id, on_record)
      SELECT o.id, 0 FROM organizations o WHERE o.id = ANY(ids) AND o.level = 'primary' ORDER BY o.id
      ON CONFLICT DO NOTHING;
      PERFORM 1 FROM ppo_member_counts WHERE ppo_id = ANY(ids) ORDER BY ppo_id FOR UPDATE;
      UPDATE ppo_member_counts c SET on_record = x.n
        FROM (SELECT p.id, ${RECOUNT} AS n FROM organizations p WHERE p.id = ANY(ids) AND p.level = 'primary') x
       WHERE c.ppo_id = x.id AND c.on_record <> x.n;
    END $$`);
  await knex.raw(`
    CREATE FUNCTION ppo_member_counts_organizations() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        PERFORM ppo_member_counts_refresh(ARRAY(SELECT id FROM new_rows WHERE level = 'primary'));
      ELSIF TG_OP = 'DELETE' THEN
        PERFORM ppo_member_counts_refresh(ARRAY(SELECT unnest(${labels('path')}) FROM old_rows));
      ELSE
        PERFORM ppo_member_counts_refresh(ARRAY(
          SELECT unnest(${labels('o.path')} || ${labels('n.path')}) FROM old_rows o JOIN new_rows n ON n.id = o.id
           WHERE (o.path, o.level) IS DISTINCT FROM (n.path, n.level)));
      END IF;
      RETURN NULL;
    END $$`);
  for (const sql of statementTriggers('organizations', 'ppo_member_counts_organizations')) await knex.raw(sql);

  // Counted again from the counters in one pass (the backfill; after a bulk load that set the triggers aside)
  await knex.raw(`
    CREATE FUNCTION ppo_member_counts_rebuild() RETURNS void LANGUAGE sql AS $$
      DELETE FROM ppo_member_counts;
      INSERT INTO ppo_member_counts (ppo_id, on_record)
      SELECT p.id, coalesce(x.n, 0)
        FROM organizations p
        LEFT JOIN (SELECT a.id, sum(c.n) AS n
                     FROM (SELECT organization_id, sum(n) AS n FROM member_counts WHERE on_record GROUP BY 1) c
                     JOIN organizations u ON u.id = c.organization_id
                    CROSS JOIN LATERAL unnest(${labels('u.path')}) a (id)
                    GROUP BY 1) x ON x.id = p.id
       WHERE p.level = 'primary'
       ORDER BY p.id;
    $$`);
  await knex.raw('SELECT ppo_member_counts_rebuild()');
  await knex.raw('ANALYZE ppo_member_counts');
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['organizations', 'member_counts'])
    for (const event of ['inserted', 'deleted', 'updated'])
      await knex.raw(`DROP TRIGGER ppo_member_counts_${event} ON ${table}`);
  await knex.raw('DROP FUNCTION ppo_member_counts_rebuild()');
  await knex.raw('DROP FUNCTION ppo_member_counts_organizations()');
  await knex.raw('DROP FUNCTION ppo_member_counts_refresh(int[])');
  await knex.raw('DROP FUNCTION ppo_member_counts_apply()');
  await knex.raw('DROP TABLE ppo_member_counts');
}
