import type { Knex } from 'knex';
import { auditRowOf, insertAuditRows, type AuditContext, type AuditEntry } from './audit.repo';

/** Rows one INSERT takes at most. */
const MAX_ROWS = 500;

/**
 * Read-audit rows of concurrent requests written together (group commit): a row is inserted at once when no
 * insert is under way, and rows that arrive meanwhile go together in the next one. Each caller's promise
 * settles when its row is committed, so a page that awaits it shows personal data only once the read is on
 * record, as with its own INSERT — but 32 card views at once cost a few statements and commits, not 32
 * (issue 15: a page's cost at 32 clients is its round trips). A failed insert fails every request of its batch.
 * Only for rows of their own: a row that must commit with a change belongs in that change's transaction.
 */
export function createAuditBatch(db: Knex) {
  let waiting: { row: ReturnType<typeof auditRowOf>; settle: (err?: unknown) => void }[] = [];
  let writing = false;

  async function writeWaiting() {
    writing = true;
    while (waiting.length) {
      const batch = waiting.slice(0, MAX_ROWS);
      waiting = waiting.slice(MAX_ROWS);
      try {
        await insertAuditRows(
          db,
          batch.map((b) => b.row),
        );
        for (const b of batch) b.settle();
      } catch (err) {
        for (const b of batch) b.settle(err);
      }
    }
    writing = false;
  }

  return {
    /** Resolves once the row is committed. */
    record(ctx: AuditContext, entry: AuditEntry): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ row: auditRowOf(ctx, entry), settle: (err) => (err ? reject(err) : resolve()) });
        if (!writing) void writeWaiting();
      });
    },
  };
}

export type AuditBatch = ReturnType<typeof createAuditBatch>;
