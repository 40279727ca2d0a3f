import type { Knex } from 'knex';
import { auditInsert, type AuditContext } from '../audit/audit.repo';
import { PREPARED } from '../db/prepared';
import type { CardStatus } from '../cards/card-statuses';
import type { CardRow } from '../cards/cards.repo';
import type { MemberRow } from './members.repo';

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
 * The card page's reads and its read-audit row in one statement: the row goes in by a data-modifying WITH,
 * so the audit is written exactly when the data is read (one commit), and the page is one round trip instead
 * of eight (issue 15: at 32 clients a page's time went to writing and reading statements, not to PostgreSQL).
 * The parts come back as JSON (DATE columns as 'YYYY-MM-DD', as the app reads them everywhere), each in the
 * order its own query gave: the history by date, cards newest first with their events in order, consents
 * newest first.
 */
export async function readCardPage(db: Knex, ctx: AuditContext, member: MemberRow): Promise<CardPageDetails> {
  const viewed = auditInsert(db, ctx, {
    action: 'member.viewed',
    entity: 'member',
    entityId: member.id,
    organizationId: member.organizationId,
  });
  const { rows } = await db
    .raw(
      `WITH viewed AS (?)
     SELECT
       (SELECT coalesce(json_agg(json_build_object(
                 'kind', e.kind, 'on', e.happened_on, 'category', e.category, 'reason', e.reason,
                 'documentNumber', e.document_number, 'documentDate', e.document_date,
                 'fromName', f.name, 'toName', t.name, 'actor', u.full_name) ORDER BY e.happened_on, e.id), '[]')
          FROM membership_events e
          LEFT JOIN organizations f ON f.id = e.from_organization_id
          LEFT JOIN organizations t ON t.id = e.to_organization_id
          LEFT JOIN users u ON u.id = e.actor_user_id
         WHERE e.member_id = :member) AS timeline,
       (SELECT coalesce(json_agg(json_build_object(
                 'id', c.id, 'number', c.number, 'memberId', c.member_id, 'kind', c.kind, 'status', c.status,
                 'statusOn', c.status_on, 'checkToken', c.check_token,
                 'events', (SELECT coalesce(json_agg(json_build_object(
                                     'cardId', ce.card_id, 'to', ce.to_status, 'on', ce.happened_on,
                                     'reason', ce.reason, 'actor', cu.full_name) ORDER BY ce.id), '[]')
                              FROM union_card_events ce LEFT JOIN users cu ON cu.id = ce.actor_user_id
                             WHERE ce.card_id = c.id)) ORDER BY c.id DESC), '[]')
          FROM union_cards c
         WHERE c.member_id = :member) AS cards,
       (SELECT json_build_object('id', r.id, 'on', r.transfer_on, 'toName', t.name)
          FROM transfer_requests r JOIN organizations t ON t.id = r.to_organization_id
         WHERE r.member_id = :member AND r.status = 'pending'
         LIMIT 1) AS pending_transfer,
       (SELECT coalesce(json_agg(json_build_object(
                 'id', mc.id, 'kind', mc.kind, 'channel', mc.channel, 'textVersion', mc.text_version,
                 'source', mc.source, 'givenOn', mc.given_on, 'withdrawnOn', mc.withdrawn_on)
                 ORDER BY mc.given_on DESC, mc.id DESC), '[]')
          FROM member_consents mc
         WHERE mc.member_id = :member) AS consents,
       (SELECT coalesce(json_agg(json_build_object(
                 'post', p.post, 'organizationName', o.name, 'organizationInpo', o.inpo, 'termUntil', p.term_until)
                 ORDER BY p.id), '[]')
          FROM org_officers p JOIN organizations o ON o.id = p.organization_id
         WHERE p.member_id = :member AND p.ended_on IS NULL) AS posts`.replaceAll(':member', '?::bigint'),
      [viewed, ...Array<number>(5).fill(member.id)],
    )
    .options(PREPARED);
  const row = rows[0];
  return {
    timeline: row.timeline,
    cards: row.cards,
    pendingTransfer: row.pending_transfer ?? undefined,
    consents: row.consents,
    posts: row.posts,
  };
}
