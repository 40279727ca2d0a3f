import type { Knex } from 'knex';
import { VALID_CARD_SQL } from '../cards/card-check.repo';
import type { CardStatus } from '../cards/card-statuses';

export type MeetingBody = 'general' | 'committee' | 'presidium' | 'conference' | 'plenum';
export type MeetingStatus = 'scheduled' | 'open' | 'closed' | 'cancelled';
export type ParticipantsMode = 'members' | 'invited';
export type RegistrationMethod = 'card' | 'manual' | 'remote';

export interface MeetingRow {
  id: number;
  organizationId: number;
  organizationInpo: string;
  organizationName: string;
  organizationPath: string;
  body: MeetingBody;
  heldOn: string;
  startsAt: string | null;
  place: string | null;
  remoteUrl: string | null;
  participants: ParticipantsMode;
  quorumNum: number;
  quorumDen: number;
  quorumStrict: boolean;
  status: MeetingStatus;
  minutesNumber: string | null;
  /** why the meeting was cancelled (only a cancelled one has it) */
  cancelReason: string | null;
  participantCount: number;
  registeredCount: number;
  hasMinutes: boolean;
}

/** A meeting as scheduled: what the form gives, the organization and who scheduled it. */
export type NewMeeting = Pick<
  MeetingRow,
  | 'organizationId'
  | 'body'
  | 'heldOn'
  | 'startsAt'
  | 'place'
  | 'remoteUrl'
  | 'participants'
  | 'quorumNum'
  | 'quorumDen'
  | 'quorumStrict'
> & { createdBy: number | null };

const MEETING_COLUMNS = `mt.id, mt.organization_id AS "organizationId", o.inpo AS "organizationInpo",
  o.name AS "organizationName", o.path::text AS "organizationPath", mt.body,
  to_char(mt.held_on, 'YYYY-MM-DD') AS "heldOn", to_char(mt.starts_at, 'HH24:MI') AS "startsAt", mt.place,
  mt.remote_url AS "remoteUrl", mt.participants, mt.quorum_num AS "quorumNum", mt.quorum_den AS "quorumDen",
  mt.quorum_strict AS "quorumStrict", mt.status, mt.minutes_number AS "minutesNumber",
  mt.cancel_reason AS "cancelReason",
  (SELECT count(*)::int FROM meeting_participants p WHERE p.meeting_id = mt.id) AS "participantCount",
  (SELECT count(*)::int FROM meeting_participants p WHERE p.meeting_id = mt.id AND p.registered_at IS NOT NULL) AS "registeredCount",
  EXISTS (SELECT 1 FROM meeting_minutes mm WHERE mm.meeting_id = mt.id) AS "hasMinutes"`;

/** What the chair may change of a scheduled or open meeting (the service decides which of it is allowed now). */
export type MeetingChange = Omit<NewMeeting, 'organizationId' | 'createdBy'>;

/** The columns of what the scheduling form sets (a new meeting and an edited one alike). */
const columnsOf = (m: MeetingChange) => ({
  body: m.body,
  held_on: m.heldOn,
  starts_at: m.startsAt,
  place: m.place,
  remote_url: m.remoteUrl,
  participants: m.participants,
  quorum_num: m.quorumNum,
  quorum_den: m.quorumDen,
  quorum_strict: m.quorumStrict,
});

export async function insertMeeting(trx: Knex, m: NewMeeting): Promise<number> {
  const [row] = await trx('meetings')
    .insert({ ...columnsOf(m), organization_id: m.organizationId, created_by: m.createdBy })
    .returning('id');
  return Number(row.id);
}

export async function insertAgendaItems(trx: Knex, meetingId: number, titles: string[]): Promise<void> {
  if (titles.length)
    await trx('meeting_agenda_items').insert(
      titles.map((title, i) => ({ meeting_id: meetingId, position: i + 1, title })),
    );
}

/** The meeting of an organization by id (`FOR UPDATE` of the meeting's row inside a change's transaction). */
export async function findMeeting(
  db: Knex,
  organizationId: number,
  id: number,
  lock = false,
): Promise<MeetingRow | undefined> {
  const { rows } = await db.raw<{ rows: MeetingRow[] }>(
    `SELECT ${MEETING_COLUMNS} FROM meetings mt JOIN organizations o ON o.id = mt.organization_id
      WHERE mt.id = ? AND mt.organization_id = ? ${lock ? 'FOR UPDATE OF mt' : ''}`,
    [id, organizationId],
  );
  return rows[0];
}

