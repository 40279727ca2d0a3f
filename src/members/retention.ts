import type { Knex } from 'knex';
import { analyzeAfterBulkChange } from '../db/maintenance';
import { recordAudit, recordAuditForMembers } from '../audit/audit';

export const DEPERSONALISED_NAME = 'Обезличено';
const RETENTION_JOB = { actorUserId: null, requestId: 'retention-job', ip: null };

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
 * Clears the personal fields of everyone who left more than `years` years before `today` (and of the
 * cards merged into theirs), in one statement, journals each card, forgets the person's values in the
 * audit rows about them (depersonalise_audit: the log stays append-only for the application) and
 * audits the change. Sex, category, dates, organizations and the birth date as far as statistics need it
 * stay, so past reports add up. Idempotent: a second run finds nobody.
 */
export async function depersonaliseExpired(db: Knex, today: string, years: number): Promise<number> {
  const depersonalised = await db.transaction(async (trx) => {
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
         RETURNING m.id, m.left_on)
       INSERT INTO depersonalisation_journal (member_id, left_on, retention_years)
       SELECT id, left_on, :years FROM cleared RETURNING member_id`,
      { name: DEPERSONALISED_NAME, today, years },
    );
    const ids = rows.map((r: { member_id: number | string }) => Number(r.member_id));
    // the names typed on their elected posts are the same personal data
    if (ids.length)
      await trx('org_officers')
        .whereIn('member_id', ids)
        .update({ surname: DEPERSONALISED_NAME, name: DEPERSONALISED_NAME, patronymic: null });
    if (ids.length) await trx.raw('SELECT depersonalise_audit(?::bigint[])', [ids]);
    await recordAuditForMembers(trx, RETENTION_JOB, 'member.depersonalised', ids, { retentionYears: years });
    return ids.length;
  });
  // the cards' names and birth dates (copied onto their periods), their posts, the audit rows about them
  await analyzeAfterBulkChange(db, depersonalised, ['members', 'member_periods', 'org_officers', 'audit_log']);
  return depersonalised;
}

/**
 * The same for the officers outside the registry (persons by SNILS): more than `years` years after their
 * last post ended, the names and SNILS are cleared — on the person and on their posts — and the audit rows
 * about them forget the values; sex and the birth date as far as the officer lines need it stay. A person
 * holding a post now is kept whatever their past. Returns how many persons were depersonalised.
 */
export async function depersonaliseExpiredPersons(db: Knex, today: string, years: number): Promise<number> {
  const depersonalised = await db.transaction(async (trx) => {
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
    const ids = rows.map((r: { id: number | string }) => Number(r.id));
    if (!ids.length) return 0;
    await trx('org_officers')
      .whereIn('person_id', ids)
      .update({ surname: DEPERSONALISED_NAME, name: DEPERSONALISED_NAME, patronymic: null });
    await trx.raw('SELECT depersonalise_person_audit(?::bigint[])', [ids]);
    for (const id of ids)
      await recordAudit(trx, RETENTION_JOB, {
        action: 'person.depersonalised',
        entity: 'person',
        entityId: id,
        newValues: { retentionYears: years },
      });
    return ids.length;
  });
  await analyzeAfterBulkChange(db, depersonalised, ['persons', 'org_officers', 'audit_log']);
  return depersonalised;
}
