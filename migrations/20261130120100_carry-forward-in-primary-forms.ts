// A primary form (5-СП, 4-СП, 3-СП) starts its movement from line 09 of the report filed at the previous
// reporting date. That was known to the code by the form's code and a line number written into the
// reports service; a definition now says it itself (`carriedForward`, forms/form-schema.ts), and the shipped
// files do. The stored versions of those forms — active, retired and uploaded ones — had that behaviour
// from the code, so each that has a line 09 is given the statement of it: nothing any report computes changes.
import type { Knex } from 'knex';

const PRIMARY_FORMS = "('5-SP', '4-SP', '3-SP')";
const CARRIED = { line: '09', indicator: 'members_at_start', columns: ['total', 'women'] };

export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `UPDATE form_versions SET definition = definition || jsonb_build_object('carriedForward', ?::jsonb)
      WHERE code IN ${PRIMARY_FORMS} AND definition->>'kind' = 'lines' AND definition->'carriedForward' IS NULL
        AND EXISTS (SELECT 1 FROM jsonb_array_elements(definition->'sections') s CROSS JOIN jsonb_array_elements(s->'lines') l WHERE l->>'no' = '09')`,
    [JSON.stringify(CARRIED)],
  );
}

// the code before this reads definitions strictly: the key must go
export async function down(knex: Knex): Promise<void> {
  await knex.raw(`UPDATE form_versions SET definition = definition - 'carriedForward' WHERE code IN ${PRIMARY_FORMS}`);
}
