import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { recordAudit, type AuditContext } from '../audit/audit';
import { inTransaction } from '../db/transaction';
import { NotFoundError } from '../http/errors';
import { IDLE_TIMEOUT_MS } from '../http/setup/session';
import { describeDevice } from './device';
import { deleteSessionOfUser, listSessionsOfUser } from './sessions.repo';

/** A session's public name on the page: the session id itself is the bearer secret and never leaves the server. */
function handleOf(sid: string): string {
  return crypto.createHash('sha256').update(sid).digest('hex').slice(0, 32);
}

export function createAccountService(db: Knex) {
  // the store moves a session's expiry one idle timeout past its last request
  const liveSessions = (userId: number) => listSessionsOfUser(db, userId, IDLE_TIMEOUT_MS / 1000);
  return {
    async sessions(userId: number, currentSid: string) {
      const sessions = await liveSessions(userId);
      return sessions.map((s) => ({
        handle: handleOf(s.sid),
        current: s.sid === currentSid,
        device: describeDevice(s.client?.userAgent),
        userAgent: s.client?.userAgent ?? '',
        ip: s.client?.ip ?? null,
        startedAt: s.client?.startedAt ? new Date(s.client.startedAt) : null,
        lastSeenAt: s.sid === currentSid ? new Date() : s.lastSeenAt,
      }));
    },

    /** Ends one of the user's other sessions (the current one ends with «Выйти»); someone else's is not found. */
    async endSession(userId: number, handle: string, currentSid: string, ctx: AuditContext): Promise<void> {
      const target = (await liveSessions(userId)).find((s) => handleOf(s.sid) === handle && s.sid !== currentSid);
      if (!target) throw new NotFoundError('Сеанс не найден или уже завершён');
      await inTransaction(db, async (trx) => {
        await deleteSessionOfUser(trx, userId, target.sid);
        await recordAudit(trx, ctx, {
          action: 'user.session_ended',
          entity: 'user',
          entityId: userId,
          newValues: { device: describeDevice(target.client?.userAgent), ip: target.client?.ip ?? null },
        });
      });
    },
  };
}
