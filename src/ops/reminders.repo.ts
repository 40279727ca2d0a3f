import type { Knex } from 'knex';

export interface EndingTerm {
  officerId: number;
  termUntil: string;
  organizationId: number;
  parentId: number | null;
  inpo: string;
  name: string;
}

/**
 * Current chairs whose term ends between `from` and `to`, in organizations not liquidated: the hourly
 * reminder's window is a few days wide, so a day without the job (a stopped app) still reminds.
 */
export async function chairTermsEnding(db: Knex, from: string, to: string): Promise<EndingTerm[]> {
  return db('org_officers as f')
    .join('organizations as o', 'o.id', 'f.organization_id')
    .where({ 'f.post': 'chair' })
    .whereNull('f.ended_on')
    .whereNull('o.liquidated_on')
    .whereBetween('f.term_until', [from, to])
    .orderBy('f.id')
    .select({
      officerId: 'f.id',
      termUntil: 'f.term_until',
      organizationId: 'o.id',
      parentId: 'o.parent_id',
      inpo: 'o.inpo',
      name: 'o.name',
    });
}
