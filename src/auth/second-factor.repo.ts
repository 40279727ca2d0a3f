import type { Knex } from 'knex';

export interface SecondFactorRow {
  totp_secret: string | null;
  totp_enabled_at: Date | null;
  totp_last_step: string | number | null;
}

export async function findSecondFactor(db: Knex, userId: number): Promise<SecondFactorRow | undefined> {
  return db('users')
    .where({ id: userId })
    .first<SecondFactorRow | undefined>('totp_secret', 'totp_enabled_at', 'totp_last_step');
}

export async function saveSecondFactor(
  db: Knex,
  userId: number,
  secret: string,
  step: number,
  codeHashes: string[],
): Promise<void> {
  await db('users')
    .where({ id: userId })
    .update({ totp_secret: secret, totp_enabled_at: db.fn.now(), totp_last_step: step });
  await db('user_recovery_codes').where({ user_id: userId }).delete();
  await db('user_recovery_codes').insert(codeHashes.map((code_hash) => ({ user_id: userId, code_hash })));
}

export async function clearSecondFactor(db: Knex, userId: number): Promise<boolean> {
  const cleared = await db('users')
    .where({ id: userId })
    .whereNotNull('totp_secret')
    .update({ totp_secret: null, totp_enabled_at: null, totp_last_step: null });
  await db('user_recovery_codes').where({ user_id: userId }).delete();
  return cleared > 0;
}

/**
 * Accepts a code's time step only when it is later than the last accepted one, in one statement: two
 * requests racing with the same code cannot both pass.
 */
export async function claimTotpStep(db: Knex, userId: number, step: number): Promise<boolean> {
  const updated = await db('users')
    .where({ id: userId })
    .whereNotNull('totp_enabled_at')
    .where((q) => q.whereNull('totp_last_step').orWhere('totp_last_step', '<', step))
    .update({ totp_last_step: step });
  return updated > 0;
}

/** Marks an unused recovery code used, in one statement (single use under races too). */
export async function claimRecoveryCode(db: Knex, userId: number, codeHash: string): Promise<boolean> {
  const updated = await db('user_recovery_codes')
    .where({ user_id: userId, code_hash: codeHash })
    .whereNull('used_at')
    .update({ used_at: db.fn.now() });
  return updated > 0;
}

export async function countUnusedRecoveryCodes(db: Knex, userId: number): Promise<number> {
  const row = await db('user_recovery_codes')
    .where({ user_id: userId })
    .whereNull('used_at')
    .count<{ count: string }[]>('* as count')
    .first();
  return Number(row?.count ?? 0);
}
