import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Principal } from '../access/principal';
import type { AuditContext } from '../audit/audit';
import { hashPassword } from '../auth/password';
import type { RowSink } from '../db/stream-rows';
import { inTransaction } from '../db/transaction';
import type { MailService } from '../mail/mail.service';
import type { OrgRow } from '../registry/org-row';
import { streamSheet } from '../shared/streamed-sheet';
import {
  chairStatusesForExport,
  countChairStatuses,
  createChairLogins,
  lastRun,
  listChairStatuses,
  lockProvisioning,
  startRun,
  type ChairStatus,
  type ChairStatusRow,
} from './chair-provisioning.repo';
import { invitationLetter } from './letters';
import { issueInvitations } from './tokens.repo';

/** The outbox batch of a run's invitations. */
const runBatch = (runId: number) => `chair-run:${runId}`;

export const CHAIR_STATUS_LABELS: Record<ChairStatus, string> = {
  signed_in: 'входил в реестр',
  invited: 'приглашён, ещё не входил',
  ready: 'логина нет, можно создать',
  no_email: 'логина нет: нет e-mail председателя',
  no_chair: 'председатель не указан',
};

const PAGE_SIZE = 100;

/**
 * Logins for the chairs of a subtree's ППО in one run: preview, creation (set-based, idempotent),
 * invitations, and the monitoring list of who has a login, was invited or signed in.
 */
export function createChairProvisioningService(
  db: Knex,
  mail: MailService,
  options: { publicUrl: string; bcryptCost: number; logger: Logger },
) {
  /**
   * The run as the page shows it: its letters counted from the outbox (delivered, undelivered, still
   * queued), finished when none is on its way any more.
   */
  async function runOf(organizationId: number) {
    const run = await lastRun(db, organizationId);
    if (!run) return undefined;
    const letters = await mail.batchProgress(runBatch(run.id));
    return {
      ...run,
      sent: letters.delivered,
      failed: letters.undelivered,
      finishedAt: letters.pending ? null : (letters.lastChange ?? run.startedAt),
    };
  }

  // The subtree a method is about comes authorized: the route's loader found it within the user's
  // subtrees (404 otherwise) and its `can('user.manage')` checked the right (403).
  return {
    async overview(org: OrgRow, query: { status?: ChairStatus; after?: string }) {
      const [counts, rows, run] = await Promise.all([
        countChairStatuses(db, org.path),
        listChairStatuses(db, org.path, { ...query, limit: PAGE_SIZE + 1 }),
        runOf(org.id),
      ]);
      return {
        org,
        counts,
        run,
        rows: rows.slice(0, PAGE_SIZE),
        next: rows.length > PAGE_SIZE ? rows[PAGE_SIZE - 1]!.inpo : null,
      };
    },

    /**
     * Creates what is missing and returns how many logins were made; the invitations are queued in the
     * same transaction (a login never lacks its letter) and sent by the mail worker, since a region's
     * thousands of letters outlast a request.
     */
    async provision(principal: Principal, org: OrgRow, ctx: AuditContext): Promise<{ created: number }> {
      const unusable = await hashPassword(crypto.randomBytes(24).toString('base64url'), options.bcryptCost);
      const created = await inTransaction(db, async (trx) => {
        // two runs over overlapping subtrees at once would race for the same logins: one after the other
        await lockProvisioning(trx);
        const chairs = await createChairLogins(trx, org.path, unusable, { ...ctx, actorUserId: principal.id });
        const tokens = await issueInvitations(
          trx,
          chairs.map((c) => c.id),
          principal.id,
        );
        // a run that finds nothing to do leaves the last real run on the page
        if (!chairs.length) return 0;
        const runId = await startRun(trx, org.id, principal.id, chairs.length);
        for (const chair of chairs) {
          const letter = invitationLetter(chair, `${options.publicUrl}/invite/${tokens.get(chair.id)}`);
          await mail.send(letter, { trx, batch: runBatch(runId) });
        }
        return chairs.length;
      });
      return { created };
    },

    /** The monitoring list of the whole subtree as a workbook, streamed (77,000 rows for the union). */
    async writeWorkbook(rootPath: string, sink: RowSink): Promise<number> {
      const columns = [
        { header: 'ИНПО', width: 14 },
        { header: 'ППО', width: 48 },
        { header: 'Председатель', width: 32 },
        { header: 'E-mail', width: 28 },
        { header: 'Логин', width: 18 },
        { header: 'Состояние', width: 34 },
        { header: 'Последний вход', width: 18 },
      ];
      const layout = { name: 'Логины председателей', columns };
      return streamSheet(db, chairStatusesForExport(db, rootPath), sink, layout, (r: ChairStatusRow) => [
        r.inpo,
        r.name,
        r.chairName ?? '',
        r.email ?? '',
        r.username ?? '',
        CHAIR_STATUS_LABELS[r.status],
        r.lastLoginAt ?? '',
      ]);
    },
  };
}

export type ChairProvisioningService = ReturnType<typeof createChairProvisioningService>;
