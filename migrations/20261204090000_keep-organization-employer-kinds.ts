// Issue 15, item 2: the union's member list by employer kind walks each region's sort index and tested every
// card it passed for a ППО of the kind among the ancestors of the card's organization (a key probe per label of
// its path: 16 buffers per card); a sparse kind walks ~212 cards in each of 76 regions (1.15 s under load).
//
// organization_employer_kinds: each organization with the employer kinds of the ППО on its path (the ППО
// itself, the ППО above a subdivision or group, an enclosing ППО's too) — what org_employer_kinds(path)
// answers, one row per kind, so that a card is tested by one probe of its primary key (index only).
//
// Kept by two statement triggers on organizations: a new organization's kinds are read from its path; a change
// of a path, level or kind (a ППО's kind or level corrected in the passport, a subtree moved) reads again the
// kinds of every organization below it. A removed organization takes its rows with it (the foreign key).
import type { Knex } from 'knex';

/** The kinds of the organizations selected as `u` (id, path), read from their paths now. */
const kindsOf = (organizations: string) =>
  `SELECT u.id, k.kind FROM (${organizations}) u CROSS JOIN LATERAL org_employer_kinds(u.path) k (kind)`;

/**
 * Of an update, every organization below one whose path, level or kind changed: its rows become its kinds
 * now (those it keeps stay, so an update that changes nothing of them writes nothing).
 */
const belowChanged = `
  WITH below AS (
    SELECT DISTINCT u.id, u.path FROM old_rows o JOIN new_rows n ON n.id = o.id JOIN organizations u ON u.path <@ n.path
     WHERE (o.path, o.level, o.employer_kind) IS DISTINCT FROM (n.path, n.level, n.employer_kind)),
  now AS (${kindsOf('SELECT id, path FROM below')}),
  gone AS (
    DELETE FROM organization_employer_kinds e USING below b
     WHERE e.organization_id = b.id AND (e.organization_id, e.employer_kind) NOT IN (SELECT id, kind FROM now))
  INSERT INTO organization_employer_kinds (organization_id, employer_kind) SELECT id, kind FROM now ON CONFLICT DO NOTHING`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE organization_employer_kinds (
      organization_id integer NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      employer_kind text NOT NULL,
      PRIMARY KEY (organization_id, employer_kind))`);
  // the kind's organizations of the union, read as a set (member-employer-kind.repo)
  await knex.raw(
    'CREATE INDEX organization_employer_kinds_kind_idx ON organization_employer_kinds (employer_kind, organization_id)',
  );
  await knex.raw(`
    CREATE FUNCTION organization_employer_kinds_apply() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO organization_employer_kinds (organization_id, employer_kind) ${kindsOf('SELECT id, path FROM new_rows')};
      ELSE
        ${belowChanged};
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE TRIGGER organization_employer_kinds_inserted AFTER INSERT ON organizations REFERENCING NEW TABLE AS new_rows
                  FOR EACH STATEMENT EXECUTE FUNCTION organization_employer_kinds_apply()`);
  await knex.raw(`CREATE TRIGGER organization_employer_kinds_updated AFTER UPDATE ON organizations REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                  FOR EACH STATEMENT EXECUTE FUNCTION organization_employer_kinds_apply()`);
  // Read again from every organization: the backfill here, and after organizations were changed past the triggers.
  await knex.raw(`
    CREATE FUNCTION organization_employer_kinds_rebuild() RETURNS void LANGUAGE sql AS $$
      DELETE FROM organization_employer_kinds;
      INSERT INTO organization_employer_kinds (organization_id, employer_kind)
      ${kindsOf('SELECT id, path FROM organizations')} ORDER BY 1, 2;
    $$`);
  await knex.raw('SELECT organization_employer_kinds_rebuild()');
  await knex.raw('ANALYZE organization_employer_kinds');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER organization_employer_kinds_updated ON organizations');
  await knex.raw('DROP TRIGGER organization_employer_kinds_inserted ON organizations');
  await knex.raw('DROP FUNCTION organization_employer_kinds_rebuild()');
  await knex.raw('DROP FUNCTION organization_employer_kinds_apply()');
  await knex.raw('DROP TABLE organization_employer_kinds');
}
