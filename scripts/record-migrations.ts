// `npm run migrations:record`: records the migration files not yet in migrations/landed.json.
// A recorded file that changed or disappeared is reported and left as it was: landed migrations are
// never edited. (A migration recorded on a branch that has not landed yet may be edited: delete its
// line from landed.json and record again.)
import {
  compareWithLanded,
  currentMigrationHashes,
  describeDrift,
  readLandedHashes,
  writeLandedHashes,
} from './landed-migrations';

const landed = readLandedHashes();
const current = currentMigrationHashes();
const drift = compareWithLanded(landed, current);
if (drift.unrecorded.length) {
  writeLandedHashes({ ...landed, ...Object.fromEntries(drift.unrecorded.map((f) => [f, current[f]!])) });
  console.log(`Recorded: ${drift.unrecorded.join(', ')}`);
} else {
  console.log('Every migration is recorded');
}
const problems = describeDrift({ ...drift, unrecorded: [] });
if (problems.length) {
  console.error(problems.join('\n'));
  process.exitCode = 1;
}
