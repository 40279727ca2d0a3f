// Issue 15, item 2: the union's member list by employer kind summed the counters of the kind's organizations
// out of member_counts' ~515,000 rows: the organizations were found from the 44,000 school ППО's subtrees
// (44,000 probes of the path index) and hashed against every counter, twice per page (its total and where
// its matches lie): 3.5–9 s under load for a dense kind (school, kindergarten).
//
// region_kind_member_counts: member_counts per region and employer kind instead of organization — the cards
// of each organization counted under the kind of every ППО on its path (the ППО itself, the ППО above a
// subdivision or group, and an enclosing ППО's too), on record or not, by category, sex and pedagogical post.
// As region_member_counts, each change adds its net change per key as rows of its own; the hourly
// housekeeping folds them into one row per key.
//
// Kept by two statement triggers: a change of member_counts counts its net change under the kinds of the
// organization's ППО now; a change of organizations that changes which ППО kinds lie on a path (a ППО's kind
// or level corrected in the passport, a subtree moved) moves the counters of every organization below it from
// the kinds of before to those of now. The latter runs before `organizations_members_region`, which then
// moves the cards of a subtree moved to another region (through member_counts and the former trigger).
import type { Knex } from 'knex';

const KEY = 'region_id, employer_kind, on_record, category, sex, is_pedagogical';
const COUNTED = 'region_id, on_record, category, sex, is_pedagogical';

/** Signed member_counts rows (`rows`: organization_id, region_id, …, delta) counted under each kind of `kinds`. */
const added = (rows: string, kinds: string) => `
  INSERT INTO region_kind_member_counts (${KEY}, n)
  SELECT d.region_id, k.kind, d.on_record, d.category, d.sex, d.is_pedagogical, sum(d.delta)
    FROM (${rows}) d (organization_id, ${COUNTED}, delta) CROSS JOIN LATERAL (${kinds}) k (kind)
   GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(d.delta) <> 0`;

/** The kinds of the ППО on the path of the organization `d.organization_id` now. */
const kindsNow = `SELECT org_employer_kinds(o.path) FROM organizations o WHERE o.id = d.organization_id`;

const counters = (table: string, sign: string) =>
  `SELECT organization_id, ${COUNTED}, ${sign}n::bigint FROM ${table}`;

/**
 * An organizations statement: every organization below a changed one (path, level or kind) whose ППО kinds
 * changed has its counters taken from the kinds before (its path before, each ancestor as it was before the
 * statement) to those of now.
 */
