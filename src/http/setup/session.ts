import crypto from 'node:crypto';
import type { Express } from 'express';
import session from 'express-session';
import connectPgSimple from 'connect-pg-simple';
import pg from 'pg';
import type { Logger } from 'pino';
import { nameStatementsOf } from '../../db/prepared';

export const IDLE_TIMEOUT_MS = 30 * 60 * 1000;
export const ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60 * 1000;
export const SESSION_COOKIE = 'reestr.sid';

export interface SessionOptions {
  databaseUrl: string;
  secret: string | undefined;
  secureCookie: boolean;
  pruneIntervalSeconds: number | false;
  logger: Logger;
}

/**
 * Sessions live in PostgreSQL. The cookie and the stored row expire after 30 idle minutes
 * (`rolling` renews both on every request); the 12-hour absolute limit is checked here.
 */
/** How often a session's stored expiry is moved on while it is in use. */
export const TOUCH_INTERVAL_MS = 60 * 1000;

/**
 * express-session "touches" the stored session on every request to roll the idle timeout: an UPDATE
 * with a WAL flush per page view, the costliest of a page's queries (a quarter of the database time of
 * a passport page). The stored expiry is moved on at most once a minute per session and process, so the
 * 30-minute idle timeout holds to within that minute; a changed session is still saved at once.
 */
function throttleTouches(store: session.Store) {
  const touchedAt = new Map<string, number>();
  const touch = store.touch!.bind(store);
  store.touch = (sid, sess, done) => {
    const now = Date.now();
    if (now - (touchedAt.get(sid) ?? 0) < TOUCH_INTERVAL_MS) return done?.();
    if (touchedAt.size >= 100_000) touchedAt.clear(); // a bound, not an eviction policy: a clear costs one touch per session
    touchedAt.set(sid, now);
    touch(sid, sess, done);
  };
}

export function setUpSession(app: Express, options: SessionOptions): { close: () => Promise<void> } {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 4, application_name: 'reestr-sessions' });
  // An idle client whose server connection ends (a database restart, a failover, a proxy's idle timeout)
  // is emitted here; without a listener that 'error' ended the process. The pool drops the client and
  // the next request connects anew.
  pool.on('error', (err) => options.logger.warn({ err }, 'session store lost an idle database connection'));
  // the store's few statements (read, touch, save) are fixed texts keyed by the session id: each is parsed and
  // planned once per connection, not on every request
  pool.on('connect', (client) => nameStatementsOf(client, { all: true }));
  const PgStore = connectPgSimple(session);
  const store = new PgStore({
    pool,
    tableName: 'sessions',
    createTableIfMissing: false,
    pruneSessionInterval: options.pruneIntervalSeconds,
  });
  throttleTouches(store);
  app.use(
    session({
      name: SESSION_COOKIE,
      store,
      // Without a configured secret (development) a random one is used: sessions end at restart.
      secret: options.secret ?? crypto.randomBytes(32).toString('hex'),
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: { httpOnly: true, sameSite: 'lax', secure: options.secureCookie, maxAge: IDLE_TIMEOUT_MS },
    }),
  );
  app.use((req, _res, next) => {
    const started = req.session.authenticatedAt;
    if (started && Date.now() - started > ABSOLUTE_TIMEOUT_MS) {
      // A fresh empty session replaces the expired one (which leaves the store): the user is anonymous again.
      return req.session.regenerate((err) => next(err));
    }
    next();
  });
  return {
    close: async () => {
      store.close();
      await pool.end();
    },
  };
}
