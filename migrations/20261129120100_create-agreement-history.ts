// The collective agreement tab keeps what it said and from when: reports read the version in force on
// their date (КДК-1 texts, КДК-2, КДКО), not today's record. `collective_agreements` stays the current
// statement the tab edits (with its row version); every save also writes the dated version here.
// A record written without a history (seeds, imports, rows from before this change) is the only thing
// known about the agreement: it stands for every date ('-infinity'), which is what reports read before.
import type { Knex } from 'knex';

const FIELDS = 'status, none_reason, signed_on, valid_from, valid_to, registration_number, registration_date';

export async function up(knex: Knex): Promise<void> {
  // a version has the record's columns and checks (not its row version or edit time), plus its date
  await knex.raw(`
    CREATE TABLE collective_agreement_history (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      as_of date NOT NULL,
      LIKE collective_agreements INCLUDING CONSTRAINTS,
      recorded_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw(`ALTER TABLE collective_agreement_history DROP COLUMN updated_at, DROP COLUMN version,
                  ADD FOREIGN KEY (organization_id) REFERENCES organizations(id), ADD UNIQUE (organization_id, as_of)`);
  await knex.raw(`INSERT INTO collective_agreement_history (organization_id, as_of, ${FIELDS}, recorded_at)
                  SELECT organization_id, '-infinity', ${FIELDS}, updated_at FROM collective_agreements`);
  await knex.raw(`
    CREATE FUNCTION agreement_history_of_record() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM collective_agreement_history WHERE organization_id = NEW.organization_id) THEN
        INSERT INTO collective_agreement_history (organization_id, as_of, ${FIELDS})
        VALUES (NEW.organization_id, '-infinity', NEW.status, NEW.none_reason, NEW.signed_on, NEW.valid_from, NEW.valid_to, NEW.registration_number, NEW.registration_date);
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE TRIGGER agreement_history_of_record AFTER INSERT ON collective_agreements
                  FOR EACH ROW EXECUTE FUNCTION agreement_history_of_record()`);
  // the union's maintained statistics forget the blocks of a changed version from its date on
  await knex.raw(`
    CREATE FUNCTION union_stats_forget_collective_agreement_history() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE since date;
    BEGIN
      IF TG_OP <> 'DELETE' THEN
        since := (SELECT min(as_of) FROM new_rows);
        IF union_stats_kept(since) THEN PERFORM union_stats_forget(ARRAY(SELECT DISTINCT organization_id >> 9 FROM new_rows), since); END IF;
      END IF;
      IF TG_OP <> 'INSERT' THEN
        since := (SELECT min(as_of) FROM old_rows);
        IF union_stats_kept(since) THEN PERFORM union_stats_forget(ARRAY(SELECT DISTINCT organization_id >> 9 FROM old_rows), since); END IF;
      END IF;
      RETURN NULL;
    END $$`);
  for (const [op, rows] of [['INSERT', 'NEW TABLE AS new_rows'], ['DELETE', 'OLD TABLE AS old_rows'], ['UPDATE', 'OLD TABLE AS old_rows NEW TABLE AS new_rows']] as const) {
    await knex.raw(`CREATE TRIGGER union_stats_forget_${op.toLowerCase()} AFTER ${op} ON collective_agreement_history REFERENCING ${rows}
                    FOR EACH STATEMENT EXECUTE FUNCTION union_stats_forget_collective_agreement_history()`);
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER agreement_history_of_record ON collective_agreements');
  await knex.raw('DROP FUNCTION agreement_history_of_record()');
  await knex.raw('DROP TABLE collective_agreement_history');
  await knex.raw('DROP FUNCTION union_stats_forget_collective_agreement_history()');
}
