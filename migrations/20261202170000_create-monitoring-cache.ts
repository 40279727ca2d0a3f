// The monitoring table (issue 17) counts, per child organization, the members on record on a date with the
// present state of their union cards and consents. Counted live, the union's 80 regions read every period,
// card and consent of 4 M members on each page view. The figures are kept here per (date, organization),
// computed when a page first needs them; a row is trusted only while its `gen` equals the organization's
// generation in `monitoring_gens`, which statement triggers move on in the transaction that changes a
// period of the organization, a card or consent of a member who has a period there, or a merge. A row
// computed from a snapshot taken before such a change carries the old generation and is never trusted, so
// a build needs no lock and a writer never waits for one. Generations are upserted in key order, so
// concurrent transactions take their locks in one order.
import type { Knex } from 'knex';

const FIGURES = [
  'members',
  'working',
  'student',
  'pensioner',
  'unemployed',
  'requested',
  'sent_to_production',
  'produced',
  'delivered_to_region',
  'handed_to_organization',
  'issued',
  'refused',
  'lost',
  'blocked',
  'issued_plastic',
  'issued_virtual',
  'without_card',
  'processing_consent',
  'without_processing_consent',
  'mailing_consent',
];

/** The organizations of every period of the members listed in `rows` (a transition table). */
const periodsOfMembers = (rows: string, column: string) =>
  `ARRAY(SELECT p.organization_id FROM member_periods p WHERE p.member_id IN (SELECT ${column} FROM ${rows}))`;

/** A statement trigger function that touches the organizations `orgs(rows)` names, for each event. */
const forgetting = (name: string, orgs: (rows: string) => string) => `
  CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'INSERT' THEN PERFORM monitoring_touch(${orgs('new_rows')});
    ELSIF TG_OP = 'DELETE' THEN PERFORM monitoring_touch(${orgs('old_rows')});
    ELSE PERFORM monitoring_touch(${orgs('new_rows')} || ${orgs('old_rows')});
    END IF;
    RETURN NULL;
  END $$`;

const TABLES = [
  ['member_periods', 'monitoring_forget_periods'],
  ['union_cards', 'monitoring_forget_cards'],
  ['member_consents', 'monitoring_forget_consents'],
] as const;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TABLE monitoring_gens (organization_id integer PRIMARY KEY, gen bigint NOT NULL) WITH (fillfactor = 50)`);
  await knex.raw(`
    CREATE TABLE monitoring_cache (
      as_of date NOT NULL,
      organization_id integer NOT NULL,
      gen bigint NOT NULL,
      built_at timestamptz NOT NULL DEFAULT now(),
      ${FIGURES.map((f) => `${f} integer NOT NULL`).join(',\n      ')},
      PRIMARY KEY (as_of, organization_id)
    )`);
  await knex.raw(`
    CREATE FUNCTION monitoring_touch(orgs integer[]) RETURNS void LANGUAGE sql AS $$
      INSERT INTO monitoring_gens AS g (organization_id, gen)
      SELECT DISTINCT o, 1 FROM unnest(orgs) o WHERE o IS NOT NULL ORDER BY 1
      ON CONFLICT (organization_id) DO UPDATE SET gen = g.gen + 1
    $$`);
  await knex.raw(forgetting('monitoring_forget_periods', (rows) => `ARRAY(SELECT organization_id FROM ${rows})`));
  await knex.raw(forgetting('monitoring_forget_cards', (rows) => periodsOfMembers(rows, 'member_id')));
  await knex.raw(forgetting('monitoring_forget_consents', (rows) => periodsOfMembers(rows, 'member_id')));
  for (const [table, fn] of TABLES) {
    await knex.raw(`CREATE TRIGGER monitoring_forget_inserted AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`);
    await knex.raw(`CREATE TRIGGER monitoring_forget_deleted AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`);
    await knex.raw(`CREATE TRIGGER monitoring_forget_updated AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`);
  }
  // a merged card stops counting (transition tables cannot go with a column list: one row at a time, merges are few)
  await knex.raw(`
    CREATE FUNCTION monitoring_forget_merged() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM monitoring_touch(ARRAY(SELECT p.organization_id FROM member_periods p WHERE p.member_id = NEW.id));
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE TRIGGER monitoring_forget_merged AFTER UPDATE OF merged_into_id ON members FOR EACH ROW
                  WHEN (OLD.merged_into_id IS DISTINCT FROM NEW.merged_into_id) EXECUTE FUNCTION monitoring_forget_merged()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER monitoring_forget_merged ON members');
  for (const [table] of TABLES)
    for (const event of ['inserted', 'deleted', 'updated'])
      await knex.raw(`DROP TRIGGER monitoring_forget_${event} ON ${table}`);
  for (const fn of ['monitoring_forget_merged', 'monitoring_forget_periods', 'monitoring_forget_cards', 'monitoring_forget_consents'])
    await knex.raw(`DROP FUNCTION ${fn}()`);
  await knex.raw('DROP FUNCTION monitoring_touch(integer[])');
  await knex.raw('DROP TABLE monitoring_cache');
  await knex.raw('DROP TABLE monitoring_gens');
}
