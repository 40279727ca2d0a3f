// The union's maintained statistics read the collective agreements from their dated history
// (collective_agreement_history, migration create-agreement-history), not from the passport's current
// record: a change of the record forgets nothing they depend on. Its history version — written beside it by
// the passport, or by agreement_history_of_record for a record inserted without one — forgets the blocks
// through the history's own triggers. So the triggers that create-union-stats put on collective_agreements
// only made every save of an agreement forget the organization's blocks for every date a second time.
// The tables whose changes forget the statistics are the tables the maintained indicator groups read
// (`forgettingTables()` in src/reports/indicators/groups.ts; test/integration/indicator-declarations.test.ts
// compares them with the installed triggers).
import type { Knex } from 'knex';

const OPERATIONS = [
  ['inserted', 'INSERT', 'NEW TABLE AS new_rows'],
  ['deleted', 'DELETE', 'OLD TABLE AS old_rows'],
  ['updated', 'UPDATE', 'OLD TABLE AS old_rows NEW TABLE AS new_rows'],
] as const;

export async function up(knex: Knex): Promise<void> {
  for (const [name] of OPERATIONS) await knex.raw(`DROP TRIGGER union_stats_forget_${name} ON collective_agreements`);
  await knex.raw('DROP FUNCTION union_stats_forget_collective_agreements()');
}

/** Puts back the function and triggers as create-union-stats made them. */
export async function down(knex: Knex): Promise<void> {
  const forget = (rows: string) => `
    IF union_stats_kept('-infinity') THEN
      PERFORM union_stats_forget(ARRAY(SELECT DISTINCT organization_id >> 9 FROM ${rows}), '-infinity');
    END IF;`;
  await knex.raw(`
    CREATE FUNCTION union_stats_forget_collective_agreements() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP <> 'DELETE' THEN ${forget('new_rows')} END IF;
      IF TG_OP <> 'INSERT' THEN ${forget('old_rows')} END IF;
      RETURN NULL;
    END $$`);
  for (const [name, operation, transitions] of OPERATIONS) {
    await knex.raw(`CREATE TRIGGER union_stats_forget_${name} AFTER ${operation} ON collective_agreements REFERENCING ${transitions}
                    FOR EACH STATEMENT EXECUTE FUNCTION union_stats_forget_collective_agreements()`);
  }
}
