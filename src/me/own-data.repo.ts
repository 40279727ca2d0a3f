import type { Knex } from 'knex';
import { OFFICER_FILE_TABLES } from '../shared/officer-file-tables';

export type OwnRows = Record<string, Record<string, unknown>[]>;

/**
 * The tables that link a row to a member card by `member_id`, read whole: the person's own data as the
 * registry stores it (152-ФЗ art. 14). A table added later with a `member_id` belongs here too — the
 * own-data test lists the schema's tables with that column and fails on one missing.
 */
const BY_MEMBER = [
  'member_periods',
  'membership_events',
  'member_consents',
  'union_cards',
  'transfer_requests',
  'member_requests',
  'org_officers',
  // the personnel file of an officer who is a member (its sections below, by the file)
  'officer_files',
  'depersonalisation_journal',
  'professional_group_unmatched',
  'join_applications',
  // the member polls sent to the card, those it answered, and its answers to polls that were not anonymous
  // (an anonymous poll's answers name no one: they cannot be found from a card)
  'survey_member_targets',
  'survey_respondents',
  'survey_member_answers',
  // a poll's answers the member saved and has not submitted yet (deleted at the submit)
  'survey_member_drafts',
  // the meetings the card took part in and how it was registered (its personal link's hashes are left out)
  'meeting_participants',
] as const;
/** Tables keyed by the card alone (one row per card, or per card and poll), in the order of their cards. */
const ORDERED_BY_MEMBER: ReadonlySet<string> = new Set([
  'professional_group_unmatched',
  'survey_member_targets',
  'survey_respondents',
  'survey_member_drafts',
  'meeting_participants',
]);
/** Columns of those tables that are not the person's data: the hashes of one-time links and codes. */
const SECRET_COLUMNS: Partial<Record<(typeof BY_MEMBER)[number], string[]>> = {
  meeting_participants: ['link_token_hash', 'code_hash'],
};

/** Logins: never the password's hash or the second factor's secret. */
const USER_COLUMNS = [
  'id',
  'username',
  'full_name',
  'email',
  'member_id',
  'blocked_at',
  'password_changed_at',
  'last_login_at',
  'created_at',
  'email_verified_at',
  'totp_enabled_at',
];

const ids = (rows: Record<string, unknown>[], column = 'id') => rows.map((r) => String(r[column]));

/**
 * Everything stored about the person of card `memberId` and the cards merged into it, table by table,
 * each in the order of its ids; the audit rows are those about the person's cards, elected posts and logins.
 */
export async function ownRows(db: Knex, memberId: number): Promise<OwnRows> {
  const members = await db('members').where('id', memberId).orWhere('merged_into_id', memberId).orderBy('id');
  const memberIds = ids(members);
  const out: OwnRows = { members };
  for (const table of BY_MEMBER) {
    const rows: Record<string, unknown>[] = await db(table)
      .whereIn('member_id', memberIds)
      .orderBy(ORDERED_BY_MEMBER.has(table) ? 'member_id' : 'id');
    const secret = SECRET_COLUMNS[table] ?? [];
    out[table] = rows.map((r) => Object.fromEntries(Object.entries(r).filter(([column]) => !secret.includes(column))));
  }
  const fileIds = ids(out.officer_files!);
  for (const table of OFFICER_FILE_TABLES) out[table] = await db(table).whereIn('file_id', fileIds).orderBy('id');
  out.union_card_events = await db('union_card_events').whereIn('card_id', ids(out.union_cards!)).orderBy('id');
  out.unsubscribe_tokens = await db('unsubscribe_tokens')
    .whereIn('member_id', memberIds)
    .orderBy('created_at')
    .select('member_id', 'purpose', 'created_at', 'expires_at');
  out.users = await db('users').whereIn('member_id', memberIds).orderBy('id').select(USER_COLUMNS);
  const userIds = ids(out.users);
  out.role_grants = await db('role_grants').whereIn('user_id', userIds).orderBy('id');
  out.notifications = await db('notifications').whereIn('user_id', userIds).orderBy('id');
  // letters sent to the card's and the logins' addresses: what was sent and how it went, not the text (it
  // carried one-time links of invitations and resets)
  const addresses = [
    ...new Set([...members, ...out.users].flatMap((r) => (r.email ? [String(r.email).toLowerCase()] : []))),
  ];
  out.mail_outbox = await db('mail_outbox')
    .whereRaw('lower(to_address) = ANY(?::text[])', [addresses])
    .orderBy('id')
    .select('id', 'to_address', 'subject', 'status', 'error', 'attempts', 'created_at', 'updated_at');
  // the mailings' letters to the card: the mailing's subject, the address and how delivery went (not the
  // letter's token, which only matches bounce reports)
  out.mailing_recipients = await db('mailing_recipients as r')
    .join('mailings as m', 'm.id', 'r.mailing_id')
    .whereIn('r.member_id', memberIds)
    .orderBy('r.id')
    .select(
      'r.id',
      'r.member_id',
      'r.mailing_id',
      'm.subject',
      'r.address',
      'r.status',
      'r.bounce',
      'r.reason',
      'r.updated_at',
    );
  // the logins' open sessions as the account page lists them (device, address, start): never the session's id
  out.sessions = await db('sessions')
    .whereRaw("(sess -> 'passport' ->> 'user') = ANY(?::text[])", [userIds])
    .orderBy('expire')
    .select({ user_id: db.raw("sess -> 'passport' ->> 'user'"), client: db.raw("sess -> 'client'"), expire: 'expire' });
  const about: [string, string[]][] = [
    ['member', memberIds],
    ['org_officer', ids(out.org_officers!)],
    ['officer_file', fileIds],
    ['user', userIds],
  ];
  out.audit_log = (
    await Promise.all(about.map(([entity, of]) => db('audit_log').where('entity', entity).whereIn('entity_id', of)))
  )
    .flat()
    .sort((a, b) => Number(a.id) - Number(b.id));
  return out;
}
