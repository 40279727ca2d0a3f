import type { Knex } from 'knex';
import { recordAuditForMembers } from '../audit/audit';

export const DEPERSONALISED_NAME = 'Обезличено';

/**
 * Clears the personal fields of everyone who left more than `years` years before `today`, in one
 * statement, and journals each person (and audits the change). Idempotent: a second run finds nobody.
 */
export async function depersonaliseExpired(db: Knex, today: string, years: number): Promise<number> {
  return db.transaction(async (trx) => {
    const { rows } = await trx.raw(
      `WITH cleared AS (
         UPDATE members SET surname = :name, name = :name, patronymic = NULL, phone = NULL, email = NULL, snils = NULL,
                position = NULL, professional_group = NULL, depersonalised_at = now(), updated_at = now()
          WHERE left_on IS NOT NULL AND depersonalised_at IS NULL AND left_on < (:today::date - make_interval(years => :years))
         RETURNING id, left_on)
       INSERT INTO depersonalisation_journal (member_id, left_on, retention_years)
       SELECT id, left_on, :years FROM cleared RETURNING member_id`,
      { name: DEPERSONALISED_NAME, today, years },
    );
    const ids = rows.map((r: { member_id: number | string }) => Number(r.member_id));
    await recordAuditForMembers(trx, { actorUserId: null, requestId: 'retention-job', ip: null }, 'member.depersonalised', ids, { retentionYears: years });
    return ids.length;
  });
}
