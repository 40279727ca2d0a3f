import crypto from 'node:crypto';
import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Principal } from '../access/principal';
import type { AuditContext } from '../audit/audit';
import { hashPassword } from '../auth/password';
import { streamRows, type RowSink } from '../db/stream-rows';
import { inTransaction } from '../db/transaction';
import type { MailService } from '../mail/mail.service';
import type { OrgRow } from '../registry/org-row';
import { addSafeRow } from '../shared/spreadsheet';
import {
  chairStatusesForExport,
  countChairStatuses,
  createChairLogins,
  lastRun,
  listChairStatuses,
  lockProvisioning,
  recordRunProgress,
  startRun,
  type ChairStatus,
  type ChairStatusRow,
} from './chair-provisioning.repo';
import { invitationLetter } from './letters';
import { issueInvitations } from './tokens.repo';

export const CHAIR_STATUS_LABELS: Record<ChairStatus, string> = {
  signed_in: 'входил в реестр',
  invited: 'приглашён, ещё не входил',
  ready: 'логина нет, можно создать',
  no_email: 'логина нет: нет e-mail председателя',
  no_chair: 'председатель не указан',
};

const PAGE_SIZE = 100;
const PROGRESS_EVERY = 50;

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
   * Letters go out one by one after the commit; the run's counters move on every PROGRESS_EVERY letters
   * (the monitoring page shows them), each outcome is in the outbox, and a failed one can be resent from
   * the user page.
   */
  async function sendInvitations(
    runId: number,
    chairs: { id: number; username: string; fullName: string; email: string }[],
    tokens: Map<number, string>,
  ) {
    const progress = { sent: 0, failed: 0, finished: false };
    for (const [i, chair] of chairs.entries()) {
      try {
        await mail.send(invitationLetter(chair, `${options.publicUrl}/invite/${tokens.get(chair.id)}`));
        progress.sent++;
      } catch {
        progress.failed++;
      }
      if ((i + 1) % PROGRESS_EVERY === 0) await recordRunProgress(db, runId, progress);
    }
    progress.finished = true;
    await recordRunProgress(db, runId, progress);
    if (progress.failed)
      options.logger.warn({ failed: progress.failed, total: chairs.length }, 'chair invitations not sent');
    return progress;
  }

  // The subtree a method is about comes authorized: the route's loader found it within the user's
  // subtrees (404 otherwise) and its `can('user.manage')` checked the right (403).
  return {
    async overview(org: OrgRow, query: { status?: ChairStatus; after?: string }) {
      const [counts, rows, run] = await Promise.all([
        countChairStatuses(db, org.path),
        listChairStatuses(db, org.path, { ...query, limit: PAGE_SIZE + 1 }),
        lastRun(db, org.id),
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
     * Creates what is missing and returns how many logins were made; the invitations are sent in the
     * background (`letters`), since a region's thousands of letters outlast a request.
     */
    async provision(
      principal: Principal,
      org: OrgRow,
      ctx: AuditContext,
    ): Promise<{ created: number; letters: Promise<{ sent: number; failed: number }> }> {
      const unusable = await hashPassword(crypto.randomBytes(24).toString('base64url'), options.bcryptCost);
      const { chairs, tokens, runId } = await inTransaction(db, async (trx) => {
        // two runs over overlapping subtrees at once would race for the same logins: one after the other
        await lockProvisioning(trx);
        const chairs = await createChairLogins(trx, org.path, unusable, { ...ctx, actorUserId: principal.id });
        const tokens = await issueInvitations(
          trx,
          chairs.map((c) => c.id),
          principal.id,
        );
        // a run that finds nothing to do leaves the last real run on the page
        return {
          chairs,
          tokens,
          runId: chairs.length ? await startRun(trx, org.id, principal.id, chairs.length) : null,
        };
      });
      if (runId === null) return { created: 0, letters: Promise.resolve({ sent: 0, failed: 0 }) };
      const letters = sendInvitations(runId, chairs, tokens);
      letters.catch((err) => options.logger.error({ err }, 'chair invitations stopped'));
      return { created: chairs.length, letters };
    },

    /** The monitoring list of the whole subtree as a workbook, streamed (77,000 rows for the union). */
    async writeWorkbook(rootPath: string, sink: RowSink): Promise<number> {
      const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
        stream: sink.out,
        useSharedStrings: false,
        useStyles: true,
      });
      const sheet = workbook.addWorksheet('Логины председателей', { views: [{ state: 'frozen', ySplit: 1 }] });
      sheet.columns = [
        { header: 'ИНПО', width: 14 },
        { header: 'ППО', width: 48 },
        { header: 'Председатель', width: 32 },
        { header: 'E-mail', width: 28 },
        { header: 'Логин', width: 18 },
        { header: 'Состояние', width: 34 },
        { header: 'Последний вход', width: 18 },
      ];
      sheet.getRow(1).font = { bold: true };
      sheet.getRow(1).commit();
      const count = await streamRows(db, chairStatusesForExport(db, rootPath), sink, (r: ChairStatusRow) => {
        addSafeRow(sheet, [
          r.inpo,
          r.name,
          r.chairName ?? '',
          r.email ?? '',
          r.username ?? '',
          CHAIR_STATUS_LABELS[r.status],
          r.lastLoginAt ?? '',
        ]).commit();
      });
      sheet.commit();
      await workbook.commit();
      return count;
    },
  };
}

export type ChairProvisioningService = ReturnType<typeof createChairProvisioningService>;
