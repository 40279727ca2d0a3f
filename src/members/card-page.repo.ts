import type { Knex } from 'knex';
import type { CardStatus } from '../cards/card-statuses';
import type { CardRow } from '../cards/cards.repo';
import { PREPARED } from '../db/prepared';
import { findMemberWith, type MemberRow } from './members.repo';

/** What the card page shows beside the card's own columns: its history, union cards, transfer, consents and posts. */
export interface CardPageDetails {
  timeline: {
    kind: string;
    on: string;
    category: string | null;
    reason: string | null;
    documentNumber: string | null;
    documentDate: string | null;
    fromName: string | null;
    toName: string | null;
    actor: string | null;
  }[];
  cards: (CardRow & {
    checkToken: string;
    events: { cardId: number; to: CardStatus; on: string; reason: string | null; actor: string | null }[];
  })[];
  pendingTransfer: { id: number; on: string; toName: string } | undefined;
  consents: {
    id: number;
    kind: string;
    channel: string | null;
    textVersion: string;
    source: string;
    givenOn: string;
    withdrawnOn: string | null;
  }[];
  posts: { post: string; organizationName: string; organizationInpo: string; termUntil: string | null }[];
}

/**
 * The card page's parts beside the card's columns, each from its own table, for the card `m`, as JSON (DATE
 * columns as 'YYYY-MM-DD', as the app reads them everywhere): the history by date, union cards newest first
 * with their events in order, the pending transfer, consents newest first, the posts held now. The one
 * definition of each: the card page reads them all with the card, other pages (the account, the API) those
 * they show (cardDetailsOf).
 */
const PARTS = {
  timeline: `(SELECT coalesce(json_agg(json_build_object(
                 'kind', e.kind, 'on', e.happened_on, 'category', e.category, 'reason', e.reason,
                 'documentNumber', e.document_number, 'documentDate', e.document_date,
                 'fromName', f.name, 'toName', t.name, 'actor', u.full_name) ORDER BY e.happened_on, e.id), '[]')
          FROM membership_events e
          LEFT JOIN organizations f ON f.id = e.from_organization_id
          LEFT JOIN organizations t ON t.id = e.to_organization_id
          LEFT JOIN users u ON u.id = e.actor_user_id
         WHERE e.member_id = m.id)`,
  cards: `(SELECT coalesce(json_agg(json_build_object(
                 'id', c.id, 'number', c.number, 'memberId', c.member_id, 'kind', c.kind, 'status', c.status,
                 'statusOn', c.status_on, 'checkToken', c.check_token,
                 'events', (SELECT coalesce(json_agg(json_build_object(
                                     'cardId', ce.card_id, 'to', ce.to_status, 'on', ce.happened_on,
                                     'reason', ce.reason, 'actor', cu.full_name) ORDER BY ce.id), '[]')
                              FROM union_card_events ce LEFT JOIN users cu ON cu.id = ce.actor_user_id
                             WHERE ce.card_id = c.id)) ORDER BY c.id DESC), '[]')
          FROM union_cards c
         WHERE c.member_id = m.id)`,
  pendingTransfer: `(SELECT json_build_object('id', r.id, 'on', r.transfer_on, 'toName', t.name)
          FROM transfer_requests r JOIN organizations t ON t.id = r.to_organization_id
         WHERE r.member_id = m.id AND r.status = 'pending'
         LIMIT 1)`,
  consents: `(SELECT coalesce(json_agg(json_build_object(
                 'id', mc.id, 'kind', mc.kind, 'channel', mc.channel, 'textVersion', mc.text_version,
                 'source', mc.source, 'givenOn', mc.given_on, 'withdrawnOn', mc.withdrawn_on)
                 ORDER BY mc.given_on DESC, mc.id DESC), '[]')
          FROM member_consents mc
         WHERE mc.member_id = m.id)`,
  posts: `(SELECT coalesce(json_agg(json_build_object(
                 'post', p.post, 'organizationName', o.name, 'organizationInpo', o.inpo, 'termUntil', p.term_until)
                 ORDER BY p.id), '[]')
          FROM org_officers p JOIN organizations o ON o.id = p.organization_id
         WHERE p.member_id = m.id AND p.ended_on IS NULL)`,
} satisfies Record<keyof CardPageDetails, string>;

type Part = keyof CardPageDetails;

/** The columns of the parts, named as CardPageDetails names them. */
const columnsOf = (parts: readonly Part[]) => parts.map((part) => `${PARTS[part]} AS "${part}"`).join(',\n');
const ALL_COLUMNS = columnsOf(Object.keys(PARTS) as Part[]);

/** A row of the parts as the details: no pending transfer is undefined, as the app's other optional reads. */
function detailsOf<K extends Part>(row: Record<K, unknown>): Pick<CardPageDetails, K> {
  const details = { ...row } as Record<string, unknown>;
  if ('pendingTransfer' in details) details.pendingTransfer ??= undefined;
  return details as Pick<CardPageDetails, K>;
}

/** The parts of the card page another page shows beside a card it has read (empty ones for an id without a card). */
export async function cardDetailsOf<K extends Part>(
  db: Knex,
  memberId: number,
  parts: readonly K[],
): Promise<Pick<CardPageDetails, K>> {
  const row = await db
    .select(db.raw(columnsOf(parts)))
    .fromRaw(db.raw('(SELECT ?::bigint AS id) m', [memberId]))
    .first()
    .options(PREPARED);
  return detailsOf<K>(row);
}

/**
 * The card with everything its page shows, in one statement: the card's own columns (as its loader reads
 * them) and every part (PARTS). The card page's loader (issue 15: the page was eight statements; at 32
 * clients a page's time went to round trips, not to PostgreSQL's work).
 */
export async function findMemberWithCardPage(
  db: Knex,
  id: number,
): Promise<{ member: MemberRow; details: CardPageDetails } | undefined> {
  const found = await findMemberWith<Record<Part, unknown>>(db, id, db.raw(ALL_COLUMNS));
  return found && { member: found.member, details: detailsOf(found.extra) };
}
