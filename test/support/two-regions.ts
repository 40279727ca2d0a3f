import { createTestDatabase } from './db';
import { createRegionTree, unionRoot } from './factories';

export type RegionTree = Awaited<ReturnType<typeof createRegionTree>>;

/**
 * A database of its own, written as its owner (past the app role, as a restore or the triggers' own tests do),
 * with the union and two region trees: the set-up of the maintained counters' tests.
 */
export async function ownerDatabaseWithTwoRegions([first, second]: [number, number]) {
  const database = await createTestDatabase();
  const db = database.ownerDb;
  const union = await unionRoot(db);
  return { database, db, union, r1: await createRegionTree(db, first), r2: await createRegionTree(db, second) };
}
