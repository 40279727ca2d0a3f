// Issue 15, item 2: the view org_passport_gaps joined every organization to its chair and probed its
// headcounts on each read. Filtered by a gap («без председателя», «не указан срок полномочий»,
// «паспорт не заполнен»), the union's search either hashed all 150,000 organizations with 135,000
// officers (no chair: 400–500 ms under load; the planner cannot estimate `head.id IS NULL` after an outer
// join and counts one row) or, asked to walk in name order, probed every organization for a gap that
// none has (no chair's term: 3.8 s). Kept here per open organization, the gaps are plain columns with
// statistics: the planner walks the name index for a common gap and reads the few rows of a rare one.
//
// org_passport_flags holds one row for each row of the former view, now org_passport_gaps_live; the view
// org_passport_gaps keeps its name and columns and reads the table (the time-dependent expired term is
// computed from the kept end of term on each read), so its readers — the search, the passport, the
// structure tab, the monitoring and passport_gap_counts — are unchanged. The organizations a statement on
// organizations, org_officers or org_headcounts touches are computed again from the live view, under their
// rows' locks (taken in key order, new rows inserted first), in a statement of their own: two changes of one
// organization commit one after the other, the second computing with the first. The triggers are named to
// fire before passport_gap_counts_*, which counts from the view.
import type { Knex } from 'knex';

const HEADS = "('chair', 'group_organizer')";
const COLUMNS = 'no_chair, no_chair_term, chair_term_until, no_email, no_headcount';

/** A statement trigger function: the organizations of `byOp` (over its transition tables) computed again. */
const refreshing = (name: string, byOp: { insert: string; delete: string; update: string }) => `
  CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'INSERT' THEN PERFORM org_passport_flags_refresh(ARRAY(${byOp.insert}));
    ELSIF TG_OP = 'DELETE' THEN PERFORM org_passport_flags_refresh(ARRAY(${byOp.delete}));
    ELSE PERFORM org_passport_flags_refresh(ARRAY(${byOp.update}));
    END IF;
    RETURN NULL;
  END $$`;

/** The former view's query: each open organization (not the union) with its chair or group organizer and its headcounts. */
const gapsOf = (columns: string) => `
    SELECT o.id,
           head.id IS NULL AS no_chair,
           head.id IS NOT NULL AND head.term_until IS NULL AS no_chair_term,
           ${columns},
           o.email IS NULL AND o.level NOT IN ('subdivision', 'group') AS no_email,
           o.level = 'primary' AND NOT EXISTS (SELECT 1 FROM org_headcounts h WHERE h.organization_id = o.id) AS no_headcount
      FROM organizations o
      LEFT JOIN org_officers head
        ON head.organization_id = o.id AND head.ended_on IS NULL
       AND head.post = CASE WHEN o.level = 'group' THEN 'group_organizer' ELSE 'chair' END
     WHERE o.liquidated_on IS NULL AND o.level <> 'union'`;

