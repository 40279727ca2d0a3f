import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { recordAudit, type AuditContext } from '../audit/audit';
import { hashPassword, passwordProblem } from '../auth/password';
import { deleteSessionsOfUser, findUserById, findUserByUsername, setPasswordByLink } from '../auth/logins.service';
import { inTransaction } from '../db/transaction';
import { TooManyRequestsError, ValidationError } from '../http/errors';
import type { MailService } from '../mail/mail.service';
import { invitationLetter, resetLetter } from './letters';
import { reserveResetRequest } from './reset-throttle';
import { consumeToken, findLiveToken, issueToken, type TokenPurpose } from './tokens.repo';

const PATHS: Record<TokenPurpose, string> = { invitation: '/invite', reset: '/reset-password' };
const LETTERS = { invitation: invitationLetter, reset: resetLetter };

export interface LinkAddressee {
  id: number;
  username: string;
  fullName: string;
  email: string;
}

/** Invitations and password resets: one-time links by e-mail that let a person set their own password. */
export function createPasswordLinksService(
  db: Knex,
  mail: MailService,
  options: { publicUrl: string; bcryptCost: number; logger: Logger },
) {
  /** Issues the link on `trx` (it commits with the user or the change that called for it) and returns the letter to send after commit. */
  async function prepareLetter(trx: Knex, user: LinkAddressee, purpose: TokenPurpose, createdBy: number | null) {
    const token = await issueToken(trx, user.id, purpose, createdBy);
    return LETTERS[purpose](user, `${options.publicUrl}${PATHS[purpose]}/${token}`);
  }

  return {
    prepareLetter,

    /** The same answer whether the login exists, is blocked or has no e-mail: only a throttled address learns anything (429). */
    async requestReset(rawUsername: string, ctx: AuditContext): Promise<void> {
      const username = rawUsername.trim().toLowerCase();
      const verdict = await reserveResetRequest(db, username, ctx.ip ?? '0.0.0.0');
      if (verdict.retryAfterSeconds) {
        throw new TooManyRequestsError(
          `Слишком много запросов восстановления с вашего адреса. Повторите через ${Math.ceil(verdict.retryAfterSeconds / 60)} мин.`,
          verdict.retryAfterSeconds,
        );
      }
      if (!verdict.allowed) return;
      const user = await findUserByUsername(db, username);
      if (!user || user.blocked_at || !user.email) return;
      const letter = await inTransaction(db, async (trx) => {
        await recordAudit(trx, ctx, { action: 'user.reset_requested', entity: 'user', entityId: user.id });
        return prepareLetter(
          trx,
          { id: user.id, username: user.username, fullName: user.full_name, email: user.email! },
          'reset',
          null,
        );
      });
      // a mail server's failure must not tell the visitor that the login exists
      await mail.send(letter).catch((err) => options.logger.warn({ err }, 'reset letter not sent'));
    },

    /** Whose link this is, for the set-password page; undefined when it is unknown, used or expired. */
    async linkOwner(token: string, purpose: TokenPurpose): Promise<{ username: string; fullName: string } | undefined> {
      const live = await findLiveToken(db, token, purpose);
      const user = live && (await findUserById(db, live.userId));
      return user && !user.blocked_at ? { username: user.username, fullName: user.full_name } : undefined;
    },

    /**
     * Sets the password the person chose and spends the link. Following the link proves the e-mail, and
     * any sessions opened with the old password end. False when the link no longer works.
     */
    async setPassword(token: string, purpose: TokenPurpose, password: string, ctx: AuditContext): Promise<boolean> {
      const live = await findLiveToken(db, token, purpose);
      const user = live && (await findUserById(db, live.userId));
      if (!live || !user || user.blocked_at) return false;
      const problem = passwordProblem(password, user.username);
      if (problem) throw new ValidationError([{ field: 'password', message: problem }]);
      const hash = await hashPassword(password, options.bcryptCost);
      return inTransaction(db, async (trx) => {
        if (!(await consumeToken(trx, live.id))) return false;
        await setPasswordByLink(trx, user.id, hash);
        await deleteSessionsOfUser(trx, user.id);
        await recordAudit(
          trx,
          { ...ctx, actorUserId: user.id },
          {
            action: purpose === 'invitation' ? 'user.invitation_accepted' : 'user.password_reset',
            entity: 'user',
            entityId: user.id,
          },
        );
        return true;
      });
    },
  };
}

export type PasswordLinksService = ReturnType<typeof createPasswordLinksService>;
