import type { Knex } from 'knex';
import { recordAudit, type AuditContext } from '../audit/audit';
import { inTransaction } from '../db/transaction';
import { ValidationError, TooManyRequestsError } from '../http/errors';
import { clearPairFailures, reserveLoginAttempt, waitMessage } from './login-throttle';
import { dummyPasswordHash, hashPassword, passwordProblem, verifyPassword } from './password';
import {
  deleteSessionsOfUser,
  findUserById,
  findUserByUsername,
  loadPrincipal,
  updatePasswordHash,
} from './users.repo';
import { recordSignIn } from './sign-in';

export function createAuthService(db: Knex, bcryptCost: number) {
  /**
   * A password check counted against the (username, address) limits before bcrypt runs, so the login
   * form and the change-password form give a guesser the same ten tries; a correct password forgives them.
   */
  async function throttledVerify(
    username: string,
    ip: string,
    password: string,
    hash: string | undefined,
    mayAccept = true,
    forgive = true,
  ): Promise<boolean> {
    const verdict = await reserveLoginAttempt(db, username, ip);
    if (verdict.blocked)
      throw new TooManyRequestsError(waitMessage(verdict.retryAfterSeconds), verdict.retryAfterSeconds);
    const accepted =
      (await verifyPassword(password, hash ?? (await dummyPasswordHash(bcryptCost)))) &&
      hash !== undefined &&
      mayAccept;
    if (accepted && forgive) await clearPairFailures(db, username, ip);
    return accepted;
  }

  /** The current password, checked before a change to the account's own security; counted like a login. */
  async function verifyCurrentPassword(userId: number, password: string, ip: string | null) {
    const user = await findUserById(db, userId);
    if (!user || !(await throttledVerify(user.username, ip ?? '0.0.0.0', password, user.password_hash))) {
      throw new ValidationError([{ field: 'currentPassword', message: 'Текущий пароль указан неверно' }]);
    }
    return user;
  }

  return {
    verifyCurrentPassword,

    /** Returns the user id on success, null on wrong credentials; throws 429 while throttled. */
    /** The user as a session holds them (grants in force today), or nothing once blocked. */
    principal(userId: number) {
      return loadPrincipal(db, userId);
    },

    async authenticate(rawUsername: string, password: string, ip: string): Promise<number | null> {
      const username = rawUsername.trim().toLowerCase();
      const user = await findUserByUsername(db, username);
      // An unknown or blocked user costs the same bcrypt and counts the same failure: the answer must not tell them apart.
      // With a second factor the password alone forgives nothing: else a thief of the password could guess
      // nine codes, sign in with the password again and start over.
      const accepted = await throttledVerify(
        username,
        ip,
        password,
        user?.password_hash,
        !!user && !user.blocked_at,
        !user?.totp_enabled_at,
      );
      if (!user || !accepted) return null;
      if (!user.totp_enabled_at) await recordSignIn(db, user.id, ip); // else the code step completes the login
      return user.id;
    },

    async changePassword(
      userId: number,
      input: { current: string; next: string },
      ctx: AuditContext,
      currentSid: string,
    ) {
      const user = await verifyCurrentPassword(userId, input.current, ctx.ip);
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
