import express, { type Express } from 'express';
import type { Deps } from './deps';
import { authRoutes } from './auth/auth.routes';
import { loginCodeRoutes } from './auth/login-code.routes';
import { requireSecondFactor } from './auth/second-factor.guard';
import { accountRoutes } from './account/account.routes';
import { apiRoutes } from './api/api.routes';
import { secondFactorAdminRoutes } from './auth/second-factor-admin.routes';
import { auditViewerRoutes } from './audit/audit-viewer.routes';
import { helpRoutes } from './help/help.routes';
import { homeRoutes } from './home/home.routes';
import { meRoutes } from './me/me.routes';
import { requestsQueueRoutes } from './me/requests-queue.routes';
import { notificationsRoutes } from './notifications/notifications.routes';
import { healthRoutes } from './ops/health.routes';
import { orgsRoutes } from './registry/orgs.routes';
import { restructureRoutes } from './registry/restructure.routes';
import { importExportRoutes } from './registry/import-export.routes';
import { membersRoutes } from './members/members.routes';
import { cardsRoutes } from './cards/cards.routes';
import { cardCheckPublicRoutes, cardCheckRoutes } from './cards/card-check.routes';
import { joinPublicRoutes, joinQueueRoutes } from './join/join.routes';
import { libraryRoutes } from './library/library.routes';
import { meetingLinkRoutes, meetingsRoutes } from './meetings/meetings.routes';
import { officersRoutes } from './officers/officers.routes';
import { reportsRoutes } from './reports/reports.routes';
import { templatesRoutes } from './templates/templates.routes';
import { formsRoutes } from './reports/forms/forms.routes';
import { monitoringRoutes } from './monitoring/monitoring.routes';
import { analyticsRoutes } from './analytics/analytics.routes';
import { professionalGroupsRoutes } from './members/professional-groups.routes';
import { exportsRoutes } from './exports/exports.routes';
import { memberImportRoutes } from './members/import/member-import.routes';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { mailRoutes } from './mail/mail.routes';
import { mailingsRoutes } from './mailings/mailings.routes';
import { surveysRoutes } from './surveys/surveys.routes';
import { campaignsRoutes } from './campaigns/campaigns.routes';
import { passwordLinksRoutes } from './users/password-links.routes';
import { unsubscribeRoutes } from './unsubscribe/unsubscribe.routes';
import { usersRoutes } from './users/users.routes';
import { chairProvisioningRoutes } from './users/chair-provisioning.routes';
import { setUpFlash } from './http/flash';
import { requireLogin, requirePasswordChanged } from './http/guards';
import { setUpAuthentication } from './http/setup/auth';
import { setUpCompression } from './http/setup/compression';
import { setUpCsrf } from './http/setup/csrf';
import { setUpFormOnce } from './http/setup/form-once';
import { setUpInputGuard } from './http/setup/input-guard';
import { setUpRequestLogging } from './http/setup/logging';
import { setUpNavigation } from './http/setup/navigation';
import { setUpSecurity } from './http/setup/security';
import { setUpSession } from './http/setup/session';
import { setUpStatic } from './http/setup/static';
import { setUpViews } from './http/setup/views';

export interface App {
  app: Express;
  close: () => Promise<void>;
}

export function createApp(deps: Deps): App {
  const { config } = deps;
  const app = express();
  app.set('trust proxy', config.trustProxy);
  setUpViews(app, { cache: config.isProduction });
  setUpRequestLogging(app, deps.logger);
  setUpCompression(app);
  setUpStatic(app);
  app.use(healthRoutes(deps));
  setUpSecurity(app, { behindTls: config.behindTls });
  setUpInputGuard(app);
  // The JSON API authenticates by bearer token, before (and without) the session, CSRF and login steps:
  // a session cookie is not accepted there (api/api.routes.ts says why).
  app.use(apiRoutes(deps));
  const sessions = setUpSession(app, {
    databaseUrl: deps.databaseUrl,
    secret: config.sessionSecret,
    secureCookie: config.behindTls,
    pruneIntervalSeconds: config.env === 'test' ? false : 15 * 60,
    logger: deps.logger,
  });
  setUpCsrf(app);
  const authenticator = setUpAuthentication(app, deps.db, deps.services.auth, config.principalCacheSeconds);
  setUpFlash(app);
  setUpFormOnce(app, deps.db);
  setUpNavigation(app);

  app.use(authRoutes(deps, authenticator));
  app.use(loginCodeRoutes(deps));
  app.use(passwordLinksRoutes(deps));
  app.use(unsubscribeRoutes(deps));
  app.use(helpRoutes(deps));
  app.use(cardCheckPublicRoutes(deps));
  app.use(joinPublicRoutes(deps));
  app.use(meetingLinkRoutes(deps));
  // Everything below requires a login: a new route is guarded by default.
  app.use(requireLogin, requirePasswordChanged, requireSecondFactor(config.totpRequired));
  app.use(accountRoutes(deps));
  app.use(homeRoutes(deps));
  app.use(meRoutes(deps));
  app.use(notificationsRoutes(deps));
  app.use(orgsRoutes(deps));
  app.use(restructureRoutes(deps));
  app.use(importExportRoutes(deps));
  app.use(memberImportRoutes(deps));
  app.use(membersRoutes(deps));
  app.use(cardsRoutes(deps));
  app.use(cardCheckRoutes(deps));
  app.use(requestsQueueRoutes(deps));
  app.use(joinQueueRoutes(deps));
  app.use(templatesRoutes(deps));
  app.use(mailingsRoutes(deps));
  app.use(libraryRoutes(deps));
  app.use(officersRoutes(deps));
  app.use(surveysRoutes(deps));
  app.use(campaignsRoutes(deps));
  app.use(meetingsRoutes(deps));
  app.use(exportsRoutes(deps));
  app.use(reportsRoutes(deps));
  app.use(formsRoutes(deps));
  app.use(monitoringRoutes(deps));
  app.use(analyticsRoutes(deps));
  app.use(professionalGroupsRoutes(deps));
  app.use(secondFactorAdminRoutes(deps));
  app.use(auditViewerRoutes(deps));
  app.use(usersRoutes(deps));
  app.use(mailRoutes(deps));
  app.use(chairProvisioningRoutes(deps));

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return { app, close: sessions.close };
}
