import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { createLoaders, type Loaders } from './access/loaders';
import { createAuthService } from './auth/auth.service';
import type { Config } from './config';
import { createDb } from './db/knex';
import { createLogger } from './logger';
import { createSlots, type Slots } from './shared/slots';
import { setAppTimeZone } from './shared/dates';
import { eventDates, type EventDates } from './shared/event-dates';

/** The composition root: everything the app needs, built once. Tests build it with their own database. */
export interface Deps {
  config: Config;
  databaseUrl: string;
  db: Knex;
  logger: Logger;
  auth: ReturnType<typeof createAuthService>;
  /** Resolve a URL's object within the user's subtrees (404 otherwise) before a route's permission is checked. */
  loaders: Loaders;
  /** Uploads being read: each unpacks and parses a file, so only a few at once (IMPORT_CONCURRENCY). */
  importSlots: Slots;
  /** The range every event date must lie in (config EVENT_DATE_MAX_FUTURE_DAYS). */
  eventDates: EventDates;
  /** Flipped at shutdown so /readyz tells the load balancer to stop sending traffic. */
  state: { shuttingDown: boolean };
}

export function buildDeps(config: Config, databaseUrl: string, logger: Logger = createLogger(config.logLevel)): Deps {
  setAppTimeZone(config.timeZone);
  const db = createDb(databaseUrl, { poolMax: config.dbPoolMax, statementTimeoutMs: config.statementTimeoutMs, logger });
  return {
    config, databaseUrl, db, logger, auth: createAuthService(db, config.bcryptCost), loaders: createLoaders(db), importSlots: createSlots(config.importConcurrency),
    eventDates: eventDates(config.eventDateMaxFutureDays), state: { shuttingDown: false },
  };
}
