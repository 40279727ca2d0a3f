import type { Knex } from 'knex';
import { mailingCandidates, type ListReader, type ListRoot } from '../members/members.repo';
import type { Level } from '../registry/levels';
import type { OfficerPost } from '../registry/officer-posts';
import type { MemberListFilter } from '../members/members.repo';

export const RECIPIENT_STATUSES = [
  'queued',
  'sending',
  'sent',
  'deferred',
  'bounced',
  'complained',
  'unsubscribed',
  'uncertain',
] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];
/** Not delivered, with an address to fix or a reason to read. */
export const FAILED_STATUSES: RecipientStatus[] = ['bounced', 'complained', 'uncertain'];
/** Still on their way: the mailing is not done while any is left. */
const PENDING = ['queued', 'deferred', 'sending'];

/** The member filter, or the activists' posts and levels, as the candidates' query reads them. */
export type TargetQuery =
  | { kind: 'members'; root: ListRoot; filter: MemberListFilter; reader: ListReader }
  | { kind: 'activists'; root: ListRoot; posts: OfficerPost[]; levels: Level[] };

/**
 * The officers of chosen posts holding them now in organizations of chosen levels in the subtree. Their
 * address is the member card's (with the member's mailing consent), else — for a chair — the organization
 * passport's (the organization's own address: no personal consent asked).
 */
function activistCandidates(db: Knex, root: ListRoot, posts: OfficerPost[], levels: Level[]) {
  const own = "nullif(btrim(m.email), '')";
  return db.raw(
    `SELECT CASE WHEN ${own} IS NOT NULL THEN m.id END AS member_id, f.organization_id,
            coalesce(${own}, CASE WHEN f.post = 'chair' THEN nullif(btrim(o.email), '') END) AS address,
            CASE WHEN ${own} IS NOT NULL THEN 'member' ELSE 'passport' END AS source,
            CASE WHEN ${own} IS NOT NULL THEN m.email_invalid_at IS NOT NULL ELSE o.email_invalid_at IS NOT NULL END AS invalid,
            CASE WHEN ${own} IS NOT NULL
                 THEN EXISTS (SELECT 1 FROM member_consents c WHERE c.member_id = m.id AND c.kind = 'mailing'
                               AND c.channel = 'email' AND c.withdrawn_on IS NULL)
                 ELSE true END AS consent
       FROM org_officers f
       JOIN organizations o ON o.id = f.organization_id
       LEFT JOIN members m ON m.id = f.member_id AND m.left_on IS NULL AND m.merged_into_id IS NULL
      WHERE f.ended_on IS NULL AND o.liquidated_on IS NULL AND o.path <@ ?::ltree
        AND f.post = ANY(?::text[]) AND o.level = ANY(?::text[])`,
    [root.path, posts, levels],
  );
}

function candidates(db: Knex, target: TargetQuery) {
  return target.kind === 'members'
    ? mailingCandidates(db, target.root, target.filter, target.reader)
    : activistCandidates(db, target.root, target.posts, target.levels);
}

/** Who a target reaches and who it leaves out, counted once over its candidates. */
const COUNTS = `count(*)::int AS matched,
  count(*) FILTER (WHERE address IS NULL)::int AS "noAddress",
  count(*) FILTER (WHERE address IS NOT NULL AND invalid)::int AS "invalidAddress",
  count(*) FILTER (WHERE address IS NOT NULL AND NOT invalid AND NOT consent)::int AS "noConsent",
  count(DISTINCT lower(address)) FILTER (WHERE address IS NOT NULL AND NOT invalid AND consent)::int AS recipients,
  count(*) FILTER (WHERE address IS NOT NULL AND NOT invalid AND consent)::int AS deliverable`;

export interface TargetCounts {
  matched: number;
  noAddress: number;
  invalidAddress: number;
  noConsent: number;
  /** Distinct addresses that get the letter. */
  recipients: number;
  /** Candidates sharing an address with another (each address gets one letter). */
  duplicates: number;
}

const countsOf = (row: TargetCounts & { deliverable: number }): TargetCounts => ({
  matched: row.matched,
  noAddress: row.noAddress,
  invalidAddress: row.invalidAddress,
  noConsent: row.noConsent,
  recipients: row.recipients,
  duplicates: row.deliverable - row.recipients,
});

