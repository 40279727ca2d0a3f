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
import { createMailService, type MailService } from './mail/mail.service';
import { createPasswordLinksService } from './users/password-links.service';
import { createUsersService } from './users/users.service';
import { createChairProvisioningService } from './users/chair-provisioning.service';
import { createCheckedUploads } from './imports/checked-uploads';
import { createSlots, type Slots } from './shared/slots';
import { setAppTimeZone } from './shared/dates';
import { eventDates, type EventDates } from './shared/event-dates';

/** What the services are built over: the app's database, its settings and the shared infrastructure. */
interface ServiceBase {
  db: Knex;
  config: Config;
  logger: Logger;
  dates: EventDates;
  mail: MailService;
}

/**
 * Every feature's service, built once over the app's database; routers take theirs from `deps.services`.
 * (The organizations' import alone builds the forms' services again over its own transaction.)
 */
function buildServices({ db, config, logger, dates, mail }: ServiceBase) {
  const { bcryptCost, publicUrl } = config;
  const passwordLinks = createPasswordLinksService(db, mail, { publicUrl, bcryptCost, logger });
  const reports = createReportsService(db, dates);
  return {
    // signing in, the user's own account and home page
    auth: createAuthService(db, bcryptCost),
    secondFactor: createSecondFactorService(db),
    account: createAccountService(db),
    home: createHomeService(db, reports),
    // the registry and its members
    passport: createPassportService(db, dates),
    restructure: createRestructureService(db, dates),
    orgImport: createOrgImportService(db, dates),
    members: createMembersService(db, dates),
    memberImport: createMemberImportService(db, dates),
    /** Files that passed an import's check, kept for one click's load. */
    checkedUploads: createCheckedUploads(db, config.uploadDir),
    cards: createCardsService(db, dates),
    exportJobs: createExportsService(db),
    // statistical reports and their forms
    reports,
    forms: createFormsService(db),
    // administration
    /** Invitations and password resets by e-mail. */
    passwordLinks,
    /** Logins and grants (/admin/users). */
    users: createUsersService(db, mail, passwordLinks, { bcryptCost, logger }),
    /** Bulk logins for the chairs of ППО. */
    chairProvisioning: createChairProvisioningService(db, mail, { publicUrl, bcryptCost, logger }),
    auditViewer: createAuditViewerService(db),
  };
}

export type Services = ReturnType<typeof buildServices>;

/** The composition root: everything the app needs, built once. Tests build it with their own database. */
export interface Deps {
  config: Config;
  databaseUrl: string;
  db: Knex;
  logger: Logger;
  /** Resolve a URL's object within the user's subtrees (404 otherwise) before a route's permission is checked. */
  loaders: Loaders;
  /** Every service, built once (buildServices). */
  services: Services;
  /** Outgoing letters: SMTP_URL, or the outbox of /admin/mail (a transport the services send through, like db). */
  mail: MailService;
  /** Uploads being read: each unpacks and parses a file, so only a few at once (IMPORT_CONCURRENCY). */
  importSlots: Slots;
  /** The range every event date must lie in (config EVENT_DATE_MAX_FUTURE_DAYS). */
  eventDates: EventDates;
  /** Flipped at shutdown so /readyz tells the load balancer to stop sending traffic. */
  state: { shuttingDown: boolean };
}

export function buildDeps(config: Config, databaseUrl: string, logger: Logger = createLogger(config.logLevel)): Deps {
  setAppTimeZone(config.timeZone);
  logUnionStatsFailuresTo(logger);
  logMaintenanceTo(logger);
  const db = createDb(databaseUrl, {
    poolMax: config.dbPoolMax,
    statementTimeoutMs: config.statementTimeoutMs,
    logger,
  });
  const dates = eventDates(config.eventDateMaxFutureDays);
  const mail = createMailService(db, { smtpUrl: config.smtpUrl, from: config.mailFrom, logger });
  return {
    config,
    databaseUrl,
    db,
    logger,
    loaders: createLoaders({
      lineageByInpo: (inpo) => findLineageByInpo(db, inpo),
      member: (id) => findMember(db, id),
      unionRoot: () => findUnionRoot(db),
      transferRequestReceiver: async (id) => (await findRequest(db, id))?.receiver,
    }),
    services: buildServices({ db, config, logger, dates, mail }),
    mail,
    importSlots: createSlots(config.importConcurrency),
    eventDates: dates,
    state: { shuttingDown: false },
  };
}
