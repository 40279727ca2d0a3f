import type { Knex } from 'knex';
import { allowLargeSorts, DERIVED_CHECKS, type CheckResult } from './verify-derived.repo';

// The checks themselves (one set-based query each) are in verify-derived.repo.ts; this runs them.
export { DERIVED_CHECKS, type CheckResult, type DerivedCheck, type Differences } from './verify-derived.repo';

/** Runs every check (or those named), each on a snapshot of its own. */
export async function verifyDerived(db: Knex, only?: string[]): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of DERIVED_CHECKS.filter((c) => !only?.length || only.includes(c.name))) {
    const started = Date.now();
    const found = await db.transaction(
      async (trx) => {
        await allowLargeSorts(trx);
        return check.differences(trx);
      },
      { isolationLevel: 'repeatable read', readOnly: true },
    );
    results.push({ name: check.name, ...found, ms: Date.now() - started });
  }
  return results;
}
