// Issue 15, item 3: the union's passport and its structure tab summed ~515,000 member_counts rows for the
// members on record (the union's counters are every organization's) and found each ППО's latest headcount
// among all of them (~0.9 s). Both are kept here per region:
//
// - region_member_counts: member_counts without the organization — per region, on record or not, category,
//   sex and pedagogical post. A change of the cards writes its net change per key as a row of its own (a
//   plain INSERT: no row is shared, so no writer waits for another — a region-wide counter row would make
//   every admission of a region wait for a 100,000-row import into one of its ППО to commit). A key's
//   figure is the sum of its rows; region_member_counts_compact() folds them into one row per key (the
//   hourly housekeeping runs it), so the union's total stays a sum of a few thousand rows.
// - region_headcounts: per region, the sum of the latest headcount of every organization of it (as the tab
//   counted them: the region and everything below it). Headcounts are written seldom: the regions a
//   statement touches are recounted under their row's lock, as passport_gap_counts does.
import type { Knex } from 'knex';

const KEY = 'region_id, on_record, category, sex, is_pedagogical';

/** The net change of member_counts rows (`rows` selects their key and a signed n), added as rows of their own. */
const added = (rows: string) => `
  INSERT INTO region_member_counts (${KEY}, n)
  SELECT ${KEY}, sum(delta) FROM (${rows}) AS changed (${KEY}, delta)
   GROUP BY 1, 2, 3, 4, 5 HAVING sum(delta) <> 0`;
const counted = (table: string, sign: string) => `SELECT ${KEY}, ${sign}n::bigint FROM ${table}`;

/** A statement trigger function: the regions of `byOp` (over its transition tables) recounted. */
const refreshing = (name: string, byOp: { insert: string; delete: string; update: string }) => `
  CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'INSERT' THEN PERFORM region_headcounts_refresh(ARRAY(${byOp.insert}));
    ELSIF TG_OP = 'DELETE' THEN PERFORM region_headcounts_refresh(ARRAY(${byOp.delete}));
    ELSE PERFORM region_headcounts_refresh(ARRAY(${byOp.update}));
    END IF;
    RETURN NULL;
  END $$`;

const regionsOf = (ids: string) => `SELECT region_of_path(o.path) FROM organizations o WHERE o.id IN (${ids})`;

