import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { memberViewPaths } from '../access/access';
import type { Principal } from '../access/principal';
import { recordAudit, type AuditContext } from '../audit/audit';
import type { Config } from '../config';
import { analyzeAfterBulkChange } from '../db/maintenance';
import { inTransaction } from '../db/transaction';
import type { JobQueue } from '../jobs/job-queue';
import { mailOptionsOf, type MailService } from '../mail/mail.service';
import { filterOf } from '../members/member-list-query';
import { withdrawMailingOnComplaint } from '../members/consents';
import { markAddressInvalid } from '../members/email-validity';
import type { OrgRow } from '../registry/org-row';
import { addressIsInvalid } from './bounce-codes';
import { createMailingSender } from './mailing-sender';
import {
  deliveryByChild,
  failedRecipients,
  findMailing,
  insertMailing,
  listMailings,
  previewTarget,
  recipientCounts,
  reportOnRecipient,
  settleMailing,
  userEmail,
  type TargetQuery,
} from './mailings.repo';
import type { MailingTarget } from './mailings.schemas';

const SAMPLE_SIZE = 10;
const FAILED_PAGE = 100;
const LIST_PAGE = 30;

export interface Letter {
  subject: string;
  body: string;
}

/**
 * Mass mailings of an organization to its subtree (issue #19 items 2 and 3): preview, a test letter to
 * oneself, queueing, delivery tracking per recipient and per child organization, and the bounce reports
 * of BOUNCE_IMAP_URL.
 */
export function createMailingsService(db: Knex, jobs: JobQueue, mail: MailService, config: Config, logger: Logger) {
  const sender = createMailingSender(db, jobs, mailOptionsOf(config, logger), (recipient, reason) =>
    markAddressInvalid(db, recipient, reason).then(() => undefined),
  );

  const targetQuery = (org: OrgRow, principal: Principal, target: MailingTarget): TargetQuery =>
    target.kind === 'members'
      ? {
          kind: 'members',
          root: org,
          filter: filterOf({ ...target.filter, status: 'active', sort: 'name' }),
          reader: { viewPaths: memberViewPaths(principal) },
        }
      : { kind: 'activists', root: org, posts: target.posts, levels: target.levels };

  /** A bounce report from the mailbox: its letter becomes bounced or complained; a wrong address is marked. */
  async function applyBounceReport(raw: Buffer | string): Promise<'applied' | 'ignored'> {
    // the mail parser and the IMAP client load only where bounce reports are read (not at every start)
    const { parseBounceReport } = await import('./dsn');
    const report = await parseBounceReport(raw);
    if (!report?.token) return 'ignored';
    if (report.kind === 'complaint') {
      const changed = await reportOnRecipient(db, report.token, { status: 'complained', reason: 'Жалоба на спам' });
      // the member does not want the letters: their mailing consent is withdrawn, as an unsubscribe link would
      if (changed?.memberId) await withdrawMailingOnComplaint(db, changed.memberId);
      return changed ? 'applied' : 'ignored';
    }
    if (report.action !== 'failed') return 'ignored'; // delayed, delivered, relayed: nothing to record
    const hard = !report.status || report.status.startsWith('5');
    const reason = [report.status, report.diagnostic].filter(Boolean).join(' ') || 'Письмо не доставлено';
    const changed = await reportOnRecipient(db, report.token, {
      status: 'bounced',
      bounce: hard ? 'hard' : 'soft',
      reason,
    });
    if (!changed) return 'ignored';
    if (hard && addressIsInvalid(report.status, false)) await markAddressInvalid(db, changed, reason);
    return 'applied';
  }

  const imapUrl = config.bounces.imapUrl;
  if (imapUrl) {
    jobs.handle('bounces', async () => {
      const { pollBounceMailbox } = await import('./bounce-mailbox');
      const taken = await pollBounceMailbox(
        imapUrl,
        (source) => applyBounceReport(source).then(() => undefined),
        logger,
      );
      if (taken) logger.info({ taken }, 'bounce reports read');
    });
    jobs.every('bounces', config.bounces.cron, config.timeZone);
  }

  return {
    /** Letters go out (SMTP_URL); without it a mailing is queued and waits. */
    sends: sender.sends,
    preview: (org: OrgRow, principal: Principal, target: MailingTarget) =>
      previewTarget(db, targetQuery(org, principal, target), SAMPLE_SIZE),

    /** The letter to the user's own address, as a test; the address, or null when the user has none. */
    async sendTest(principal: Principal, letter: Letter): Promise<string | null> {
      const to = await userEmail(db, principal.id);
      if (!to) return null;
      await mail.send({ to, subject: `[Проверка рассылки] ${letter.subject}`, text: letter.body });
      return to;
    },

    /** Creates the mailing, materialises its recipients and queues its jobs, in one transaction. */
    async create(org: OrgRow, principal: Principal, audit: AuditContext, letter: Letter, target: MailingTarget) {
      const created = await inTransaction(db, async (trx) => {
        const mailing = { organizationId: org.id, authorUserId: principal.id, ...letter, target };
        const { id, counts } = await insertMailing(trx, mailing, targetQuery(org, principal, target));
        if (counts.recipients) await sender.start(trx, id, counts.recipients);
        else await settleMailing(trx, id, config.mailSendTimeoutSeconds);
        await recordAudit(trx, audit, {
          action: 'mailing.sent',
          entity: 'mailing',
          entityId: id,
          organizationId: org.id,
          newValues: { subject: letter.subject, target, ...counts },
        });
        return { id, recipients: counts.recipients };
      });
      // a big mailing is most of its table: the claims of its letters are planned on fresh statistics
      await analyzeAfterBulkChange(db, created.recipients, ['mailing_recipients']);
      jobs.wake('mailing');
      return created.id;
    },

    list: (org: OrgRow, before: number | undefined) => listMailings(db, org.id, before, LIST_PAGE),
    listPageSize: LIST_PAGE,

    /** The mailing's page: progress by state, delivery by child organization, and the failed addresses. */
    async page(org: OrgRow, id: number, failedAfter: number | undefined) {
      const mailing = await findMailing(db, org.id, id);
      if (!mailing) return undefined;
      const [counts, byChild, failed] = await Promise.all([
        recipientCounts(db, id),
        deliveryByChild(db, id, org),
        failedRecipients(db, id, failedAfter, FAILED_PAGE),
      ]);
      const total = counts.reduce((sum, c) => sum + c.count, 0);
      const of = (...statuses: string[]) =>
        counts.filter((c) => statuses.includes(c.status)).reduce((sum, c) => sum + c.count, 0);
      const progress = {
        total,
        sent: of('sent'),
        pending: of('queued', 'sending', 'deferred'),
        deferred: of('deferred'),
        hardBounced: counts.filter((c) => c.bounce === 'hard').reduce((sum, c) => sum + c.count, 0),
        softBounced: counts.filter((c) => c.bounce === 'soft').reduce((sum, c) => sum + c.count, 0),
        complained: of('complained'),
        unsubscribed: of('unsubscribed'),
        uncertain: of('uncertain'),
      };
      const done = total - progress.pending;
      return {
        mailing,
        progress: {
          ...progress,
          donePercent: total ? Math.floor((done * 100) / total) : 100,
          deliveredPercent: total ? Math.round((progress.sent * 1000) / total) / 10 : 0,
        },
        byChild,
        failed,
        failedNext: failed.length === FAILED_PAGE ? failed.at(-1)!.id : null,
      };
    },

    applyBounceReport,
  };
}

export type MailingsService = ReturnType<typeof createMailingsService>;
