import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const portMessage = { error: 'must be a port number from 1 to 65535' };
const port = z.coerce.number(portMessage).int(portMessage).min(1, portMessage).max(65535, portMessage);
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).optional(),
  EMBEDDED_PG_DIR: z.string().min(1).default('.data/postgres'),
  EMBEDDED_PG_PORT: port.default(54329),
  SESSION_SECRET: z.string().min(32).optional(),
  TRUST_PROXY: flag.default(false),
  BEHIND_TLS: flag.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BCRYPT_COST: z.coerce.number().int().min(12).max(15).default(12),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(15000),
  DEMO_DATA: flag.optional(),
  RETENTION_YEARS: z.coerce.number().int().min(1).max(75).default(5),
  EXPORT_DIR: z.string().min(1).default('.data/exports'),
  UPLOAD_DIR: z.string().min(1).default(path.join(os.tmpdir(), 'reestr-uploads')),
  EVENT_DATE_MAX_FUTURE_DAYS: z.coerce.number().int().min(0).max(366).default(31),
});

export type Config = Readonly<{
  env: 'development' | 'production' | 'test';
  isProduction: boolean;
  port: number;
  host: string;
  databaseUrl: string | undefined;
  embeddedPg: { dir: string; port: number };
  sessionSecret: string | undefined;
  trustProxy: boolean;
  /** Served over HTTPS (directly or by a proxy): Secure cookies, HSTS. */
  behindTls: boolean;
  logLevel: string;
  bcryptCost: number;
  dbPoolMax: number;
  statementTimeoutMs: number;
  loadDemoData: boolean;
  /** Years after a member leaves until the card is depersonalised. */
  retentionYears: number;
  /** Where background exports write their files. */
  exportDir: string;
  /** Where uploaded files wait while their request runs (removed when it ends). */
  uploadDir: string;
  /** How many days ahead of today an event (transfer, exit, admission, …) may be dated. */
  eventDateMaxFutureDays: number;
}>;

export class ConfigError extends Error {}

/** Parses the environment once; any problem becomes one line naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Configuration error: ${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.SESSION_SECRET) {
    throw new ConfigError('Configuration error: SESSION_SECRET: required in production (at least 32 characters)');
  }
  if (e.NODE_ENV === 'production' && !e.DATABASE_URL) {
    throw new ConfigError('Configuration error: DATABASE_URL: required in production');
  }
  return Object.freeze({
    env: e.NODE_ENV,
    isProduction: e.NODE_ENV === 'production',
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    embeddedPg: { dir: e.EMBEDDED_PG_DIR, port: e.EMBEDDED_PG_PORT },
    sessionSecret: e.SESSION_SECRET,
    trustProxy: e.TRUST_PROXY,
    behindTls: e.BEHIND_TLS ?? e.NODE_ENV === 'production',
    logLevel: e.LOG_LEVEL,
    bcryptCost: e.BCRYPT_COST,
    dbPoolMax: e.DB_POOL_MAX,
    statementTimeoutMs: e.STATEMENT_TIMEOUT_MS,
    loadDemoData: e.DEMO_DATA ?? e.NODE_ENV !== 'production',
    retentionYears: e.RETENTION_YEARS,
    exportDir: e.EXPORT_DIR,
    uploadDir: e.UPLOAD_DIR,
    eventDateMaxFutureDays: e.EVENT_DATE_MAX_FUTURE_DAYS,
  });
}