const statementTriggers = (table: string, fn: string, prefix: string) => [
  `CREATE TRIGGER ${prefix}_inserted AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
  `CREATE TRIGGER ${prefix}_deleted AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
  `CREATE TRIGGER ${prefix}_updated AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE region_member_counts (
      region_id integer NOT NULL,
      on_record boolean NOT NULL,
      category text NOT NULL,
      sex char(1) NOT NULL,
      is_pedagogical boolean NOT NULL,
      n bigint NOT NULL)`);
  // A trigger sees only the transition tables of its event (an upsert fires the insert's and the update's).
  await knex.raw(`
    CREATE FUNCTION region_member_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN ${added(counted('new_rows', ''))};
      ELSIF TG_OP = 'DELETE' THEN ${added(counted('old_rows', '-'))};
      ELSE ${added(`${counted('new_rows', '')} UNION ALL ${counted('old_rows', '-')}`)};
      END IF;
      RETURN NULL;
    END $$`);
  for (const sql of statementTriggers('member_counts', 'region_member_counts_apply', 'region_member_counts'))
    await knex.raw(sql);
  // One row per key: the rows committed when it starts are replaced by their sum (rows committed meanwhile
  // are not seen, so not deleted, and still count). Two compactions at once: the second finds the first's
  // rows gone and deletes nothing.
  await knex.raw(`
    CREATE FUNCTION region_member_counts_compact() RETURNS void LANGUAGE sql AS $$
      WITH gone AS (DELETE FROM region_member_counts RETURNING ${KEY}, n)
      INSERT INTO region_member_counts (${KEY}, n)
      SELECT ${KEY}, sum(n) FROM gone GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4, 5;
    $$`);
  // Counted again from member_counts: the backfill here, and after member_counts itself was rebuilt from a
  // state its triggers had not followed (its rebuild adds the difference between two wrong states).
  await knex.raw(`
    CREATE FUNCTION region_member_counts_rebuild() RETURNS void LANGUAGE sql AS $$
      DELETE FROM region_member_counts;
      INSERT INTO region_member_counts (${KEY}, n)
      SELECT ${KEY}, sum(n) FROM member_counts GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 ORDER BY 1, 2, 3, 4, 5;
    $$`);
  await knex.raw('SELECT region_member_counts_rebuild()');

  await knex.raw(`
    CREATE TABLE region_headcounts (
      region_id integer PRIMARY KEY,
      employees bigint)`);
  // A region without any headcount keeps no row (the tab shows no employees and no coverage for it).
  await knex.raw(`
    CREATE FUNCTION region_headcounts_refresh(regions int[]) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      regions := ARRAY(SELECT DISTINCT r FROM unnest(regions) r WHERE r IS NOT NULL ORDER BY r);
      IF cardinality(regions) = 0 THEN RETURN; END IF;
      INSERT INTO region_headcounts (region_id, employees) SELECT r, NULL FROM unnest(regions) r ON CONFLICT DO NOTHING;
      PERFORM 1 FROM region_headcounts WHERE region_id = ANY(regions) ORDER BY region_id FOR UPDATE;
      UPDATE region_headcounts c SET employees = x.employees
        FROM (SELECT r.id, (SELECT sum(latest.employees_total)
                              FROM organizations o
                              CROSS JOIN LATERAL (SELECT h.employees_total FROM org_headcounts h WHERE h.organization_id = o.id
                                                   ORDER BY h.as_of DESC LIMIT 1) latest
                             WHERE o.path <@ r.path) AS employees
                FROM organizations r WHERE r.id = ANY(regions)) x
       WHERE c.region_id = x.id;
      DELETE FROM region_headcounts c WHERE c.region_id = ANY(regions) AND c.employees IS NULL;
    END $$`);
  await knex.raw(
    refreshing('region_headcounts_organizations', {
      insert: 'SELECT NULL::int WHERE false', // a new organization has no headcount yet
      delete: 'SELECT region_of_path(path) FROM old_rows',
      update: `SELECT unnest(ARRAY[region_of_path(o.path), region_of_path(n.path)]) FROM old_rows o JOIN new_rows n ON n.id = o.id
                WHERE region_of_path(o.path) IS DISTINCT FROM region_of_path(n.path)`,
    }),
  );
  await knex.raw(
    refreshing('region_headcounts_headcounts', {
      insert: regionsOf('SELECT organization_id FROM new_rows'),
      delete: regionsOf('SELECT organization_id FROM old_rows'),
      update: regionsOf(`SELECT unnest(ARRAY[o.organization_id, n.organization_id]) FROM old_rows o JOIN new_rows n ON n.id = o.id
                          WHERE (o.organization_id, o.as_of, o.employees_total) IS DISTINCT FROM (n.organization_id, n.as_of, n.employees_total)`),
    }),
  );
  for (const sql of [
    ...statementTriggers('organizations', 'region_headcounts_organizations', 'region_headcounts'),
    ...statementTriggers('org_headcounts', 'region_headcounts_headcounts', 'region_headcounts'),
  ])
    await knex.raw(sql);
  await knex.raw('SELECT region_headcounts_refresh(ARRAY(SELECT id FROM organizations WHERE nlevel(path) = 2))');
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['organizations', 'org_headcounts'])
    for (const event of ['inserted', 'deleted', 'updated'])
      await knex.raw(`DROP TRIGGER region_headcounts_${event} ON ${table}`);
  for (const event of ['inserted', 'deleted', 'updated'])
    await knex.raw(`DROP TRIGGER region_member_counts_${event} ON member_counts`);
  await knex.raw('DROP FUNCTION region_headcounts_organizations()');
  await knex.raw('DROP FUNCTION region_headcounts_headcounts()');
  await knex.raw('DROP FUNCTION region_headcounts_refresh(int[])');
  await knex.raw('DROP TABLE region_headcounts');
  await knex.raw('DROP FUNCTION region_member_counts_rebuild()');
  await knex.raw('DROP FUNCTION region_member_counts_compact()');
  await knex.raw('DROP FUNCTION region_member_counts_apply()');
  await knex.raw('DROP TABLE region_member_counts');
}
