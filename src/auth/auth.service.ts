import type { Knex } from 'knex';
import { recordAudit, type AuditContext } from '../audit/audit';
import { inTransaction } from '../db/transaction';
import { ValidationError, TooManyRequestsError } from '../http/errors';
import { checkLoginThrottle, clearPairFailures, recordLoginFailure, waitMessage } from './login-throttle';
import { dummyPasswordHash, hashPassword, passwordProblem, verifyPassword } from './password';
import { deleteSessionsOfUser, findUserById, findUserByUsername, touchLastLogin, updatePasswordHash } from './users.repo';

export function createAuthService(db: Knex, bcryptCost: number) {
  return {
    /** Returns the user id on success, null on wrong credentials; throws 429 while throttled. */
    async authenticate(rawUsername: string, password: string, ip: string): Promise<number | null> {
      const username = rawUsername.trim().toLowerCase();
      const verdict = await checkLoginThrottle(db, username, ip);
      if (verdict.blocked) throw new TooManyRequestsError(waitMessage(verdict.retryAfterSeconds), verdict.retryAfterSeconds);
      const user = await findUserByUsername(db, username);
      const valid = await verifyPassword(password, user?.password_hash ?? (await dummyPasswordHash(bcryptCost)));
      if (!user || !valid || user.blocked_at) {
        await recordLoginFailure(db, username, ip);
        return null;
      }
      await clearPairFailures(db, username, ip);
      await touchLastLogin(db, user.id);
      return user.id;
    },

    async changePassword(userId: number, input: { current: string; next: string }, ctx: AuditContext, currentSid: string) {
      const user = await findUserById(db, userId);
      if (!user || !(await verifyPassword(input.current, user.password_hash))) {
        throw new ValidationError([{ field: 'currentPassword', message: 'Текущий пароль указан неверно' }]);
      }
      const problem = passwordProblem(input.next, user.username);
      if (problem) throw new ValidationError([{ field: 'newPassword', message: problem }]);
      if (await verifyPassword(input.next, user.password_hash)) {
        throw new ValidationError([{ field: 'newPassword', message: 'Новый пароль должен отличаться от текущего' }]);
      }
      const hash = await hashPassword(input.next, bcryptCost);
      await inTransaction(db, async (trx) => {
        await updatePasswordHash(trx, userId, hash);
        // Other sessions may belong to whoever knew the old password.
        await deleteSessionsOfUser(trx, userId, currentSid);
        await recordAudit(trx, ctx, { action: 'user.password_changed', entity: 'user', entityId: userId });
      });
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
