import type { Knex } from 'knex';

export type ApiTokenKind = 'personal' | 'session';

export interface ApiTokenRow {
  id: number;
  name: string;
  kind: ApiTokenKind;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const COLUMNS = [
  'id',
  'name',
  'kind',
  'scopes',
  'created_at as createdAt',
  'expires_at as expiresAt',
  'last_used_at as lastUsedAt',
  'revoked_at as revokedAt',
];

export async function insertApiToken(
  db: Knex,
  token: { userId: number; kind: ApiTokenKind; name: string; hash: Buffer; scopes: string[]; expiresAt: Date },
): Promise<ApiTokenRow> {
  const [row] = await db('api_tokens')
    .insert({
      user_id: token.userId,
      kind: token.kind,
      name: token.name,
      token_hash: token.hash,
      scopes: token.scopes,
      expires_at: token.expiresAt,
    })
    .returning(COLUMNS);
  return { ...row, id: Number(row.id) };
}

/** The user's app sign-ins that have expired: forgotten at their next sign-in, so each user keeps only a few rows. */
export async function deleteExpiredSessionTokens(db: Knex, userId: number): Promise<void> {
  await db('api_tokens').where({ user_id: userId, kind: 'session' }).where('expires_at', '<', db.fn.now()).delete();
}

/**
 * Tokens nobody can use any more: expired or revoked more than `days` ago, of every user (the account page
 * still lists a recently expired or revoked one). Returns how many.
 */
export async function deleteDeadTokens(db: Knex, days: number): Promise<number> {
  return db('api_tokens')
    .where((q) =>
      q
        .whereRaw('expires_at < now() - make_interval(days => ?)', [days])
        .orWhereRaw('revoked_at < now() - make_interval(days => ?)', [days]),
    )
    .delete();
}

/** A user's personal tokens, newest first (session tokens of the app are not listed: they expire on their own). */
export async function personalTokensOf(db: Knex, userId: number): Promise<ApiTokenRow[]> {
  const rows = await db('api_tokens')
    .where({ user_id: userId, kind: 'personal' })
    .orderBy('id', 'desc')
    .limit(100)
    .select(COLUMNS);
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** Revokes one of the user's own live tokens; the revoked row, or nothing when it is not theirs or already revoked. */
export async function revokeApiToken(db: Knex, userId: number, id: number): Promise<ApiTokenRow | undefined> {
  const [row] = await db('api_tokens')
    .where({ id, user_id: userId })
    .whereNull('revoked_at')
    .update({ revoked_at: db.fn.now() })
    .returning(COLUMNS);
  return row ? { ...row, id: Number(row.id) } : undefined;
}

const STALE_WINDOW = `t.window_started_at IS NULL OR t.window_started_at <= now() - interval '1 minute'`;

export interface UsedToken {
  id: number;
  userId: number;
  kind: ApiTokenKind;
  scopes: string[];
  /** Requests of the current one-minute window, this one included, and the seconds left of it. */
  windowRequests: number;
  windowSecondsLeft: number;
}

/**
 * A live token by its hash, marked used and counted in its one-minute window, in one statement (one round
 * trip per API request; two requests at once serialize on the row, so the count is exact across instances).
 */
export async function useApiToken(db: Knex, hash: Buffer): Promise<UsedToken | undefined> {
  const { rows } = await db.raw(
    `UPDATE api_tokens t
        SET last_used_at = now(),
            -- both read the row as it was (SET sees the old values), re-read when another request updated it first
            window_started_at = CASE WHEN ${STALE_WINDOW} THEN now() ELSE t.window_started_at END,
            window_requests = CASE WHEN ${STALE_WINDOW} THEN 1 ELSE t.window_requests + 1 END
      WHERE t.token_hash = ? AND t.revoked_at IS NULL AND t.expires_at > now()
  RETURNING t.id, t.user_id, t.kind, t.scopes, t.window_requests,
            ceil(extract(epoch FROM t.window_started_at + interval '1 minute' - now()))::int AS seconds_left`,
    [hash],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    id: Number(row.id),
    userId: Number(row.user_id),
    kind: row.kind,
    scopes: row.scopes,
    windowRequests: Number(row.window_requests),
    windowSecondsLeft: Math.max(1, Number(row.seconds_left)),
  };
}
