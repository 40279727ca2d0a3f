// The officers recorded before they were people (a typed name) get the member card of the same full
// name among the members registered in the officer's organization or below it while the post was held
// — only where exactly one card matches (and its birth date, when the officer's was typed). The rest stay
// unlinked: the reports list them under «Пробелы в данных» instead of guessing a sex or an age.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    WITH candidates AS (
      SELECT f.id AS officer_id, m.id AS member_id
        FROM org_officers f
        JOIN organizations fo ON fo.id = f.organization_id
        JOIN members m ON lower(m.surname) = lower(f.surname) AND lower(m.name) = lower(f.name)
                      AND coalesce(lower(m.patronymic), '') = coalesce(lower(f.patronymic), '')
                      AND (f.birth_date IS NULL OR m.birth_date = f.birth_date)
                      AND m.merged_into_id IS NULL
       WHERE f.member_id IS NULL AND f.person_id IS NULL
         AND EXISTS (SELECT 1 FROM member_periods p JOIN organizations po ON po.id = p.organization_id
                      WHERE p.member_id = m.id AND po.path <@ fo.path
                        AND p.valid_from <= coalesce(f.ended_on, 'infinity') AND (p.valid_to IS NULL OR p.valid_to > f.elected_on))
       GROUP BY f.id, m.id),
    unambiguous AS (SELECT officer_id, min(member_id) AS member_id FROM candidates GROUP BY officer_id HAVING count(*) = 1)
    UPDATE org_officers f SET member_id = u.member_id FROM unambiguous u WHERE f.id = u.officer_id`);
}

// The links are facts about the same people, not a change of form: nothing to undo when the column stays.
export async function down(): Promise<void> {}
