import pg from 'pg';
import type { Config } from '../config';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded';

export interface DatabaseHandle {
  url: string;
  embedded: EmbeddedServer | undefined;
}

/** DATABASE_URL when given; otherwise the embedded PostgreSQL with a `reestr` database in it. */
export async function openDatabase(config: Config): Promise<DatabaseHandle> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: undefined };
  const embedded = await startEmbeddedPostgres(config.embeddedPg.dir, config.embeddedPg.port);
  await createDatabaseIfMissing(embedded.url('postgres'), 'reestr');
  return { url: embedded.url('reestr'), embedded };
}

export async function createDatabaseIfMissing(adminUrl: string, name: string, template?: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => undefined); // a lost connection fails the awaited query below; it must not end the process
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount) return false;
    const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
    await client.query(`CREATE DATABASE ${ident(name)}${template ? ` TEMPLATE ${ident(template)}` : ''} ENCODING 'UTF8'`);
    return true;
  } finally {
    await client.end();
  }
}
