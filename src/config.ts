import { readFileSync } from 'node:fs';
import net from 'node:net';
import { z } from 'zod';
import { DEFAULT_TIME_ZONE } from './shared/dates';

const portMessage = { error: 'must be a port number from 1 to 65535' };
const port = z.coerce.number(portMessage).int(portMessage).min(1, portMessage).max(65535, portMessage);
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** An address or a CIDR block, or one of the named ranges Express knows. */
function isProxyAddress(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = net.isIP(address);
  if (!family || rest.length) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/**
 * Which hops' X-Forwarded-For to believe: none, the nearest N proxies, or proxies at the given addresses.
 * `true` (believe every hop) is refused: the left-most address is whatever the client wrote, and it
 * would choose the address that login throttling counts and the audit log records.
 */
const trustProxy = z
  .string()
  .trim()
  .transform((value, ctx): false | number | string[] => {
    if (value === 'false' || value === '0') return false;
    if (/^\d{1,2}$/.test(value)) return Number(value);
    const entries = value.split(',').map((e) => e.trim());
    if (value !== 'true' && entries.every(isProxyAddress)) return entries;
    ctx.addIssue({
      code: 'custom',
      message:
        'give the number of proxies in front of the app (e.g. 1) or their addresses/CIDRs (e.g. 10.0.0.0/8,127.0.0.1); "true" would let clients forge their address',
    });
    return z.NEVER;
  });

/**
 * An IANA zone name both Node and PostgreSQL know ('Europe/Moscow'). Offsets are refused: PostgreSQL reads
 * '+03:00' as a POSIX zone, three hours WEST of Greenwich.
 */
const timeZone = z
  .string()
  .trim()
  .refine((value) => {
    if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(value) || /^(UTC|GMT)?[+-]/i.test(value)) return false;
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
      return true;
    } catch {
      return false;
    }
  }, 'must be a time zone name of the IANA database, e.g. Europe/Moscow or Asia/Vladivostok');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).optional(),
  MIGRATION_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).optional(),
  REPLICA_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).optional(),
  EMBEDDED_PG_DIR: z.string().min(1).default('.data/postgres'),
  EMBEDDED_PG_PORT: port.default(54329),
  SESSION_SECRET: z.string().min(32).optional(),
  TRUST_PROXY: trustProxy.default(false),
  BEHIND_TLS: flag.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BCRYPT_COST: z.coerce.number().int().min(12).max(15).default(12),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(15000),
  DEMO_DATA: flag.optional(),
  RETENTION_YEARS: z.coerce.number().int().min(1).max(75).default(5),
  EXPORT_DIR: z.string().min(1).default('.data/exports'),
  UPLOAD_DIR: z.string().min(1).default('.data/uploads'),
  LIBRARY_DIR: z.string().min(1).default('.data/library'),
  LIBRARY_MAX_MB: z.coerce.number().int().min(1).max(500).default(20),
  IMPORT_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(2),
  API_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(120),
  EVENT_DATE_MAX_FUTURE_DAYS: z.coerce.number().int().min(0).max(366).default(31),
  APP_TIME_ZONE: timeZone.default(DEFAULT_TIME_ZONE),
  TOTP_REQUIRED: flag.default(true),
  PRINCIPAL_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(60),
  DASHBOARD_KEPT_SECONDS: z.coerce.number().int().min(0).max(600).default(60),
  OFFICER_TRAINING_YEARS: z.coerce.number().int().min(1).max(20).default(3),
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
  MAIL_FROM: z.string().trim().min(3).max(254).default('Реестр Профсоюза <no-reply@reestr.local>'),
  MAIL_RATE_PER_SECOND: z.coerce.number().positive().max(1000).default(10),
  MAIL_RATE_PER_DOMAIN: z.coerce.number().positive().max(1000).default(2),
  MAIL_RETRY_LIMIT: z.coerce.number().int().min(0).max(20).default(5),
  MAIL_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  MAIL_SEND_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(120),
  JOB_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(2),
  JOB_MAINTENANCE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  BOUNCE_IMAP_URL: z.url({ protocol: /^imaps?$/, error: 'must be an imap:// or imaps:// URL' }).optional(),
  BOUNCE_POLL_CRON: z
    .string()
    .trim()
    .regex(/^\S+( \S+){4}$/, 'must be a cron expression of five fields, e.g. */5 * * * *')
    .default('*/5 * * * *'),
  HOUSEKEEPING_CRON: z
    .string()
    .trim()
    .regex(/^\S+( \S+){4}$/, 'must be a cron expression of five fields, e.g. 0 * * * *')
    .default('0 * * * *'),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  HELP_CONTACTS: z.string().trim().min(1).max(4000).optional(),
  HELP_CONTACTS_FILE: z.string().min(1).optional(),
});