/**
 * The meetings of the organization's subtree, the latest first; with `held`, only the closed ones held in
 * that period (what the monitoring's figure counts).
 */
export async function listMeetings(
  db: Knex,
  root: { path: string },
  held: { from: string; to: string } | null,
): Promise<MeetingRow[]> {
  const { rows } = await db.raw<{ rows: MeetingRow[] }>(
    `SELECT ${MEETING_COLUMNS} FROM meetings mt JOIN organizations o ON o.id = mt.organization_id
      WHERE o.path <@ ?::ltree ${held ? "AND mt.status = 'closed' AND mt.held_on BETWEEN ? AND ?" : ''}
      ORDER BY mt.held_on DESC, mt.id DESC LIMIT 500`,
    held ? [root.path, held.from, held.to] : [root.path],
  );
  return rows;
}

export async function updateMeeting(trx: Knex, meetingId: number, m: MeetingChange): Promise<void> {
  await trx('meetings').where({ id: meetingId }).update(columnsOf(m));
}

/** Cancels the meeting with its reason (the status check keeps a reason on every cancelled meeting). */
export async function cancelMeeting(trx: Knex, meetingId: number, reason: string): Promise<void> {
  await trx('meetings')
    .where({ id: meetingId })
    .update({ status: 'cancelled', cancel_reason: reason, cancelled_at: trx.fn.now() });
}

/**
 * The agenda becomes `titles`: the items that carry a decision stay where they are (the caller has checked
 * that `titles` keeps each of them at its position), the others are replaced by the new lines.
 */
export async function replaceUndecidedAgenda(trx: Knex, meetingId: number, titles: string[]): Promise<void> {
  const decided = new Set<number>(
    await trx('meeting_agenda_items').where({ meeting_id: meetingId }).whereNotNull('decision').pluck('position'),
  );
  await trx('meeting_agenda_items').where({ meeting_id: meetingId }).whereNull('decision').delete();
  const rows = titles.flatMap((title, i) =>
    decided.has(i + 1) ? [] : [{ meeting_id: meetingId, position: i + 1, title }],
  );
  if (rows.length) await trx('meeting_agenda_items').insert(rows);
}

/** Withdraws invitations of participants not registered yet; returns the members whose invitation ended. */
export async function removeInvited(trx: Knex, meetingId: number, memberIds: number[]): Promise<number[]> {
  const rows: { member_id: string }[] = await trx('meeting_participants')
    .where({ meeting_id: meetingId, invited: true })
    .whereIn('member_id', memberIds)
    .whereNull('registered_at')
    .returning('member_id')
    .delete();
  return rows.map((r) => Number(r.member_id));
}

/** The unregistered participants holding a personal link, with the instant their code expires. */
export async function remoteLinkExpiries(trx: Knex, meetingId: number): Promise<Map<number, Date>> {
  const rows: { memberId: string; expiresAt: Date }[] = await trx('meeting_participants')
    .where({ meeting_id: meetingId })
    .whereNull('registered_at')
    .whereNotNull('link_token_hash')
    .select({ memberId: 'member_id', expiresAt: 'code_expires_at' });
  return new Map(rows.map((r) => [Number(r.memberId), r.expiresAt]));
}

/** Ends the personal links of these participants (a new letter gives a new one). */
export async function revokeRemoteLinks(trx: Knex, meetingId: number, memberIds: number[]): Promise<void> {
  if (memberIds.length)
    await trx('meeting_participants')
      .where({ meeting_id: meetingId })
      .whereIn('member_id', memberIds)
      .update({ link_token_hash: null, code_hash: null });
}

export interface AgendaItem {
  id: number;
  position: number;
  title: string;
  decision: string | null;
  votesFor: number | null;
  votesAgainst: number | null;
  votesAbstained: number | null;
}

export async function agendaOf(db: Knex, meetingId: number): Promise<AgendaItem[]> {
  return db('meeting_agenda_items').where({ meeting_id: meetingId }).orderBy('position').select({
    id: 'id',
    position: 'position',
    title: 'title',
    decision: 'decision',
    votesFor: 'votes_for',
    votesAgainst: 'votes_against',
    votesAbstained: 'votes_abstained',
  });
}

/** The decision and the vote on the meeting's item at `position`; false when the meeting has no such item. */
export async function saveDecision(
  trx: Knex,
  meetingId: number,
  position: number,
  d: { decision: string; votesFor: number; votesAgainst: number; votesAbstained: number },
): Promise<AgendaItem | undefined> {
  const [row] = await trx('meeting_agenda_items').where({ meeting_id: meetingId, position }).update(
    {
      decision: d.decision,
      votes_for: d.votesFor,
      votes_against: d.votesAgainst,
      votes_abstained: d.votesAbstained,
    },
    ['id', 'position', 'title'],
  );
  return row && { ...row, ...d };
}