/** The preview: the exact counts and the first few addresses that would get the letter. */
export async function previewTarget(db: Knex, target: TargetQuery, sampleSize: number) {
  const { rows } = await db.raw(`WITH t AS (?) SELECT ${COUNTS} FROM t`, [candidates(db, target)]);
  const sample = await db.raw(
    `WITH t AS (?)
     SELECT DISTINCT ON (lower(t.address)) t.address, t.member_id AS "memberId", t.source, o.name AS "organizationName"
       FROM t JOIN organizations o ON o.id = t.organization_id
      WHERE t.address IS NOT NULL AND NOT t.invalid AND t.consent
      ORDER BY lower(t.address), t.member_id LIMIT ?`,
    [candidates(db, target), sampleSize],
  );
  return {
    counts: countsOf(rows[0]),
    sample: sample.rows as { address: string; memberId: number | null; source: string; organizationName: string }[],
  };
}

/**
 * Creates the mailing and its recipients in one statement (one snapshot: the counts are of the rows
 * inserted): each deliverable address once, the card's before the passport's. Set-based — 100,000
 * recipients never pass through the app.
 */
export async function insertMailing(
  trx: Knex.Transaction,
  mailing: { organizationId: number; authorUserId: number; subject: string; body: string; target: unknown },
  target: TargetQuery,
): Promise<{ id: number; counts: TargetCounts }> {
  const [created] = await trx('mailings')
    .insert({
      organization_id: mailing.organizationId,
      author_user_id: mailing.authorUserId,
      subject: mailing.subject,
      body: mailing.body,
      target: JSON.stringify(mailing.target),
    })
    .returning('id');
  const id = Number(created.id);
  const { rows } = await trx.raw(
    `WITH t AS (?),
     ins AS (
       INSERT INTO mailing_recipients (mailing_id, address, source, member_id, organization_id)
       SELECT DISTINCT ON (lower(address)) ?::bigint, address, source, member_id, organization_id
         FROM t WHERE address IS NOT NULL AND NOT invalid AND consent
        ORDER BY lower(address), member_id NULLS LAST
       RETURNING 1),
     c AS (SELECT ${COUNTS} FROM t)
     UPDATE mailings SET matched = c.matched, no_address = c."noAddress", invalid_address = c."invalidAddress",
            no_consent = c."noConsent", duplicates = c.deliverable - (SELECT count(*) FROM ins)
       FROM c WHERE mailings.id = ?
     RETURNING c.*, (SELECT count(*) FROM ins)::int AS inserted`,
    [candidates(trx, target), id, id],
  );
  const row = rows[0];
  return { id, counts: countsOf({ ...row, recipients: row.inserted }) };
}

export interface MailingRow {
  id: number;
  organizationId: number;
  authorUserId: number;
  authorName: string | null;
  subject: string;
  body: string;
  target: unknown;
  status: 'sending' | 'done';
  matched: number;
  noAddress: number;
  invalidAddress: number;
  noConsent: number;
  duplicates: number;
  createdAt: Date;
  finishedAt: Date | null;
}

function selectMailing(db: Knex) {
  return db('mailings as g').leftJoin('users as u', 'u.id', 'g.author_user_id').select({
    id: 'g.id',
    organizationId: 'g.organization_id',
    authorUserId: 'g.author_user_id',
    authorName: 'u.full_name',
    subject: 'g.subject',
    body: 'g.body',
    target: 'g.target',
    status: 'g.status',
    matched: 'g.matched',
    noAddress: 'g.no_address',
    invalidAddress: 'g.invalid_address',
    noConsent: 'g.no_consent',
    duplicates: 'g.duplicates',
    createdAt: 'g.created_at',
    finishedAt: 'g.finished_at',
  });
}

export async function findMailing(db: Knex, organizationId: number, id: number): Promise<MailingRow | undefined> {
  const row = await selectMailing(db).where({ 'g.id': id, 'g.organization_id': organizationId }).first();
  return row && { ...row, id: Number(row.id) };
}

/** The organization's mailings, newest first, a keyset page before the id `before`. */
export async function listMailings(db: Knex, organizationId: number, before: number | undefined, limit: number) {
  const q = selectMailing(db).where('g.organization_id', organizationId).orderBy('g.id', 'desc').limit(limit);
  if (before) q.where('g.id', '<', before);
  return (await q).map((r: MailingRow) => ({ ...r, id: Number(r.id) }));
}

/** The mailing's letter, for its worker. */
export async function mailingLetter(db: Knex, id: number) {
  return db('mailings').where({ id }).first<{ subject: string; body: string } | undefined>('subject', 'body');
}

