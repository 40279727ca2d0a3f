// Drops test databases, several at a time, in a process of its own: `tsx drop-databases.ts <adminUrl> <name>…`.
// Each DROP DATABASE waits ~2 s for a checkpoint and they do not share one, so 160 of them cost minutes; the
// test run starts this detached and does not wait (global-setup.ts), and the next run drops what it left.
import { adminQuery } from './urls';

/** Drops the databases, eight connections at a time. */
export async function dropDatabases(adminUrl: string, names: string[]): Promise<void> {
  const queue = [...names];
  const dropper = async () => {
    for (let name = queue.shift(); name; name = queue.shift())
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
  };
  await Promise.all(Array.from({ length: 8 }, dropper));
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const [adminUrl, ...names] = process.argv.slice(2);
  await dropDatabases(adminUrl!, names);
}