export type Config = Readonly<{
  env: 'development' | 'production' | 'test';
  isProduction: boolean;
  port: number;
  host: string;
  /** The app's own login; with no MIGRATION_DATABASE_URL, the owner's (used at start-up to enable the app role). */
  databaseUrl: string | undefined;
  /** The owner's login for migrations, kept apart from the app's. */
  migrationDatabaseUrl: string | undefined;
  /** A streaming standby of DATABASE_URL's server: reports, exports and heavy lists read there (src/db/replica.ts). */
  replicaDatabaseUrl: string | undefined;
  embeddedPg: { dir: string; port: number };
  sessionSecret: string | undefined;
  /** Express's `trust proxy`: false, a number of hops, or the proxies' addresses. */
  trustProxy: false | number | string[];
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
  /** The app's own folder (0700) where uploaded files wait while their request runs (removed when it ends, or at start-up). */
  uploadDir: string;
  /** The document library's files, named by their SHA-256 (the app's own folder, files 0600). */
  libraryDir: string;
  /** The largest file the library accepts, in bytes (LIBRARY_MAX_MB). */
  libraryMaxBytes: number;
  /** Uploaded files read at once; one more is answered 429. */
  importConcurrency: number;
  /** Requests one API token may make in a minute; the next is answered 429 with Retry-After. */
  apiRatePerMinute: number;
  /** How many days ahead of today an event (transfer, exit, admission, …) may be dated. */
  eventDateMaxFutureDays: number;
  /** The union's time zone: what day "today" is (report dates, default dates, retention); instants are stored in UTC. */
  timeZone: string;
  /** Holders of the roles in access/second-factor.ts must enrol a TOTP second factor before anything else. */
  totpRequired: boolean;
  /** How long a session reuses the user's resolved grants before reloading them (0: every request). */
  principalCacheSeconds: number;
  /** How long a process keeps a subtree's home-page dashboard before counting it again in the background (0: every request). */
  dashboardKeptSeconds: number;
  /** The monitoring counts a current chair without training in this many years (OFFICER_TRAINING_YEARS). */
  officerTrainingYears: number;
  /** Outgoing mail: SMTP when set, else letters are kept in the outbox (/admin/mail). */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Letters handed to the mail server per second by one instance, in all and to one domain. */
  mailRate: { perSecond: number; perDomain: number };
  /** Attempts after a temporary refusal (4xx, no connection), the first after `retryDelaySeconds`, then doubling. */
  mailRetry: { limit: number; delaySeconds: number };
  /** A letter's job not finished in this time is taken for a dead worker's: its letter is then not sent again. */
  mailSendTimeoutSeconds: number;
  /** The job queue (pg-boss): how often idle workers poll, how often stuck jobs are expired. */
  jobs: { pollSeconds: number; maintenanceSeconds: number };
  /** When the hourly housekeeping runs (cron, in APP_TIME_ZONE); one instance runs each tick. */
  housekeepingCron: string;
  /** The mailbox the mail server returns bounce reports (DSN) to, polled on `cron` (none: only SMTP replies count). */
  bounces: { imapUrl: string | undefined; cron: string };
  /** The address users open the app at: links in letters (invitations, password resets) start with it. */
  publicUrl: string;
  /** Where users turn with questions, shown on /help (HELP_CONTACTS or the file HELP_CONTACTS_FILE). */
  helpContacts: string;
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
  if ((e.NODE_ENV === 'production' || e.MIGRATION_DATABASE_URL) && !e.DATABASE_URL) {
    throw new ConfigError(
      `Configuration error: DATABASE_URL: required ${e.MIGRATION_DATABASE_URL ? "with MIGRATION_DATABASE_URL (the app role's own login)" : 'in production'}`,
    );
  }
  if (e.REPLICA_DATABASE_URL && !e.DATABASE_URL) {
    throw new ConfigError(
      'Configuration error: REPLICA_DATABASE_URL: a standby follows a server named in DATABASE_URL, not the embedded one',
    );
  }
  if (e.NODE_ENV === 'production' && !e.MIGRATION_DATABASE_URL && e.DATABASE_URL && !new URL(e.DATABASE_URL).password) {
    // The app role's password is derived from the owner's: without one it would be no secret.
    throw new ConfigError(
      "Configuration error: DATABASE_URL: without MIGRATION_DATABASE_URL it must carry the owner's password (or give the app role's login here and the owner's in MIGRATION_DATABASE_URL)",
    );
  }
  return Object.freeze({
    env: e.NODE_ENV,
    isProduction: e.NODE_ENV === 'production',
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    migrationDatabaseUrl: e.MIGRATION_DATABASE_URL,
    replicaDatabaseUrl: e.REPLICA_DATABASE_URL,
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
    libraryDir: e.LIBRARY_DIR,
    libraryMaxBytes: e.LIBRARY_MAX_MB * 1024 * 1024,
    importConcurrency: e.IMPORT_CONCURRENCY,
    apiRatePerMinute: e.API_RATE_PER_MINUTE,
    eventDateMaxFutureDays: e.EVENT_DATE_MAX_FUTURE_DAYS,
    timeZone: e.APP_TIME_ZONE,
    totpRequired: e.TOTP_REQUIRED,
    principalCacheSeconds: e.PRINCIPAL_CACHE_SECONDS,
    dashboardKeptSeconds: e.DASHBOARD_KEPT_SECONDS,
    officerTrainingYears: e.OFFICER_TRAINING_YEARS,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    mailRate: { perSecond: e.MAIL_RATE_PER_SECOND, perDomain: e.MAIL_RATE_PER_DOMAIN },
    mailRetry: { limit: e.MAIL_RETRY_LIMIT, delaySeconds: e.MAIL_RETRY_DELAY_SECONDS },
    mailSendTimeoutSeconds: e.MAIL_SEND_TIMEOUT_SECONDS,
    jobs: { pollSeconds: e.JOB_POLL_SECONDS, maintenanceSeconds: e.JOB_MAINTENANCE_SECONDS },
    housekeepingCron: e.HOUSEKEEPING_CRON,
    bounces: { imapUrl: e.BOUNCE_IMAP_URL, cron: e.BOUNCE_POLL_CRON },
    helpContacts: helpContacts(e.HELP_CONTACTS, e.HELP_CONTACTS_FILE),
    publicUrl: (e.PUBLIC_URL ?? `http://${e.HOST === '0.0.0.0' ? '127.0.0.1' : e.HOST}:${e.PORT}`).replace(/\/+$/, ''),
  });
}

/**
 * No deployment-independent phone number is true, so the default sends people where their access came from.
 * Written for a school union chair: whom to call, not how the software works.
 */
export const DEFAULT_HELP_CONTACTS = [
  'По вопросам работы с реестром обращайтесь в свою территориальную (районную, городскую) организацию Профсоюза — к тому, кто выдал вам доступ.',
  'Если вопрос не решён, обратитесь в региональную организацию Профсоюза: её адрес, телефон и электронная почта указаны на её официальном сайте.',
].join('\n');

function helpContacts(text: string | undefined, file: string | undefined): string {
  if (text && file)
    throw new ConfigError(
      'Configuration error: HELP_CONTACTS_FILE: set either HELP_CONTACTS or HELP_CONTACTS_FILE, not both',
    );
  if (!file) return text ?? DEFAULT_HELP_CONTACTS;
  let content: string;
  try {
    content = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new ConfigError(
      `Configuration error: HELP_CONTACTS_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  if (!content) throw new ConfigError(`Configuration error: HELP_CONTACTS_FILE: ${file} is empty`);
  return content;
}
