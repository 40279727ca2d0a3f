import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { createAccountService } from './account/account.service';
import { createApiTokensService } from './api/api-tokens.service';
import { createLoaders, type Loaders } from './access/loaders';
import { createAuthService } from './auth/auth.service';
import { createAuditViewerService } from './audit/audit-viewer.service';
import { createSecondFactorService } from './auth/second-factor.service';
import type { Config } from './config';
import { createCardCheckService } from './cards/card-check.service';
import { createAnalyticsService } from './analytics/analytics.service';
import { createProfessionalGroupsService } from './members/professional-groups.service';
import { createCardsService } from './cards/cards.service';
import { createDb } from './db/knex';
import { createReads, type Reads } from './db/replica';
import { createExportsService } from './exports/export-jobs';
import { createHomeService } from './home/home.service';
import { createJoinService } from './join/join.service';
import { createDraftsService } from './drafts/drafts.service';
import { createMembersService } from './members/members.service';
import { createMeService } from './me/me.service';
import { createMemberRequestsService } from './me/member-requests.service';
import { createMailingsService } from './mailings/mailings.service';
import { createLibraryService, handleLibraryJobs } from './library/library.service';
import { createOfficersService } from './officers/officers.service';
import { createSurveysService } from './surveys/surveys.service';
import { handleCampaignJobs } from './campaigns/campaign-announcements';
import { createCampaignsService } from './campaigns/campaigns.service';
import { createTermRulesService } from './campaigns/term-rules.service';
import { createPassportService } from './registry/passport.service';
import { createOrgImportService } from './registry/org-import';
import { createMemberImportService } from './members/import/member-import';
import { createRestructureService } from './registry/restructure.service';
import { createReportsService } from './reports/reports.service';
import { createMonitoringService } from './monitoring/monitoring.service';
import { createFormsService } from './reports/forms/forms.service';
import { createTemplatesService } from './templates/templates.service';
import { createMeetingsService } from './meetings/meetings.service';
import { findMember } from './members/members.repo';
import { findMemberWithCardPage } from './members/card-page.repo';
import { findRequest } from './members/transfer-requests.repo';
import { findLineageByInpo, findUnionRoot } from './registry/orgs.repo';
import { findPassportPageByInpo } from './registry/passport-page.repo';
import { createLogger } from './logger';
import { logUnionStatsFailuresTo } from './reports/indicators/union-stats-failures';
import { logMaintenanceTo } from './db/maintenance';
import { createMailService, mailOptionsOf, type MailService } from './mail/mail.service';
import { createPasswordLinksService } from './users/password-links.service';
import { createUsersService } from './users/users.service';
import { createUnsubscribeService } from './unsubscribe/unsubscribe.service';
import { createChairProvisioningService } from './users/chair-provisioning.service';
import { createCheckedUploads } from './imports/checked-uploads';
import { createSlots, type Slots } from './shared/slots';
import { createJobQueue, type JobQueue } from './jobs/job-queue';
import { createNotificationsService, type NotificationsService } from './notifications/notifications.service';
import { scheduleHousekeeping } from './ops/housekeeping';
import { setAppTimeZone } from './shared/dates';
import { eventDates, type EventDates } from './shared/event-dates';

/** What the services are built over: the app's database, its settings and the shared infrastructure. */
interface ServiceBase {
  db: Knex;
  config: Config;
  logger: Logger;
  dates: EventDates;
  /** Where reports, exports and heavy lists read (db/replica.ts). */
  reads: Reads;
  jobs: JobQueue;
  mail: MailService;
  notifications: NotificationsService;
}

/**
 * Every feature's service, built once over the app's database; routers take theirs from `deps.services`.
 * (The organizations' import alone builds the forms' services again over its own transaction.)
 */
