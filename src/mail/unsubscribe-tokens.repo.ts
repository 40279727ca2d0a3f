import crypto from 'node:crypto';
import type { Knex } from 'knex';

/** What an unsubscribe link withdraws: the member's consent to mailings. */
export type UnsubscribePurpose = 'mailing';

/** A link in an old letter must still work: a year, far beyond the 30 days mail providers expect. */
export const UNSUBSCRIBE_TOKEN_DAYS = 365;

const hashOf = (token: string) => crypto.createHash('sha256').update(token, 'utf8').digest();

/** A new token for one letter; returns the token itself, which is never stored. */
export async function issueUnsubscribeToken(db: Knex, memberId: number, purpose: UnsubscribePurpose): Promise<string> {
  return (await issueUnsubscribeTokens(db, [memberId], purpose))[0]!;
}

/** New tokens for several letters in one statement (a mailing's batch); the tokens in the order of the members. */
export async function issueUnsubscribeTokens(
  db: Knex,
  memberIds: number[],
  purpose: UnsubscribePurpose,
): Promise<string[]> {
  if (!memberIds.length) return [];
  const tokens = memberIds.map(() => crypto.randomBytes(32).toString('base64url'));
  await db('unsubscribe_tokens').insert(
    memberIds.map((memberId, i) => ({
      token_hash: hashOf(tokens[i]!),
      member_id: memberId,
      purpose,
      expires_at: db.raw('now() + make_interval(days => ?)', [UNSUBSCRIBE_TOKEN_DAYS]),
    })),
  );
  return tokens;
}

/** The member a live token names, or undefined (unknown or expired). */
export async function findUnsubscribeToken(
  db: Knex,
  token: string,
): Promise<{ memberId: number; purpose: UnsubscribePurpose } | undefined> {
  const row = await db('unsubscribe_tokens')
    .where({ token_hash: hashOf(token) })
    .where('expires_at', '>', db.fn.now())
    .first({ memberId: 'member_id', purpose: 'purpose' });
  return row && { memberId: Number(row.memberId), purpose: row.purpose };
}

export async function deleteExpiredUnsubscribeTokens(db: Knex): Promise<number> {
  return db('unsubscribe_tokens').where('expires_at', '<=', db.fn.now()).delete();
}
