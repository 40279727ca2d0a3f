// Issue 15, item 3: the union's passport header and structure tab counted the incomplete passports of all
// 150,000 organizations through the org_passport_gaps view on every view (a join of the officers and a
// headcount probe per ППО: most of the passport's 296 ms and of the tab's 949 ms). The counts are kept
// here per region (the second label of a path: the region and everything below it), recounted from the
// view for the regions a statement touches, in the transaction that changes the organizations, their
// chairs or their headcounts — tables written seldom, so a region's row is a lock few changes share.
// The row is locked before it is recounted, and the recount is a statement of its own (its own snapshot
// in READ COMMITTED): two changes of one region commit one after the other, the second counting the first.
import type { Knex } from 'knex';

const INCOMPLETE = '(g.no_chair OR g.no_chair_term OR g.no_email OR g.no_headcount)';
const HEADS = "('chair', 'group_organizer')";

/** A statement trigger function: the regions of `regionsSql` (over its transition tables) recounted. */
const refreshing = (name: string, byOp: { insert: string; delete: string; update: string }) => `
  CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'INSERT' THEN PERFORM passport_gap_counts_refresh(ARRAY(${byOp.insert}));
    ELSIF TG_OP = 'DELETE' THEN PERFORM passport_gap_counts_refresh(ARRAY(${byOp.delete}));
    ELSE PERFORM passport_gap_counts_refresh(ARRAY(${byOp.update}));
    END IF;
    RETURN NULL;
  END $$`;

/** The regions of the organizations whose ids `ids` selects. */
const regionsOf = (ids: string) => `SELECT region_of_path(o.path) FROM organizations o WHERE o.id IN (${ids})`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE passport_gap_counts (
      region_id integer PRIMARY KEY,
      open_orgs integer NOT NULL,
      incomplete integer NOT NULL)`);
  await knex.raw(`
    CREATE FUNCTION passport_gap_counts_refresh(regions int[]) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      regions := ARRAY(SELECT DISTINCT r FROM unnest(regions) r WHERE r IS NOT NULL ORDER BY r);
      IF cardinality(regions) = 0 THEN RETURN; END IF;
      INSERT INTO passport_gap_counts (region_id, open_orgs, incomplete)
      SELECT r, 0, 0 FROM unnest(regions) r ON CONFLICT DO NOTHING;
      PERFORM 1 FROM passport_gap_counts WHERE region_id = ANY(regions) ORDER BY region_id FOR UPDATE;
      UPDATE passport_gap_counts c SET open_orgs = x.open_orgs, incomplete = x.incomplete
        FROM (SELECT r.id, count(g.id) AS open_orgs, count(g.id) FILTER (WHERE ${INCOMPLETE}) AS incomplete
                FROM organizations r LEFT JOIN org_passport_gaps g ON g.path <@ r.path
               WHERE r.id = ANY(regions) GROUP BY r.id) x
       WHERE c.region_id = x.id;
      -- a region that is no organization any more (deleted) keeps no row
      DELETE FROM passport_gap_counts c WHERE c.region_id = ANY(regions) AND NOT EXISTS (SELECT 1 FROM organizations o WHERE o.id = c.region_id);
    END $$`);

  // organizations: a new or removed one; a change of what the view reads (path, level, e-mail, liquidation)
  await knex.raw(
    refreshing('passport_gap_counts_organizations', {
      insert: 'SELECT region_of_path(path) FROM new_rows',
      delete: 'SELECT region_of_path(path) FROM old_rows',
      update: `SELECT unnest(ARRAY[region_of_path(o.path), region_of_path(n.path)]) FROM old_rows o JOIN new_rows n ON n.id = o.id
                WHERE (o.path, o.level, o.email, o.liquidated_on) IS DISTINCT FROM (n.path, n.level, n.email, n.liquidated_on)`,
    }),
  );
  // the chairs and group organizers (their post, term and end)
  await knex.raw(
    refreshing('passport_gap_counts_officers', {
      insert: regionsOf(`SELECT organization_id FROM new_rows WHERE post IN ${HEADS}`),
      delete: regionsOf(`SELECT organization_id FROM old_rows WHERE post IN ${HEADS}`),
      update: regionsOf(`SELECT unnest(ARRAY[o.organization_id, n.organization_id]) FROM old_rows o JOIN new_rows n ON n.id = o.id
                          WHERE (o.post IN ${HEADS} OR n.post IN ${HEADS})
                            AND (o.organization_id, o.post, o.ended_on, o.term_until) IS DISTINCT FROM (n.organization_id, n.post, n.ended_on, n.term_until)`),
    }),
  );
  // a ППО's first headcount, or its last removed
  await knex.raw(
    refreshing('passport_gap_counts_headcounts', {
      insert: regionsOf('SELECT organization_id FROM new_rows'),
      delete: regionsOf('SELECT organization_id FROM old_rows'),
      update: regionsOf(`SELECT unnest(ARRAY[o.organization_id, n.organization_id]) FROM old_rows o JOIN new_rows n ON n.id = o.id
                          WHERE o.organization_id <> n.organization_id`),
    }),
  );
  for (const [table, fn] of [
    ['organizations', 'passport_gap_counts_organizations'],
    ['org_officers', 'passport_gap_counts_officers'],
    ['org_headcounts', 'passport_gap_counts_headcounts'],
  ]) {
    await knex.raw(
      `CREATE TRIGGER passport_gap_counts_inserted AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
    );
    await knex.raw(
      `CREATE TRIGGER passport_gap_counts_deleted AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
    );
    await knex.raw(
      `CREATE TRIGGER passport_gap_counts_updated AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
    );
  }
  await knex.raw("SELECT passport_gap_counts_refresh(ARRAY(SELECT id FROM organizations WHERE nlevel(path) = 2))");
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['organizations', 'org_officers', 'org_headcounts'])
    for (const event of ['inserted', 'deleted', 'updated'])
      await knex.raw(`DROP TRIGGER passport_gap_counts_${event} ON ${table}`);
  for (const fn of ['organizations', 'officers', 'headcounts']) await knex.raw(`DROP FUNCTION passport_gap_counts_${fn}()`);
  await knex.raw('DROP FUNCTION passport_gap_counts_refresh(int[])');
  await knex.raw('DROP TABLE passport_gap_counts');
}
