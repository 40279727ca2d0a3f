// `npm run verify-derived [-- <name> …]`: counts every derived table again from its sources on the
// database of DATABASE_URL (MIGRATION_DATABASE_URL when given; the embedded one without either) and
// prints the differences per table; the exit code is 1 when any table differs. docs/derived-data.md
// says what each table is derived from and how to rebuild it.
import { loadConfig } from '../config';
import { openDatabase } from '../db/database';
import { createOwnerDb } from '../db/migrate';
import { setAppTimeZone } from '../shared/dates';
import { DERIVED_CHECKS, verifyDerived } from './verify-derived';

const only = process.argv.slice(2);
const unknown = only.filter((name) => !DERIVED_CHECKS.some((c) => c.name === name));
if (unknown.length) {
  console.error(`Unknown table ${unknown.join(', ')}: one of ${DERIVED_CHECKS.map((c) => `"${c.name}"`).join(', ')}`);
  process.exit(2);
}
const config = loadConfig();
setAppTimeZone(config.timeZone);
const database = await openDatabase(config);
const db = createOwnerDb(database.ownerUrl);
try {
  const results = await verifyDerived(db, only);
  const width = Math.max(...results.map((r) => r.name.length));
  for (const r of results) {
    console.log(
      `${r.name.padEnd(width)}  ${r.count ? `${r.count} differing` : 'equal'}  (${(r.ms / 1000).toFixed(1)} s)`,
    );
    for (const row of r.sample) console.log(`${' '.repeat(width + 2)}${JSON.stringify(row)}`);
  }
  const differing = results.filter((r) => r.count);
  console.log(
    differing.length
      ? `Differences in ${differing.map((r) => r.name).join(', ')}`
      : 'Every derived table equals its recomputation',
  );
  if (differing.length) process.exitCode = 1;
} finally {
  await db.destroy();
  await database.embedded?.stop();
}
