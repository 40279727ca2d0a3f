// Where each organization stood in the tree on every date: reports at a past date must find the
// subtrees of that date, not of today (a ППО moved to another territory in May must stay in the old
// territory's report for 1 April). One row per position, [valid_from, valid_to); kept by triggers on
// `organizations` in the same statement as every path change, so no code path can forget it. The
// date of a change is the operation's own (a move "on 1 May" entered in June), which the restructure
// service sets as `reestr.tree_change_on` for its transaction; without it, the day of the change.
//
// An organization's first position is valid from -infinity, not from its creation date: member periods
// may start before the organization's record (a ППО entered today with its members' real admission
// dates), and a position unknown before creation would drop them from dated reports while the
// current-path reports count them. Existence on a date stays the business of created_on/liquidated_on.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE org_tree_history (
      organization_id integer NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
      path ltree NOT NULL,
      valid_from date NOT NULL DEFAULT '-infinity',
      valid_to date NOT NULL DEFAULT 'infinity',
      PRIMARY KEY (organization_id, valid_from),
      CHECK (valid_from < valid_to)
    )`);
  await knex.raw('CREATE INDEX org_tree_history_path_gist ON org_tree_history USING gist (path)');
  // the positions a move began or ended: "did anything in this subtree move after D" reads only these
  await knex.raw(`CREATE INDEX org_tree_history_moves_gist ON org_tree_history USING gist (path) WHERE valid_from > '-infinity' OR valid_to < 'infinity'`);
  await knex.raw(`CREATE INDEX org_tree_history_closed_idx ON org_tree_history (valid_to) WHERE valid_to < 'infinity'`);
  // the children of an organization on a date: the parent is the path's last but one label (the same
  // expression as the reports' organizations of a date; a ППО's units were found by reading every position, 130 ms)
  await knex.raw(`CREATE INDEX org_tree_history_parent_idx ON org_tree_history ((CASE WHEN nlevel(path) > 1 THEN ltree2text(subpath(path, -2, 1))::int END), valid_from)`);
  await knex.raw('INSERT INTO org_tree_history (organization_id, path) SELECT id, path FROM organizations');

  await knex.raw(`
    CREATE FUNCTION org_tree_history_created() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO org_tree_history (organization_id, path) SELECT id, path FROM new_rows;
      RETURN NULL;
    END $$`);
  // (a trigger with transition tables cannot name columns: it fires on every update and compares paths)
  await knex.raw(`
    CREATE FUNCTION org_tree_history_moved() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      on_date date := coalesce(nullif(current_setting('reestr.tree_change_on', true), '')::date, current_date);
    BEGIN
      -- neither a moved organization nor its new parent may hold a position from a later date
      IF EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n USING (id)
                   JOIN org_tree_history h ON h.valid_to = 'infinity' AND h.valid_from > on_date
                    AND h.organization_id IN (n.id, ltree2text(subpath(n.path, -2, 1))::int)
                  WHERE o.path <> n.path) THEN
        RAISE EXCEPTION 'a change of the tree dated % precedes a later recorded one', on_date USING ERRCODE = 'check_violation', CONSTRAINT = 'org_tree_history_order';
      END IF;
      WITH changed AS (SELECT n.id, n.path FROM old_rows o JOIN new_rows n USING (id) WHERE o.path <> n.path),
           same_day AS (UPDATE org_tree_history h SET path = c.path FROM changed c
                         WHERE h.organization_id = c.id AND h.valid_to = 'infinity' AND h.valid_from = on_date RETURNING h.organization_id),
           closed AS (UPDATE org_tree_history h SET valid_to = on_date FROM changed c
                       WHERE h.organization_id = c.id AND h.valid_to = 'infinity' AND h.valid_from < on_date RETURNING h.organization_id)
      INSERT INTO org_tree_history (organization_id, path, valid_from)
      SELECT c.id, c.path, on_date FROM changed c JOIN closed ON closed.organization_id = c.id;
      RETURN NULL;
    END $$`);
  await knex.raw('CREATE TRIGGER org_tree_history_created AFTER INSERT ON organizations REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION org_tree_history_created()');
  await knex.raw('CREATE TRIGGER org_tree_history_moved AFTER UPDATE ON organizations REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION org_tree_history_moved()');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER org_tree_history_moved ON organizations');
  await knex.raw('DROP TRIGGER org_tree_history_created ON organizations');
  await knex.raw('DROP FUNCTION org_tree_history_moved()');
  await knex.raw('DROP FUNCTION org_tree_history_created()');
  await knex.raw('DROP TABLE org_tree_history');
}
