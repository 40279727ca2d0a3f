import type { Knex } from 'knex';
import { analyzeAfterBulkChange } from '../db/maintenance';
import { recordAudit, recordAuditForMembers } from '../audit/audit';
import { clearExpiredMembers, clearExpiredPersons, clearOfficerNames, forgetAuditedValues } from './retention.repo';

const RETENTION_JOB = { actorUserId: null, requestId: 'retention-job', ip: null };

/**
 * Clears the personal fields of everyone who left more than `years` years before `today` (and of the
 * cards merged into theirs), in one statement, journals each card, forgets the person's values in the
 * audit rows about them (depersonalise_audit: the log stays append-only for the application) and
 * audits the change. Sex, category, dates, organizations and the birth date as far as statistics need it
 * stay, so past reports add up. Idempotent: a second run finds nobody.
 */
export async function depersonaliseExpired(db: Knex, today: string, years: number): Promise<number> {
  const depersonalised = await db.transaction(async (trx) => {
    const ids = await clearExpiredMembers(trx, today, years);
    if (ids.length) {
      await clearOfficerNames(trx, 'member_id', ids);
      await forgetAuditedValues(trx, 'member', ids);
    }
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
    const ids = await clearExpiredPersons(trx, today, years);
    if (!ids.length) return 0;
    await clearOfficerNames(trx, 'person_id', ids);
    await forgetAuditedValues(trx, 'person', ids);
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