function buildServices({ db, config, logger, dates, reads, jobs, mail, notifications }: ServiceBase) {
  const { bcryptCost, publicUrl } = config;
  const passwordLinks = createPasswordLinksService(db, mail, { publicUrl, bcryptCost, logger });
  const reports = createReportsService(db, dates, reads, notifications);
  const auth = createAuthService(db, bcryptCost);
  const members = createMembersService(db, dates, reads, notifications);
  const cardCheck = createCardCheckService(db, publicUrl);
  const memberRequests = createMemberRequestsService(db, dates, notifications.notify);
  const monitoringOf = (joinService: ReturnType<typeof createJoinService>) =>
    createMonitoringService(db, reads, reports, joinService, {
      dashboardKeptMs: config.dashboardKeptSeconds * 1000,
      electionCampaigns: campaigns,
      trainingYears: config.officerTrainingYears,
    });
  const surveys = createSurveysService(db, notifications);
  const join = createJoinService(db, {
    mail,
    passwordLinks,
    publicUrl,
    bcryptCost,
    dates,
    members,
    notifications,
    // signs the application form's fill-time stamps; without a session secret (tests) one per process
    secret: config.sessionSecret ?? crypto.randomBytes(32).toString('hex'),
  });
  const library = createLibraryService(db, jobs, {
    libraryDir: config.libraryDir,
    maxBytes: config.libraryMaxBytes,
    logger,
  });
  handleLibraryJobs(jobs, library);
  const campaigns = createCampaignsService(db, jobs, dates);
  handleCampaignJobs(db, jobs, notifications);
  const templates = createTemplatesService(db, { checkUrl: cardCheck.checkUrl });
  return {
    // signing in, the user's own account and home page
    auth,
    /** The JSON API's bearer tokens: personal ones from /account and the member app's sign-in. */
    apiTokens: createApiTokensService(db, auth, {
      ratePerMinute: config.apiRatePerMinute,
      totpRequired: config.totpRequired,
    }),
    secondFactor: createSecondFactorService(db),
    account: createAccountService(db),
    home: createHomeService(db, { reports, memberRequests, join, monitoring: monitoringOf(join), members, surveys }),
    /** What the user typed into a long form and has not saved yet (their own only). */
    drafts: createDraftsService(db),
    // the registry and its members
    passport: createPassportService(db, dates),
    restructure: createRestructureService(db, dates),
    orgImport: createOrgImportService(db, dates),
    members,
    memberImport: createMemberImportService(db, dates),
    /** The professional groups' list and the typed values that matched none of it. */
    professionalGroups: createProfessionalGroupsService(db),
    /** Files that passed an import's check, kept for one click's load. */
    checkedUploads: createCheckedUploads(db, config.uploadDir),
    cards: createCardsService(db, dates),
    /** The unsubscribe links of letters to members (public pages). */
    unsubscribe: createUnsubscribeService(db, mail),
    /** The union card check: /card/{token} for anyone, numbers for staff. */
    cardCheck,
    /** The member's personal account (/me, and the API's /api/v1/me…): the signed-in member's own card only. */
    me: createMeService(db, { members, cardCheck, dates, notify: notifications.notify }),
    /** What members ask for from their accounts (corrections, leaving), decided by whoever edits their cards. */
    memberRequests,
    /** Mass mailings to a subtree's members and activists, with delivery tracking and bounces. */
    mailings: createMailingsService(db, jobs, mail, config, logger),
    /** Surveys of organizations: questionnaires sent down the tree, answered once each, rolled up (/orgs/{inpo}/surveys). */
    surveys,
    exportJobs: createExportsService(db, jobs, { exportDir: config.exportDir, logger, reads, notifications }),
    // statistical reports and their forms
    reports,
    forms: createFormsService(db),
    /** The monitoring of a subtree against the statistical report, with the online admissions (/orgs/{inpo}/monitoring). */
    monitoring: monitoringOf(join),
    /** Members on a date cut by one or two dimensions, and the figures by month (/orgs/{inpo}/analytics). */
    analytics: createAnalyticsService(db, reads),
    // administration
    /** Invitations and password resets by e-mail. */
    passwordLinks,
    /** Logins and grants (/admin/users). */
    users: createUsersService(db, mail, passwordLinks, { bcryptCost, logger }),
    /** Bulk logins for the chairs of ППО. */
    chairProvisioning: createChairProvisioningService(db, mail, { publicUrl, bcryptCost, logger }),
    auditViewer: createAuditViewerService(db),
    /** Online admission: /join for anyone, the chairs' queues of applications. */
    join,
    /** The union's document templates (/admin/templates) and the documents generated from them. */
    templates,
    /** Meetings of the bodies (/orgs/{inpo}/meetings): attendance by union card, decisions, minutes from a template. */
    meetings: createMeetingsService(db, { templates, mail, publicUrl }),
    /** The document library (/library): files under LIBRARY_DIR, Russian full-text search, versions. */
    library,
    /** Report-and-election campaigns (/orgs/{inpo}/campaigns): tasks, results that elect the chairs, progress. */
    campaigns,
    /** The terms of office per level and post (/admin/term-rules): the ends of terms are computed from them. */
    termRules: createTermRulesService(db),
    /** Officers' personnel files (/orgs/{inpo}/officers/{postId}): documents kept in the library's store. */
    officers: createOfficersService(db, { libraryDir: config.libraryDir, maxBytes: config.libraryMaxBytes }),
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
  /** Resolve a URL's object within the user's subtrees (404 otherwise) before a route's permission is checked. */
  loaders: Loaders;
  /** Every service, built once (buildServices). */
  services: Services;
  /** Outgoing letters: SMTP_URL, or the outbox of /admin/mail (a transport the services send through, like db). */
  mail: MailService;
  /** The persistent job queue (pg-boss): mail, exports, the hourly housekeeping; started by the server. */
  jobs: JobQueue;
  /** The registry's events told to users: the home page's list and, by their choice, e-mail. */
  notifications: NotificationsService;
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
  return {
    config,
    databaseUrl,
    db,
    reads,
    logger,
    loaders: createLoaders({
      lineageByInpo: (inpo) => findLineageByInpo(db, inpo),
      lineageWithHeaderByInpo: (inpo) => findPassportPageByInpo(db, inpo),
      member: (id) => findMember(db, id),
      memberWithPage: (id) => findMemberWithCardPage(db, id),
      unionRoot: () => findUnionRoot(db),
      transferRequestReceiver: async (id) => (await findRequest(db, id))?.receiver,
    }),
    services: buildServices({ db, config, logger, dates, reads, jobs, mail, notifications }),
    mail,
    jobs,
    notifications,
    importSlots: createSlots(config.importConcurrency),
    eventDates: dates,
    state: { shuttingDown: false },
  };
}
