import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { createAccountService } from './account/account.service';
import { createLoaders, type Loaders } from './access/loaders';
import { createAuthService } from './auth/auth.service';
import { createAuditViewerService } from './audit/audit-viewer.service';
import { createSecondFactorService } from './auth/second-factor.service';
import type { Config } from './config';
import { createCardsService } from './cards/cards.service';
import { createDb } from './db/knex';
import { createReads, type Reads } from './db/replica';
import { createExportsService } from './exports/export-jobs';
import { createHomeService } from './home/home.service';
import { createMembersService } from './members/members.service';
import { createPassportService } from './registry/passport.service';
import { createOrgImportService } from './registry/org-import';
import { createMemberImportService } from './members/import/member-import';
import { createRestructureService } from './registry/restructure.service';
import { createReportsService } from './reports/reports.service';
import { createFormsService } from './reports/forms/forms.service';
import { findMember } from './members/members.repo';
import { findRequest } from './members/transfer-requests.repo';
import { findLineageByInpo, findUnionRoot } from './registry/orgs.repo';
import { createLogger } from './logger';
import { logUnionStatsFailuresTo } from './reports/indicators/union-stats-failures';
import { logMaintenanceTo } from './db/maintenance';
import { createMailService, mailOptionsOf, type MailService } from './mail/mail.service';
import { createPasswordLinksService, type PasswordLinksService } from './users/password-links.service';
import { createUsersService, type UsersService } from './users/users.service';
import { createChairProvisioningService, type ChairProvisioningService } from './users/chair-provisioning.service';
import { createSlots, type Slots } from './shared/slots';
import { createJobQueue, type JobQueue } from './jobs/job-queue';
import { createNotificationsService, type NotificationsService } from './notifications/notifications.service';
import { scheduleHousekeeping } from './ops/housekeeping';
import { setAppTimeZone } from './shared/dates';
import { eventDates, type EventDates } from './shared/event-dates';

/** Every feature's service, built once over the app's database; routers take theirs from here. */
function buildServices(
  db: Knex,
  dates: EventDates,
  reads: Reads,
  background: { jobs: JobQueue; config: Config; logger: Logger; notifications: NotificationsService },
) {
  const { notifications } = background;
  return {
    home: createHomeService(db),
    passport: createPassportService(db, dates),
    restructure: createRestructureService(db, dates),
    members: createMembersService(db, dates, reads, notifications),
    cards: createCardsService(db, dates),
    reports: createReportsService(db, dates, reads, notifications),
    forms: createFormsService(db),
    orgImport: createOrgImportService(db),
    memberImport: createMemberImportService(db, dates),
    exportJobs: createExportsService(db, background.jobs, {
      exportDir: background.config.exportDir,
      logger: background.logger,
      reads,
      notifications,
    }),
  };
}

export type Services = ReturnType<typeof buildServices>;

/** The composition root: everything the app needs, built once. Tests build it with their own database. */
export interface Deps {
  config: Config;
  databaseUrl: string;
  db: Knex;
  /** Where reports, exports and heavy lists read: the standby of REPLICA_DATABASE_URL when it answers, else `db`. */
  reads: Reads;
  logger: Logger;
  auth: ReturnType<typeof createAuthService>;
  /** Resolve a URL's object within the user's subtrees (404 otherwise) before a route's permission is checked. */
  loaders: Loaders;
  services: Services;
  secondFactor: ReturnType<typeof createSecondFactorService>;
  account: ReturnType<typeof createAccountService>;
  auditViewer: ReturnType<typeof createAuditViewerService>;
  /** The persistent job queue (pg-boss): mail, exports, the hourly housekeeping; started by the server. */
  jobs: JobQueue;
  /** Outgoing letters: SMTP_URL, or the outbox of /admin/mail. */
  mail: MailService;
  /** The registry's events told to users: the home page's list and, by their choice, e-mail. */
  notifications: NotificationsService;
  /** Invitations and password resets by e-mail. */
  passwordLinks: PasswordLinksService;
  /** Logins and grants (/admin/users). */
  users: UsersService;
  /** Bulk logins for the chairs of ППО. */
  chairProvisioning: ChairProvisioningService;
  /** Uploads being read: each unpacks and parses a file, so only a few at once (IMPORT_CONCURRENCY). */
  importSlots: Slots;
  /** The range every event date must lie in (config EVENT_DATE_MAX_FUTURE_DAYS). */
  eventDates: EventDates;
  /** Flipped at shutdown so /readyz tells the load balancer to stop sending traffic. */
  state: { shuttingDown: boolean };
}

/** `replicaUrl`: the app's login on the standby (server.ts derives it from REPLICA_DATABASE_URL as from DATABASE_URL). */
export function buildDeps(
  config: Config,
  databaseUrl: string,
  logger: Logger = createLogger(config.logLevel),
  replicaUrl?: string,
): Deps {
  setAppTimeZone(config.timeZone);
  logUnionStatsFailuresTo(logger);
  logMaintenanceTo(logger);
  const db = createDb(databaseUrl, {
    poolMax: config.dbPoolMax,
    statementTimeoutMs: config.statementTimeoutMs,
    logger,
  });
  const dates = eventDates(config.eventDateMaxFutureDays);
  const reads = createReads(db, replicaUrl, {
    poolMax: config.dbPoolMax,
    statementTimeoutMs: config.statementTimeoutMs,
    logger,
  });
  const jobs = createJobQueue(db, { ...config.jobs, logger });
  const mail = createMailService(db, jobs, mailOptionsOf(config, logger));
  const notifications = createNotificationsService(db, mail, { publicUrl: config.publicUrl });
  scheduleHousekeeping(jobs, db, logger, config, notifications);
  const passwordLinks = createPasswordLinksService(db, mail, {
    publicUrl: config.publicUrl,
    bcryptCost: config.bcryptCost,
    logger,
  });
  return {
    config,
    databaseUrl,
    db,
    reads,
    logger,
    auth: createAuthService(db, config.bcryptCost),
    loaders: createLoaders({
      lineageByInpo: (inpo) => findLineageByInpo(db, inpo),
      member: (id) => findMember(db, id),
      unionRoot: () => findUnionRoot(db),
      transferRequestReceiver: async (id) => (await findRequest(db, id))?.receiver,
    }),
    services: buildServices(db, dates, reads, { jobs, config, logger, notifications }),
    jobs,
    mail,
    notifications,
    passwordLinks,
    secondFactor: createSecondFactorService(db),
    account: createAccountService(db),
    auditViewer: createAuditViewerService(db),
    users: createUsersService(db, mail, passwordLinks, { bcryptCost: config.bcryptCost, logger }),
    chairProvisioning: createChairProvisioningService(db, mail, {
      publicUrl: config.publicUrl,
      bcryptCost: config.bcryptCost,
      logger,
    }),
    importSlots: createSlots(config.importConcurrency),
    eventDates: dates,
    state: { shuttingDown: false },
  };
}