export interface Participant {
  memberId: number;
  name: string;
  organizationName: string;
  invited: boolean;
  registeredAt: Date | null;
  method: RegistrationMethod | null;
  cardNumber: string | null;
  reason: string | null;
  email: string | null;
}

/**
 * The meeting's participants by name: a page of them (`page`), the unregistered ones whose name starts with
 * `unregisteredNamed` (the manual registration's search), or all (the remote letters).
 */
export async function participantsOf(
  db: Knex,
  meetingId: number,
  only: { page?: { limit: number; offset: number }; unregisteredNamed?: string } = {},
): Promise<Participant[]> {
  const named = only.unregisteredNamed;
  const { rows } = await db.raw<{ rows: Participant[] }>(
    `SELECT p.member_id AS "memberId", concat_ws(' ', m.surname, m.name, m.patronymic) AS name,
            o.name AS "organizationName", p.invited, p.registered_at AS "registeredAt", p.method,
            p.card_number AS "cardNumber", p.reason, m.email
       FROM meeting_participants p JOIN members m ON m.id = p.member_id
       JOIN organizations o ON o.id = m.organization_id
      WHERE p.meeting_id = ?
        ${named === undefined ? '' : `AND p.registered_at IS NULL AND concat_ws(' ', m.surname, m.name, m.patronymic) ILIKE ?`}
      ORDER BY m.surname, m.name, m.patronymic, m.id
      ${only.page ? 'LIMIT ? OFFSET ?' : ''}`,
    [
      meetingId,
      ...(named === undefined ? [] : [`${named.replace(/[\\%_]/g, '\\$&')}%`]),
      ...(only.page ? [only.page.limit, only.page.offset] : []),
    ],
  );
  return rows.map((r) => ({ ...r, memberId: Number(r.memberId) }));
}

/** Every member on record now in the organization's subtree becomes a participant (when the meeting opens). */
export async function addMembersAsParticipants(trx: Knex, meetingId: number, root: { path: string }): Promise<void> {
  await trx.raw(
    `INSERT INTO meeting_participants (meeting_id, member_id, invited)
     SELECT ?, m.id, false FROM members m JOIN organizations o ON o.id = m.organization_id
      WHERE o.path <@ ?::ltree AND m.left_on IS NULL AND m.merged_into_id IS NULL
     ON CONFLICT DO NOTHING`,
    [meetingId, root.path],
  );
}

/**
 * The holders of the given card numbers in the organization's subtree who are members now become invited
 * participants (delegates); returns the numbers that named no such holder.
 */
export async function inviteByCards(
  trx: Knex,
  meetingId: number,
  root: { path: string },
  numbers: string[],
): Promise<{ invited: number; unknown: string[] }> {
  const { rows } = await trx.raw<{ rows: { number: string; memberId: string | null }[] }>(
    `SELECT n.number, m.id AS "memberId"
       FROM unnest(?::text[]) n(number)
       LEFT JOIN union_cards c ON c.number = n.number AND c.status <> ALL('{refused,lost,blocked}')
       LEFT JOIN members m ON m.id = c.member_id AND m.left_on IS NULL AND m.merged_into_id IS NULL
        AND m.organization_id IN (SELECT id FROM organizations WHERE path <@ ?::ltree)`,
    [numbers, root.path],
  );
  const ids = [...new Set(rows.flatMap((r) => (r.memberId ? [r.memberId] : [])))];
  if (ids.length)
    await trx.raw(
      `INSERT INTO meeting_participants (meeting_id, member_id, invited)
       SELECT ?, id, true FROM unnest(?::bigint[]) id ON CONFLICT DO NOTHING`,
      [meetingId, ids],
    );
  return { invited: ids.length, unknown: rows.filter((r) => !r.memberId).map((r) => r.number) };
}

export async function setMeetingStatus(trx: Knex, meetingId: number, status: MeetingStatus, minutesNumber?: string) {
  await trx('meetings')
    .where({ id: meetingId })
    .update({
      status,
      ...(status === 'open' ? { opened_at: trx.fn.now() } : {}),
      ...(status === 'closed' ? { closed_at: trx.fn.now(), minutes_number: minutesNumber } : {}),
    });
}

