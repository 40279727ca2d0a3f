import type { Knex } from 'knex';

export interface TermRule {
  level: string;
  post: string;
  years: number | null;
}

export async function listTermRules(db: Knex): Promise<TermRule[]> {
  return db('term_rules').orderBy(['level', 'post']).select('level', 'post', 'years');
}

/** The rules, locked until the transaction ends: two administrators' saves follow one another. */
export async function lockTermRules(trx: Knex.Transaction): Promise<TermRule[]> {
  return trx('term_rules').orderBy(['level', 'post']).forUpdate().select('level', 'post', 'years');
}

export async function saveTermRule(trx: Knex.Transaction, rule: TermRule): Promise<void> {
  await trx('term_rules')
    .insert({ ...rule, updated_at: trx.fn.now() })
    .onConflict(['level', 'post'])
    .merge(['years', 'updated_at']);
}

/**
 * The current officers of a level's organizations holding the post get their term's end from the rule now in
 * force (the row trigger `org_officers_compute_term` computes it when the row is written); ended terms keep the
 * end they were served under. Returns how many ends moved.
 */
export async function recomputeCurrentTerms(trx: Knex.Transaction, level: string, post: string): Promise<number> {
  const result = await trx.raw(
    `UPDATE org_officers f SET term_until = NULL
       FROM organizations o
      WHERE o.id = f.organization_id AND o.level = ? AND f.post = ? AND f.ended_on IS NULL
        AND f.term_until IS DISTINCT FROM officer_term_until(f.organization_id, f.post, f.elected_on)`,
    [level, post],
  );
  return result.rowCount ?? 0;
}
