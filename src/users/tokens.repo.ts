import crypto from 'node:crypto';
import type { Knex } from 'knex';

import type { TokenPurpose } from './users.schemas';

export type { TokenPurpose };

/** How long a link works: an invitation waits for a person to find the letter, a reset is asked for now. */
export const TOKEN_LIFETIME_HOURS: Record<TokenPurpose, number> = { invitation: 72, reset: 1 };

const hashOf = (token: string) => crypto.createHash('sha256').update(token, 'utf8').digest();
const newToken = () => crypto.randomBytes(32).toString('base64url');

/**
 * A new link for the user; earlier unused links of the same purpose stop working, so only the latest
 * letter opens the account. Returns the token itself, which is never stored.
 */
export async function issueToken(
  db: Knex,
  userId: number,
  purpose: TokenPurpose,
  createdBy: number | null,
): Promise<string> {
  const token = newToken();
  await db('user_tokens').where({ user_id: userId, purpose }).whereNull('used_at').update({ used_at: db.fn.now() });
  await db('user_tokens').insert({
    user_id: userId,
    purpose,
    token_hash: hashOf(token),
    created_by: createdBy,
    expires_at: db.raw(`now() + make_interval(hours => ?)`, [TOKEN_LIFETIME_HOURS[purpose]]),
  });
  return token;
}

/** The user a live token opens, or undefined (unknown, used or expired: the page says the same for all three). */
export async function findLiveToken(
  db: Knex,
  token: string,
  purpose: TokenPurpose,
): Promise<{ id: number; userId: number } | undefined> {
  return db('user_tokens')
    .where({ token_hash: hashOf(token), purpose })
    .whereNull('used_at')
    .where('expires_at', '>', db.fn.now())
    .first({ id: 'id', userId: 'user_id' });
}

/** Marks the token used, once: a second request with the same link (a race, a resent form) finds nothing. */
export async function consumeToken(db: Knex, tokenId: number): Promise<boolean> {
  const updated = await db('user_tokens').where({ id: tokenId }).whereNull('used_at').update({ used_at: db.fn.now() });
  return updated === 1;
}

/** Invitations for many new users in one statement (bulk provisioning): user id → token. */
export async function issueInvitations(db: Knex, userIds: number[], createdBy: number): Promise<Map<number, string>> {
  const tokens = new Map(userIds.map((id) => [id, newToken()]));
  if (!userIds.length) return tokens;
  await db.raw(
    `INSERT INTO user_tokens (user_id, purpose, token_hash, expires_at, created_by)
     SELECT t.user_id, 'invitation', t.hash, now() + make_interval(hours => ?), ? FROM unnest(?::int[], ?::bytea[]) AS t(user_id, hash)`,
    [TOKEN_LIFETIME_HOURS.invitation, createdBy, userIds, userIds.map((id) => hashOf(tokens.get(id)!))],
  );
  return tokens;
}
