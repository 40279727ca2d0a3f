import type { Knex } from 'knex';
import * as OTPAuth from 'otpauth';
import { newRecoveryCodes, recoveryCodeHash } from '../../src/auth/recovery-codes';
import { saveSecondFactor } from '../../src/auth/second-factor.repo';
import { newTotpSecret } from '../../src/auth/totp';

const STEP_MS = 30_000;

/** A confirmed second factor for a test user, as enrolment leaves it: the secret and the recovery codes in clear. */
export async function enrolSecondFactor(
  db: Knex,
  userId: number,
): Promise<{ secret: string; recoveryCodes: string[] }> {
  const secret = newTotpSecret();
  const recoveryCodes = newRecoveryCodes();
  await saveSecondFactor(db, userId, secret, 0, recoveryCodes.map(recoveryCodeHash));
  return { secret, recoveryCodes };
}

/**
 * The code an authenticator app shows `steps` time steps from now (0 = now, 1 = the next 30 seconds),
 * computed with otpauth directly as an app would, not with the code under test.
 */
export function appCode(secret: string, steps = 0): string {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret.replace(/\s/g, '')) }).generate({
    timestamp: Date.now() + steps * STEP_MS,
  });
}