const organizationsChanged = `
  INSERT INTO region_kind_member_counts (${KEY}, n)
  WITH changed AS (
    SELECT n.path FROM old_rows o JOIN new_rows n ON n.id = o.id
     WHERE (o.path, o.level, o.employer_kind) IS DISTINCT FROM (n.path, n.level, n.employer_kind)),
  below AS (SELECT DISTINCT u.id, u.path, coalesce(b.path, u.path) AS path_before
              FROM changed c JOIN organizations u ON u.path <@ c.path LEFT JOIN old_rows b ON b.id = u.id),
  kinds AS (
    SELECT u.id, ARRAY(SELECT org_employer_kinds(u.path) ORDER BY 1) AS now,
           ARRAY(SELECT DISTINCT CASE WHEN x.id IS NOT NULL THEN x.employer_kind ELSE a.employer_kind END
                   FROM unnest(string_to_array(ltree2text(u.path_before), '.')::int[]) l (id)
                   LEFT JOIN old_rows x ON x.id = l.id LEFT JOIN organizations a ON a.id = l.id
                  WHERE CASE WHEN x.id IS NOT NULL THEN x.level = 'primary' AND x.employer_kind IS NOT NULL
                             ELSE a.level = 'primary' AND a.employer_kind IS NOT NULL END
                  ORDER BY 1) AS before
      FROM below u),
  moved AS (SELECT * FROM kinds WHERE now <> before)
  SELECT c.region_id, k.kind, c.on_record, c.category, c.sex, c.is_pedagogical, sum(k.sign * c.n)
    FROM moved m JOIN member_counts c ON c.organization_id = m.id
    CROSS JOIN LATERAL (SELECT unnest(m.now), 1 UNION ALL SELECT unnest(m.before), -1) k (kind, sign)
   GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(k.sign * c.n) <> 0`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE region_kind_member_counts (
      region_id integer NOT NULL,
      employer_kind text NOT NULL,
      on_record boolean NOT NULL,
      category text NOT NULL,
      sex char(1) NOT NULL,
      is_pedagogical boolean NOT NULL,
      n bigint NOT NULL)`);
  await knex.raw(`CREATE INDEX region_kind_member_counts_key_idx ON region_kind_member_counts (employer_kind, region_id)`);
  // the labels of a path are the ids of the organization and its ancestors: a few key probes
  await knex.raw(`
    CREATE FUNCTION org_employer_kinds(of_path ltree) RETURNS SETOF text LANGUAGE sql STABLE AS $$
      SELECT DISTINCT k.employer_kind FROM organizations k
       WHERE k.id = ANY(string_to_array(ltree2text(of_path), '.')::int[]) AND k.level = 'primary' AND k.employer_kind IS NOT NULL
    $$`);
  // A trigger sees only the transition tables of its event (an upsert fires the insert's and the update's).
  await knex.raw(`
    CREATE FUNCTION region_kind_member_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN ${added(counters('new_rows', ''), kindsNow)};
      ELSIF TG_OP = 'DELETE' THEN ${added(counters('old_rows', '-'), kindsNow)};
      ELSE ${added(`${counters('new_rows', '')} UNION ALL ${counters('old_rows', '-')}`, kindsNow)};
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE TRIGGER region_kind_member_counts_inserted AFTER INSERT ON member_counts REFERENCING NEW TABLE AS new_rows
                  FOR EACH STATEMENT EXECUTE FUNCTION region_kind_member_counts_apply()`);
  await knex.raw(`CREATE TRIGGER region_kind_member_counts_deleted AFTER DELETE ON member_counts REFERENCING OLD TABLE AS old_rows
                  FOR EACH STATEMENT EXECUTE FUNCTION region_kind_member_counts_apply()`);
  await knex.raw(`CREATE TRIGGER region_kind_member_counts_updated AFTER UPDATE ON member_counts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                  FOR EACH STATEMENT EXECUTE FUNCTION region_kind_member_counts_apply()`);
  await knex.raw(`
    CREATE FUNCTION region_kind_member_counts_organizations() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      -- a change of those counters still open elsewhere (counted under the kinds it saw) commits first, and
      -- the next statement sees it: locked here, in a statement of its own
      PERFORM 1 FROM member_counts c
        WHERE c.organization_id IN (
          SELECT u.id FROM old_rows o JOIN new_rows n ON n.id = o.id JOIN organizations u ON u.path <@ n.path
           WHERE (o.path, o.level, o.employer_kind) IS DISTINCT FROM (n.path, n.level, n.employer_kind))
        ORDER BY c.region_id, c.organization_id, c.on_record, c.category, c.sex, c.is_pedagogical FOR UPDATE;
      ${organizationsChanged};
      RETURN NULL;
    END $$`);
  // named to fire before organizations_members_region (same event, triggers fire in name order): the kinds
  // move the counters where they are, then the cards of a subtree moved to another region move under the new kinds
  await knex.raw(`CREATE TRIGGER organizations_employer_kind_counts AFTER UPDATE ON organizations REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                  FOR EACH STATEMENT EXECUTE FUNCTION region_kind_member_counts_organizations()`);
  await knex.raw(`
    CREATE FUNCTION region_kind_member_counts_compact() RETURNS void LANGUAGE sql AS $$
      WITH gone AS (DELETE FROM region_kind_member_counts RETURNING ${KEY}, n)
      INSERT INTO region_kind_member_counts (${KEY}, n)
      SELECT ${KEY}, sum(n) FROM gone GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4, 5, 6;
    $$`);
  // Counted again from member_counts: the backfill here, and after member_counts was rebuilt past its triggers.
  await knex.raw(`
    CREATE FUNCTION region_kind_member_counts_rebuild() RETURNS void LANGUAGE sql AS $$
      DELETE FROM region_kind_member_counts;
      INSERT INTO region_kind_member_counts (${KEY}, n)
      SELECT c.region_id, k.kind, c.on_record, c.category, c.sex, c.is_pedagogical, sum(c.n)
        FROM member_counts c JOIN organizations o ON o.id = c.organization_id CROSS JOIN LATERAL org_employer_kinds(o.path) k (kind)
       GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(c.n) <> 0 ORDER BY 1, 2, 3, 4, 5, 6;
    $$`);
  await knex.raw('SELECT region_kind_member_counts_rebuild()');
  await knex.raw('ANALYZE region_kind_member_counts');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER organizations_employer_kind_counts ON organizations');
  for (const event of ['inserted', 'deleted', 'updated'])
    await knex.raw(`DROP TRIGGER region_kind_member_counts_${event} ON member_counts`);
  for (const fn of ['organizations', 'apply', 'compact', 'rebuild'])
    await knex.raw(`DROP FUNCTION region_kind_member_counts_${fn}()`);
  await knex.raw('DROP FUNCTION org_employer_kinds(ltree)');
  await knex.raw('DROP TABLE region_kind_member_counts');
}