/** What a scan found: the card, its validity by the cards' own rule, its holder and their place in the meeting. */
export interface ScannedCard {
  number: string;
  status: CardStatus;
  valid: boolean;
  memberId: number;
  holder: string;
  participant: boolean;
  registeredAt: Date | null;
}

/** A card by its number or its check token (the QR code's address), as a meeting's registration sees it. */
export async function cardForScan(
  db: Knex,
  meetingId: number,
  by: { number: string } | { token: string },
): Promise<ScannedCard | undefined> {
  const { rows } = await db.raw<{ rows: ScannedCard[] }>(
    `SELECT c.number, c.status, ${VALID_CARD_SQL} AS valid, m.id AS "memberId",
            concat_ws(' ', m.surname, m.name, m.patronymic) AS holder,
            p.member_id IS NOT NULL AS participant, p.registered_at AS "registeredAt"
       FROM union_cards c JOIN members m ON m.id = c.member_id
       LEFT JOIN meeting_participants p ON p.meeting_id = ? AND p.member_id = m.id
      WHERE ${'number' in by ? 'c.number = ?' : 'c.check_token = ?::uuid'}`,
    [meetingId, 'number' in by ? by.number : by.token],
  );
  const row = rows[0];
  return row && { ...row, memberId: Number(row.memberId) };
}

/**
 * Registers a participant once: the row is updated only while unregistered, so of two scans at once one
 * registers and the other finds nothing to update. Returns the participant's name, or undefined.
 */
export async function registerParticipant(
  trx: Knex,
  meetingId: number,
  memberId: number,
  r: { method: RegistrationMethod; cardNumber?: string | null; reason?: string | null; userId: number | null },
): Promise<boolean> {
  const updated = await trx('meeting_participants')
    .where({ meeting_id: meetingId, member_id: memberId })
    .whereNull('registered_at')
    .update({
      registered_at: trx.fn.now(),
      method: r.method,
      card_number: r.cardNumber ?? null,
      reason: r.reason ?? null,
      registered_by: r.userId,
      // a registered participant's personal link has done its work
      link_token_hash: null,
      code_hash: null,
    });
  return updated === 1;
}

/** The personal links and codes of remote participants in one statement (a new letter replaces the previous link). */
export async function setRemoteCodes(
  trx: Knex,
  meetingId: number,
  codes: { memberId: number; tokenHash: Buffer; codeHash: Buffer }[],
  expiresAt: Date,
): Promise<void> {
  if (!codes.length) return;
  await trx.raw(
    `UPDATE meeting_participants p
        SET link_token_hash = c.token_hash, code_hash = c.code_hash, code_expires_at = ?, code_failures = 0
       FROM unnest(?::bigint[], ?::bytea[], ?::bytea[]) c(member_id, token_hash, code_hash)
      WHERE p.meeting_id = ? AND p.member_id = c.member_id`,
    [expiresAt, codes.map((c) => c.memberId), codes.map((c) => c.tokenHash), codes.map((c) => c.codeHash), meetingId],
  );
}

export interface RemoteLink {
  meetingId: number;
  memberId: number;
  organizationId: number;
  organizationName: string;
  body: MeetingBody;
  heldOn: string;
  remoteUrl: string | null;
  status: MeetingStatus;
  codeHash: Buffer;
  expiresAt: Date;
  failures: number;
}

/** The unregistered participant a personal link names (locked inside a transaction). */
export async function findRemoteLink(db: Knex, tokenHash: Buffer, lock = false): Promise<RemoteLink | undefined> {
  const { rows } = await db.raw<{ rows: RemoteLink[] }>(
    `SELECT p.meeting_id AS "meetingId", p.member_id AS "memberId", mt.organization_id AS "organizationId",
            o.name AS "organizationName", mt.body, to_char(mt.held_on, 'YYYY-MM-DD') AS "heldOn",
            mt.remote_url AS "remoteUrl", mt.status, p.code_hash AS "codeHash", p.code_expires_at AS "expiresAt",
            p.code_failures AS failures
       FROM meeting_participants p JOIN meetings mt ON mt.id = p.meeting_id
       JOIN organizations o ON o.id = mt.organization_id
      WHERE p.link_token_hash = ? AND p.registered_at IS NULL ${lock ? 'FOR UPDATE OF p' : ''}`,
    [tokenHash],
  );
  const row = rows[0];
  return row && { ...row, memberId: Number(row.memberId) };
}

export async function countCodeFailure(trx: Knex, meetingId: number, memberId: number): Promise<void> {
  await trx('meeting_participants').where({ meeting_id: meetingId, member_id: memberId }).increment('code_failures', 1);
}