/** Recipients per state (and hard/soft for bounces). */
export async function recipientCounts(db: Knex, mailingId: number) {
  const rows: { status: RecipientStatus; bounce: string | null; count: number }[] = await db('mailing_recipients')
    .where({ mailing_id: mailingId })
    .groupBy('status', 'bounce')
    .select('status', 'bounce', db.raw('count(*)::int AS count'));
  return rows;
}

/**
 * Per child organization of the mailing's organization (recipients of the organization itself as one
 * row with no parent step): letters, delivered, failed and still pending.
 */
export async function deliveryByChild(db: Knex, mailingId: number, root: { id: number; path: string }) {
  const { rows } = await db.raw(
    `SELECT c.id AS "organizationId", c.inpo, c.name, s.total, s.sent, s.failed, s.pending
       FROM (SELECT CASE WHEN nlevel(ro.path) > nlevel(?::ltree)
                         THEN ltree2text(subpath(ro.path, nlevel(?::ltree), 1))::int ELSE ? END AS child,
                    count(*)::int AS total,
                    count(*) FILTER (WHERE r.status = 'sent')::int AS sent,
                    count(*) FILTER (WHERE r.status = ANY(?::text[]))::int AS failed,
                    count(*) FILTER (WHERE r.status = ANY(?::text[]))::int AS pending
               FROM mailing_recipients r JOIN organizations ro ON ro.id = r.organization_id
              WHERE r.mailing_id = ? GROUP BY 1) s
       JOIN organizations c ON c.id = s.child
      ORDER BY c.name, c.id`,
    [root.path, root.path, root.id, FAILED_STATUSES, PENDING, mailingId],
  );
  return rows as {
    organizationId: number;
    inpo: string;
    name: string;
    total: number;
    sent: number;
    failed: number;
    pending: number;
  }[];
}

/** The failed addresses with what to fix: the card or the passport, a keyset page after the id `after`. */
export async function failedRecipients(db: Knex, mailingId: number, after: number | undefined, limit: number) {
  const q = db('mailing_recipients as r')
    .join('organizations as o', 'o.id', 'r.organization_id')
    .where('r.mailing_id', mailingId)
    .whereIn('r.status', FAILED_STATUSES)
    .orderBy('r.id')
    .limit(limit)
    .select({
      id: 'r.id',
      address: 'r.address',
      status: 'r.status',
      bounce: 'r.bounce',
      reason: 'r.reason',
      source: 'r.source',
      memberId: 'r.member_id',
      organizationInpo: 'o.inpo',
      organizationName: 'o.name',
    });
  if (after) q.where('r.id', '>', after);
  return (await q).map((r: { id: number; memberId: number | null }) => ({
    ...r,
    id: Number(r.id),
    memberId: r.memberId === null ? null : Number(r.memberId),
  }));
}

export interface ClaimedRecipient {
  id: number;
  address: string;
  memberId: number | null;
  organizationId: number;
  source: 'member' | 'passport';
  token: string;
  attempts: number;
  /** The member still consents to mailings (always true for a passport's address). */
  consent: boolean;
}

/**
 * A worker's claim of the mailing's next `count` letters: the first queued (or deferred and due) recipients
 * not locked by another worker become `sending`, committed before the letters are handed over — a recipient
 * is claimed once, and one found `sending` later is never sent again. The consent is read again here, as the
 * letters are claimed. In the order of their ids; only those with an id above `afterId`, when given.
 */
export async function claimRecipients(
  db: Knex,
  mailingId: number,
  count: number,
  afterId = 0,
): Promise<ClaimedRecipient[]> {
  const { rows } = await db.raw(
    `UPDATE mailing_recipients r SET status = 'sending', attempts = attempts + 1, updated_at = now()
      WHERE r.id IN (SELECT id FROM mailing_recipients
                      WHERE mailing_id = ? AND id > ? AND status IN ('queued','deferred','sending')
                        AND (status = 'queued' OR (status = 'deferred' AND next_attempt_at <= now()))
                      ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
      RETURNING r.id, r.address, r.member_id AS "memberId", r.organization_id AS "organizationId", r.source,
                r.token, r.attempts,
                (r.source <> 'member' OR EXISTS (SELECT 1 FROM member_consents c WHERE c.member_id = r.member_id
                   AND c.kind = 'mailing' AND c.channel = 'email' AND c.withdrawn_on IS NULL)) AS consent`,
    [mailingId, afterId, count],
  );
  return (rows as (ClaimedRecipient & { id: string; memberId: string | null })[])
    .map((row) => ({ ...row, id: Number(row.id), memberId: row.memberId === null ? null : Number(row.memberId) }))
    .sort((a, b) => a.id - b.id);
}

