import type { Knex } from 'knex';

export const DEPERSONALISED_NAME = 'Обезличено';

/**
 * The birth date a depersonalised card keeps: only what statistics read. Reports count "youth" as
 * `birth_date > D - 35 years` on the dates D the person is counted: within their membership periods
 * (state on D, arrivals and exits on their days) and their elected posts (officers are counted by post,
 * also after leaving the union). So the year stays — 1 January when the person was 35 or over on the
 * first such day, 31 December when under 35 on the last — and the exact day only for someone who
 * turned 35 in between (an open post runs to infinity). Every past figure is then unchanged.
 */
const KEPT_BIRTH_DATE = `CASE
    WHEN s.first_day IS NULL OR m.birth_date <= s.first_day - interval '35 years' THEN date_trunc('year', m.birth_date)::date
    WHEN m.birth_date > s.last_day - interval '35 years' THEN (date_trunc('year', m.birth_date) + interval '1 year - 1 day')::date
    ELSE m.birth_date END`;

/**
 * Clears the personal fields of the cards that left more than `years` years before `today` (and of the
 * cards merged into theirs) in one statement and journals each; returns their ids.
 */
export async function clearExpiredMembers(trx: Knex.Transaction, today: string, years: number): Promise<number[]> {
  const { rows } = await trx.raw(
    `WITH expired AS (
       SELECT id FROM members WHERE left_on IS NOT NULL AND depersonalised_at IS NULL AND left_on < (:today::date - make_interval(years => :years))),
     due AS (
       SELECT id FROM expired
       UNION SELECT d.id FROM members d JOIN expired e ON e.id = d.merged_into_id WHERE d.depersonalised_at IS NULL),
     counted_days AS (
       SELECT member_id, valid_from AS from_day, coalesce(valid_to, 'infinity') AS to_day FROM member_periods WHERE member_id IN (SELECT id FROM due)
       UNION ALL
       SELECT member_id, elected_on, coalesce(ended_on, 'infinity') FROM org_officers WHERE member_id IN (SELECT id FROM due)),
     spans AS (
       SELECT due.id, min(x.from_day) AS first_day, max(x.to_day) AS last_day FROM due LEFT JOIN counted_days x ON x.member_id = due.id GROUP BY due.id),
     cleared AS (
       UPDATE members m SET surname = :name, name = :name, patronymic = NULL, phone = NULL, email = NULL, snils = NULL,
              position = NULL, professional_group = NULL, study_form = NULL, study_year = NULL, birth_date = ${KEPT_BIRTH_DATE},
              depersonalised_at = now(), updated_at = now()
         FROM spans s WHERE m.id = s.id
       RETURNING m.id, m.left_on),
     -- what the member proposed from their personal account (names, contacts) goes with the card's fields
     requests AS (
       UPDATE member_requests r SET changes = '{}'::jsonb, reason = CASE WHEN r.kind = 'leave' THEN '' END, decision_reason = NULL
         FROM cleared c WHERE r.member_id = c.id)
     INSERT INTO depersonalisation_journal (member_id, left_on, retention_years)
     SELECT id, left_on, :years FROM cleared RETURNING member_id`,
    { name: DEPERSONALISED_NAME, today, years },
  );
  return rows.map((r: { member_id: number | string }) => Number(r.member_id));
}

/** Clears the names and SNILS of the persons whose last post ended more than `years` years before `today`; returns their ids. */
export async function clearExpiredPersons(trx: Knex.Transaction, today: string, years: number): Promise<number[]> {
  const { rows } = await trx.raw(
    `WITH spans AS (
       SELECT f.person_id AS id, min(f.elected_on) AS first_day, max(coalesce(f.ended_on, 'infinity')) AS last_day
         FROM org_officers f JOIN persons p ON p.id = f.person_id AND p.depersonalised_at IS NULL
        GROUP BY f.person_id
       HAVING max(coalesce(f.ended_on, 'infinity')) < (:today::date - make_interval(years => :years)))
     UPDATE persons m SET surname = :name, name = :name, patronymic = NULL, snils = NULL, birth_date = ${KEPT_BIRTH_DATE},
            depersonalised_at = now(), updated_at = now()
       FROM spans s WHERE m.id = s.id
     RETURNING m.id`,
    { name: DEPERSONALISED_NAME, today, years },
  );
  return rows.map((r: { id: number | string }) => Number(r.id));
}

/**
 * The names typed on the elected posts of these cards or persons are the same personal data; so is their
 * personnel file (education, training, awards, notes, documents' descriptions), removed whole with its sections.
 */
export async function clearOfficerNames(trx: Knex.Transaction, column: 'member_id' | 'person_id', ids: number[]) {
  await trx('org_officers')
    .whereIn(column, ids)
    .update({ surname: DEPERSONALISED_NAME, name: DEPERSONALISED_NAME, patronymic: null });
  await trx('officer_files').whereIn(column, ids).delete();
}

/** The audit rows about these cards (or persons) forget the values (the owner's functions: the log is append-only for the app). */
export async function forgetAuditedValues(trx: Knex.Transaction, of: 'member' | 'person', ids: number[]) {
  await trx.raw(`SELECT ${of === 'member' ? 'depersonalise_audit' : 'depersonalise_person_audit'}(?::bigint[])`, [ids]);
}
