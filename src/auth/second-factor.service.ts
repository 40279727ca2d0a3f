import type { Knex } from 'knex';
import { authorize } from '../access/access';
import type { Principal } from '../access/principal';
import { recordAudit, type AuditContext } from '../audit/audit';
import { inTransaction } from '../db/transaction';
import { NotFoundError, TooManyRequestsError, ValidationError } from '../http/errors';
import { clearPairFailures, reserveLoginAttempt, waitMessage } from './login-throttle';
import { newRecoveryCodes, recoveryCodeHash } from './recovery-codes';
import {
  claimRecoveryCode,
  claimTotpStep,
  clearSecondFactor,
  countUnusedRecoveryCodes,
  findSecondFactor,
  saveSecondFactor,
} from './second-factor.repo';
import { enrolmentQrCode, formatManualKey, totpStepOf } from './totp';
import { deleteSessionsOfUser, findUserById, forgetKeptPrincipal } from './users.repo';
import { recordSignIn } from './sign-in';
import { grantOrganizationsOf, unionRootRef } from './user-grants.repo';

export interface Enrolment {
  secret: string;
  manualKey: string;
  qrCode: string;
}

const codeError = (message: string) => new ValidationError([{ field: 'code', message }]);

export function createSecondFactorService(db: Knex) {
  return {
    /** What the enrolment page shows for a secret kept in the session until the first code confirms it. */
    async enrolment(username: string, secret: string): Promise<Enrolment> {
      return { secret, manualKey: formatManualKey(secret), qrCode: await enrolmentQrCode(secret, username) };
    },

    async status(userId: number) {
      const row = await findSecondFactor(db, userId);
      return {
        enrolledAt: row?.totp_enabled_at ?? null,
        recoveryCodesLeft: row?.totp_enabled_at ? await countUnusedRecoveryCodes(db, userId) : 0,
      };
    },

    /** The first code from the app proves the secret was taken over; returns the recovery codes, to be shown once. */
    async confirm(userId: number, secret: string, code: string, ctx: AuditContext): Promise<string[]> {
      const step = totpStepOf(secret, code.replace(/\s/g, ''));
      if (step === null) throw codeError('Код не подходит: введите 6 цифр, которые сейчас показывает приложение');
      const codes = newRecoveryCodes();
      await inTransaction(db, async (trx) => {
        const current = await findSecondFactor(trx, userId);
        if (current?.totp_enabled_at) throw codeError('Второй фактор уже подключён');
        await saveSecondFactor(trx, userId, secret, step, codes.map(recoveryCodeHash));
        await forgetKeptPrincipal(trx, userId);
        await recordAudit(trx, ctx, { action: 'user.second_factor_enrolled', entity: 'user', entityId: userId });
      });
      return codes;
    },

    /**
     * The login's second step, counted by the login throttle like a password: ten wrong codes per login and
     * address block the pair for an hour. A 6-digit code is a TOTP code, anything else a recovery code.
     */
    async verifyAtLogin(
      user: { id: number; username: string },
      typed: string,
      ip: string,
      ctx: AuditContext,
    ): Promise<boolean> {
      const verdict = await reserveLoginAttempt(db, user.username, ip);
      if (verdict.blocked)
        throw new TooManyRequestsError(waitMessage(verdict.retryAfterSeconds), verdict.retryAfterSeconds);
      const code = typed.replace(/\s/g, '');
      const row = await findSecondFactor(db, user.id);
      if (!row?.totp_secret || !row.totp_enabled_at) return false;
      let accepted: boolean;
      if (/^\d{6}$/.test(code)) {
        const step = totpStepOf(row.totp_secret, code);
        accepted = step !== null && (await claimTotpStep(db, user.id, step));
      } else {
        accepted = await inTransaction(db, async (trx) => {
          const claimed = await claimRecoveryCode(trx, user.id, recoveryCodeHash(code));
          if (claimed)
            await recordAudit(trx, ctx, { action: 'user.recovery_code_used', entity: 'user', entityId: user.id });
          return claimed;
        });
      }
      if (accepted) {
        await clearPairFailures(db, user.username, ip);
        await recordSignIn(db, user.id, ip);
      }
      return accepted;
    },

    /** The user's own reset (after their current password was checked): the next login or enrolment starts afresh. */
    async resetOwn(userId: number, ctx: AuditContext): Promise<void> {
      await inTransaction(db, async (trx) => {
        if (await clearSecondFactor(trx, userId))
          await recordAudit(trx, ctx, { action: 'user.second_factor_reset', entity: 'user', entityId: userId });
        await forgetKeptPrincipal(trx, userId);
      });
    },

    /**
     * An administrator's reset of someone's lost factor; the user's sessions end with it. Allowed when the
     * administrator may reset on every organization the user holds a grant on; a user without grants belongs
     * to the federal administrator.
     */
    async resetByAdministrator(actor: Principal, userId: number, ctx: AuditContext): Promise<{ fullName: string }> {
      const user = await findUserById(db, userId);
      if (!user || user.id === actor.id) throw new NotFoundError();
      const orgs = await grantOrganizationsOf(db, userId);
      const required = orgs.length ? orgs : [await unionRootRef(db)];
      for (const org of required) authorize(actor, 'user.second_factor.reset', org);
      await inTransaction(db, async (trx) => {
        const cleared = await clearSecondFactor(trx, userId);
        // a lost phone may be in someone else's hands with a session open on it
        await deleteSessionsOfUser(trx, userId);
        await recordAudit(trx, ctx, {
          action: 'user.second_factor_reset_by_admin',
          entity: 'user',
          entityId: userId,
          newValues: { cleared },
        });
      });
      return { fullName: user.full_name };
    },
  };
}

export type SecondFactorService = ReturnType<typeof createSecondFactorService>;