export async function up(knex: Knex): Promise<void> {
  // the former view's definition, with the chair's end of term instead of whether it has passed
  await knex.raw(`CREATE VIEW org_passport_gaps_live AS ${gapsOf('head.term_until AS chair_term_until')}`);
  await knex.raw(`
    CREATE TABLE org_passport_flags (
      id integer PRIMARY KEY,
      no_chair boolean NOT NULL,
      no_chair_term boolean NOT NULL,
      chair_term_until date,
      no_email boolean NOT NULL,
      no_headcount boolean NOT NULL)`);
  // a gap few organizations have is read from its own small index, not by a scan of every row
  for (const gap of ['no_chair', 'no_chair_term', 'no_email', 'no_headcount'])
    await knex.raw(`CREATE INDEX org_passport_flags_${gap} ON org_passport_flags (id) WHERE ${gap}`);
  await knex.raw(`
    CREATE FUNCTION org_passport_flags_refresh(ids int[]) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      ids := ARRAY(SELECT DISTINCT i FROM unnest(ids) i WHERE i IS NOT NULL ORDER BY i);
      IF cardinality(ids) = 0 THEN RETURN; END IF;
      INSERT INTO org_passport_flags (id, no_chair, no_chair_term, no_email, no_headcount)
      SELECT i, true, false, false, false FROM unnest(ids) i ORDER BY i ON CONFLICT DO NOTHING;
      PERFORM 1 FROM org_passport_flags WHERE id = ANY(ids) ORDER BY id FOR UPDATE;
      -- a liquidated, removed or union organization has no gaps (each part read for these ids only: a change
      -- reads a few organizations of the view, not all of them)
      DELETE FROM org_passport_flags f
       WHERE f.id = ANY(ids) AND f.id NOT IN (SELECT g.id FROM org_passport_gaps_live g WHERE g.id = ANY(ids));
      UPDATE org_passport_flags f SET (${COLUMNS}) = (g.no_chair, g.no_chair_term, g.chair_term_until, g.no_email, g.no_headcount)
        FROM org_passport_gaps_live g
       WHERE g.id = f.id AND f.id = ANY(ids) AND g.id = ANY(ids)
         AND (f.no_chair, f.no_chair_term, f.chair_term_until, f.no_email, f.no_headcount)
             IS DISTINCT FROM (g.no_chair, g.no_chair_term, g.chair_term_until, g.no_email, g.no_headcount);
    END $$`);

  // organizations: a new or removed one; a change of what the view reads (level, e-mail, liquidation)
  await knex.raw(
    refreshing('org_passport_flags_organizations', {
      insert: 'SELECT id FROM new_rows',
      delete: 'SELECT id FROM old_rows',
      update: `SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id
                WHERE (o.level, o.email, o.liquidated_on) IS DISTINCT FROM (n.level, n.email, n.liquidated_on)`,
    }),
  );
  // the chairs and group organizers (their post, term and end)
  await knex.raw(
    refreshing('org_passport_flags_officers', {
      insert: `SELECT organization_id FROM new_rows WHERE post IN ${HEADS}`,
      delete: `SELECT organization_id FROM old_rows WHERE post IN ${HEADS}`,
      update: `SELECT unnest(ARRAY[o.organization_id, n.organization_id]) FROM old_rows o JOIN new_rows n ON n.id = o.id
                WHERE (o.post IN ${HEADS} OR n.post IN ${HEADS})
                  AND (o.organization_id, o.post, o.ended_on, o.term_until) IS DISTINCT FROM (n.organization_id, n.post, n.ended_on, n.term_until)`,
    }),
  );
  // a ППО's first headcount, or its last removed
  await knex.raw(
    refreshing('org_passport_flags_headcounts', {
      insert: 'SELECT organization_id FROM new_rows',
      delete: 'SELECT organization_id FROM old_rows',
      update: `SELECT unnest(ARRAY[o.organization_id, n.organization_id]) FROM old_rows o JOIN new_rows n ON n.id = o.id
                WHERE o.organization_id <> n.organization_id`,
    }),
  );
  for (const [table, fn] of [
    ['organizations', 'org_passport_flags_organizations'],
    ['org_officers', 'org_passport_flags_officers'],
    ['org_headcounts', 'org_passport_flags_headcounts'],
  ]) {
    await knex.raw(
      `CREATE TRIGGER org_passport_flags_inserted AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
    );
    await knex.raw(
      `CREATE TRIGGER org_passport_flags_deleted AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
    );
    await knex.raw(
      `CREATE TRIGGER org_passport_flags_updated AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`,
    );
  }
  await knex.raw(`INSERT INTO org_passport_flags (id, ${COLUMNS}) SELECT id, ${COLUMNS} FROM org_passport_gaps_live ORDER BY id`);
  await knex.raw('ANALYZE org_passport_flags');

  // the same name and columns, read from the kept rows
  await knex.raw(`
    CREATE OR REPLACE VIEW org_passport_gaps AS
    SELECT o.id,
           o.path,
           o.level,
           f.no_chair,
           f.no_chair_term,
           coalesce(f.chair_term_until < current_date, false) AS chair_term_expired,
           f.no_email,
           f.no_headcount
      FROM org_passport_flags f
      JOIN organizations o ON o.id = f.id`);
}

export async function down(knex: Knex): Promise<void> {
  // the view computed again on each read, its columns in their former order
  await knex.raw(`
    CREATE OR REPLACE VIEW org_passport_gaps AS
    SELECT g.id, o.path, o.level, g.no_chair, g.no_chair_term, g.chair_term_expired, g.no_email, g.no_headcount
      FROM (${gapsOf('coalesce(head.term_until < current_date, false) AS chair_term_expired')}) g
      JOIN organizations o ON o.id = g.id`);
  for (const table of ['organizations', 'org_officers', 'org_headcounts'])
    for (const event of ['inserted', 'deleted', 'updated'])
      await knex.raw(`DROP TRIGGER org_passport_flags_${event} ON ${table}`);
  for (const fn of ['organizations', 'officers', 'headcounts']) await knex.raw(`DROP FUNCTION org_passport_flags_${fn}()`);
  await knex.raw('DROP FUNCTION org_passport_flags_refresh(int[])');
  await knex.raw('DROP TABLE org_passport_flags');
  await knex.raw('DROP VIEW org_passport_gaps_live');
}