export async function storeMinutes(
  trx: Knex,
  meetingId: number,
  m: { kind: string; version: number; pdf: Buffer; userId: number | null },
): Promise<void> {
  await trx('meeting_minutes')
    .insert({
      meeting_id: meetingId,
      template_kind: m.kind,
      template_version: m.version,
      pdf: m.pdf,
      created_by: m.userId,
    })
    .onConflict('meeting_id')
    .merge();
}

export async function minutesOf(
  db: Knex,
  meetingId: number,
): Promise<{ pdf: Buffer; templateVersion: number } | undefined> {
  return db('meeting_minutes')
    .where({ meeting_id: meetingId })
    .first({ pdf: 'pdf', templateVersion: 'template_version' });
}

/** The organization's current chair, «Фамилия И. О.», for the minutes' signature (the documents' own query). */
export { chairOf as chairNameOf } from '../templates/templates.repo';

export interface MembershipDecision {
  id: number;
  kind: 'admitted' | 'readmitted' | 'left';
  happenedOn: string;
  memberId: number;
  name: string;
  meetingId: number | null;
}

/**
 * Admissions and exits of the organization's subtree that a meeting may have decided: those linked to it,
 * and the unlinked ones from 60 days before the meeting to 30 days after it. The event's organization is
 * `coalesce(to, from)`; a join on that expression scanned all of `membership_events`, so the query is three
 * disjoint branches each served by an index: by the receiving organization (`membership_events_to_org_idx`),
 * by the organization left when there is no receiving one (`membership_events_from_org_idx`), by the meeting.
 */
export async function membershipDecisionsFor(
  db: Knex,
  meeting: { id: number; organizationPath: string; heldOn: string },
): Promise<MembershipDecision[]> {
  const subtree = 'SELECT id FROM organizations WHERE path <@ ?::ltree';
  const unlinked = `e.kind IN ('admitted','readmitted','left') AND e.meeting_id IS NULL
        AND e.happened_on BETWEEN ?::date - 60 AND ?::date + 30`;
  const { rows } = await db.raw<{ rows: MembershipDecision[] }>(
    `SELECT e.id, e.kind, to_char(e.happened_on, 'YYYY-MM-DD') AS "happenedOn", e.member_id AS "memberId",
            concat_ws(' ', m.surname, m.name, m.patronymic) AS name, e.meeting_id AS "meetingId"
       FROM (SELECT e.* FROM membership_events e WHERE e.to_organization_id IN (${subtree}) AND ${unlinked}
             UNION ALL
             SELECT e.* FROM membership_events e
              WHERE e.to_organization_id IS NULL AND e.from_organization_id IN (${subtree}) AND ${unlinked}
             UNION ALL
             SELECT e.* FROM membership_events e
              JOIN organizations o ON o.id = coalesce(e.to_organization_id, e.from_organization_id)
              WHERE e.meeting_id = ? AND e.kind IN ('admitted','readmitted','left') AND o.path <@ ?::ltree) e
       JOIN members m ON m.id = e.member_id
      ORDER BY e.happened_on, e.id LIMIT 300`,
    [
      ...[1, 2].flatMap(() => [meeting.organizationPath, meeting.heldOn, meeting.heldOn]),
      meeting.id,
      meeting.organizationPath,
    ],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), memberId: Number(r.memberId) }));
}

/**
 * Links the chosen events (of `candidates`) to the meeting and writes its minutes' number and date as their
 * protocol; returns the events linked with their previous protocol, for the audit.
 */
export async function linkMembershipEvents(
  trx: Knex,
  meetingId: number,
  eventIds: number[],
  protocol: { number: string | null; date: string },
): Promise<{ id: number; memberId: number; documentNumber: string | null; documentDate: string | null }[]> {
  const { rows } = await trx.raw(
    `WITH old AS (SELECT id, member_id, document_number, to_char(document_date, 'YYYY-MM-DD') AS document_date
                    FROM membership_events WHERE id = ANY(?::bigint[]) AND meeting_id IS NULL FOR UPDATE)
     UPDATE membership_events e SET meeting_id = ?, document_number = coalesce(?, e.document_number),
            document_date = ?::date
       FROM old WHERE e.id = old.id
     RETURNING e.id, old.member_id AS "memberId", old.document_number AS "documentNumber",
               old.document_date AS "documentDate"`,
    [eventIds, meetingId, protocol.number, protocol.date],
  );
  return rows.map((r: { id: string; memberId: string }) => ({ ...r, id: Number(r.id), memberId: Number(r.memberId) }));
}
