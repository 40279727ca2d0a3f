import type { Knex } from 'knex';
import type { ImportIssue } from '../../imports/import-issue';
import { isUuid } from '../../shared/uuid';

/** An import's issues kept for its error report (a file of the issues, for the user who ran it). */
export async function saveIssueReport(
  db: Knex,
  userId: number,
  organizationId: number,
  issues: ImportIssue[],
): Promise<string> {
  const [row] = await db('import_reports')
    .insert({ user_id: userId, organization_id: organizationId, issues: JSON.stringify(issues) })
    .returning('id');
  return row.id as string;
}

/** The issues of a report of this user's, while it is kept (7 days); nobody else's. */
export async function findOwnIssueReport(db: Knex, userId: number, id: string): Promise<ImportIssue[] | undefined> {
  if (!isUuid(id)) return undefined;
  const report = await db('import_reports')
    .where({ id, user_id: userId })
    .where('created_at', '>', db.raw("now() - interval '7 days'"))
    .first('issues');
  return report?.issues;
}
