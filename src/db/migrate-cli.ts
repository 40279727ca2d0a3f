// `npm run migrate` / `migrate:rollback`: the same migrations the server runs at start-up.
import { loadConfig } from '../config';
import { setAppTimeZone } from '../shared/dates';
import { openDatabase } from './database';
import { createOwnerDb, migratorConfig, runReferenceSeeds } from './migrate';

const command = process.argv[2] ?? 'latest';
const config = loadConfig();
setAppTimeZone(config.timeZone);
const database = await openDatabase(config);
const db = createOwnerDb(database.ownerUrl);
try {
  if (command === 'latest') {
    const [, applied] = await db.migrate.latest(migratorConfig);
    await runReferenceSeeds(db);
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Already up to date');
  } else if (command === 'rollback') {
    const [, reverted] = await db.migrate.rollback(migratorConfig, process.argv.includes('--all'));
    console.log(reverted.length ? `Reverted: ${reverted.join(', ')}` : 'Nothing to roll back');
  } else {
    console.error(`Unknown command "${command}": use latest or rollback [--all]`);
    process.exitCode = 1;
  }
} finally {
  await db.destroy();
  await database.embedded?.stop();
}