/** The outcome of claimed letters (only of `sending` ones: a swept `uncertain` stays so). */
export async function settleRecipient(
  db: Knex,
  id: number | number[],
  outcome: {
    status: 'sent' | 'deferred' | 'bounced' | 'unsubscribed' | 'uncertain';
    bounce?: 'hard' | 'soft';
    reason?: string;
    retryInSeconds?: number;
  },
): Promise<void> {
  await db('mailing_recipients')
    .whereIn('id', ([] as number[]).concat(id))
    .where({ status: 'sending' })
    .update({
      status: outcome.status,
      bounce: outcome.bounce ?? null,
      reason: outcome.reason?.slice(0, 500) ?? null,
      next_attempt_at: outcome.retryInSeconds
        ? db.raw('now() + make_interval(secs => ?)', [outcome.retryInSeconds])
        : null,
      updated_at: db.fn.now(),
    });
}

/**
 * Delivered letters become `sent`, committed without waiting for the WAL flush (synchronous_commit off): a
 * commit lost with the database server leaves them `sending`, and the sweep makes them `uncertain` — never
 * sent again. The claim before the hand-over is what must be durable, and it is.
 */
export async function settleDelivered(db: Knex, ids: number[]): Promise<void> {
  await db.transaction(async (trx) => {
    await trx.raw('SET LOCAL synchronous_commit = off');
    await settleRecipient(trx, ids, { status: 'sent' });
  });
}

/**
 * After a worker found nothing to claim: letters left `sending` longer than `staleSeconds` were cut off
 * with their worker and become `uncertain`; then what is still pending, and when the next deferred
 * letter is due. With nothing pending the mailing is done.
 */
export async function settleMailing(db: Knex, mailingId: number, staleSeconds: number) {
  await db('mailing_recipients')
    .where({ mailing_id: mailingId, status: 'sending' })
    .whereRaw('updated_at < now() - make_interval(secs => ?)', [staleSeconds])
    .update({
      status: 'uncertain',
      reason: 'Отправка прервалась: письмо могло дойти, повторно не отправлялось',
      updated_at: db.fn.now(),
    });
  const left = await db('mailing_recipients')
    .where({ mailing_id: mailingId })
    .whereIn('status', PENDING)
    .first(
      db.raw('count(*)::int AS pending'),
      db.raw("count(*) FILTER (WHERE status = 'sending')::int AS sending"),
      db.raw(
        'greatest(0, extract(epoch FROM min(next_attempt_at) FILTER (WHERE status = \'deferred\') - now()))::float AS "dueInSeconds"',
      ),
    );
  if (!left.pending)
    await db('mailings')
      .where({ id: mailingId, status: 'sending' })
      .update({ status: 'done', finished_at: db.fn.now() });
  return left as { pending: number; sending: number; dueInSeconds: number | null };
}

/**
 * A bounce report's verdict on the letter its token names: bounced (hard or soft) or complained, unless
 * already so. Returns the recipient when it changed.
 */
export async function reportOnRecipient(
  db: Knex,
  token: string,
  outcome: { status: 'bounced' | 'complained'; bounce?: 'hard' | 'soft'; reason: string },
) {
  const [row] = await db('mailing_recipients')
    .where({ token })
    .whereIn('status', ['sent', 'uncertain', 'deferred', 'sending'])
    .update({
      status: outcome.status,
      bounce: outcome.bounce ?? null,
      reason: outcome.reason.slice(0, 500),
      next_attempt_at: null,
      updated_at: db.fn.now(),
    })
    .returning(['id', 'address', 'source', 'member_id as memberId', 'organization_id as organizationId']);
  return (row && {
    ...row,
    id: Number(row.id),
    memberId: row.memberId === null ? null : Number(row.memberId),
  }) as
    | { id: number; address: string; source: 'member' | 'passport'; memberId: number | null; organizationId: number }
    | undefined;
}

/** The user's own address (a test letter goes there). */
export async function userEmail(db: Knex, userId: number): Promise<string | null> {
  const row = await db('users').where({ id: userId }).first('email');
  return row?.email ?? null;
}
