import type { Knex } from 'knex';
import { containsPattern } from '../shared/match-key';
import { INPO_PATTERN } from '../shared/inpo';

export type ApplicationStatus = 'unconfirmed' | 'confirmed' | 'accepted' | 'rejected' | 'transfer';

/** An organization as the public pages of /join show it. */
export interface JoinOrg {
  inpo: string;
  name: string;
  level: string;
  /** The names of its ancestors below the union, «Регион › Территория». */
  parents: string | null;
  /** A ППО open to online admission (the others are steps of the way down). */
  open: boolean;
}

// a ППО people may apply to: active and its passport allows it
const OPEN_PPO = `o.level = 'primary' AND o.liquidated_on IS NULL AND o.online_admission`;
const PARENT_NAMES = `(SELECT string_agg(coalesce(a.short_name, a.name), ' › ' ORDER BY nlevel(a.path))
     FROM organizations a
    WHERE nlevel(o.path) > 2 AND a.id = ANY(string_to_array(ltree2text(subpath(o.path, 1, nlevel(o.path) - 2)), '.')::int[]))`;

const joinOrgColumns = (db: Knex) => ({
  inpo: 'o.inpo',
  name: db.raw('coalesce(o.short_name, o.name)'),
  level: 'o.level',
  parents: db.raw(PARENT_NAMES),
  open: db.raw(`(${OPEN_PPO})`),
});

/**
 * The way down from `parentInpo` (the union when null): the active regions, okrugs and territories below
 * it, and its ППО open to admission. At most `limit`, by name.
 */
export async function joinChildren(db: Knex, parentInpo: string | null, limit: number): Promise<JoinOrg[]> {
  const parent = db('organizations')
    .select('id')
    .where(parentInpo ? { inpo: parentInpo } : { level: 'union' })
    .first();
  return db('organizations as o')
    .select(joinOrgColumns(db))
    .where('o.parent_id', parent)
    .whereNull('o.liquidated_on')
    .where((w) => w.whereIn('o.level', ['regional', 'okrug', 'territorial']).orWhereRaw(OPEN_PPO))
    .orderBy([{ column: 'o.name' }, { column: 'o.id' }])
    .limit(limit);
}

/**
 * A word without its ending, so that the case typed need not be the name's: «гимназия» finds «Гимназии»,
 * «казань» «Казани», «лицей» «Лицея» (a crude cut of one or two letters, enough for a search box).
 */
const stem = (word: string) => (word.length >= 7 ? word.slice(0, -2) : word.length >= 5 ? word.slice(0, -1) : word);

/**
 * ППО open to admission by ИНПО, or whose name holds every word typed, in any order («гимназия 7 казань»
 * finds «ППО Гимназии № 7 г. Казани»: each word by organizations_name_key_trgm), by name.
 */
export async function searchOpenPpo(db: Knex, q: string, limit: number): Promise<JoinOrg[]> {
  const query = db('organizations as o').select(joinOrgColumns(db)).whereRaw(OPEN_PPO);
  if (INPO_PATTERN.test(q)) query.where('o.inpo', q);
  else {
    const words = q.split(/\s+/).flatMap((w) => containsPattern(stem(w)) ?? []);
    if (!words.length) return [];
    for (const word of words.slice(0, 6)) query.whereRaw('match_key(o.name) LIKE ?', [word]);
  }
  return query.orderBy([{ column: 'o.name' }, { column: 'o.id' }]).limit(limit);
}

/** One organization for /join's pages (any level, so that a closed or unknown ППО answers clearly). */
export async function findJoinOrg(
  db: Knex,
  inpo: string,
): Promise<(JoinOrg & { id: number; liquidatedOn: string | null }) | undefined> {
  return db('organizations as o')
    .select({ ...joinOrgColumns(db), id: 'o.id', liquidatedOn: 'o.liquidated_on' })
    .where('o.inpo', inpo)
    .first();
}

/** What the applicant gave: the person, the category and work or study, the consents. */
interface Applicant {
  organizationId: number;
  surname: string;
  name: string;
  patronymic: string | null;
  sex: 'm' | 'f';
  birthDate: string;
  email: string;
  phone: string | null;
  snils: string | null;
  category: string;
  workplace: string | null;
  position: string | null;
  consentVersion: string;
  mailingConsent: boolean;
}

export interface ApplicationInsert extends Applicant {
  confirmTokenHash: Buffer;
  ip: string | null;
}

export async function insertApplication(db: Knex, a: ApplicationInsert): Promise<number> {
  const [row] = await db('join_applications')
    .insert({
      organization_id: a.organizationId,
      surname: a.surname,
      name: a.name,
      patronymic: a.patronymic,
      sex: a.sex,
      birth_date: a.birthDate,
      email: a.email,
      phone: a.phone,
      snils: a.snils,
      category: a.category,
      workplace: a.workplace,
      position: a.position,
      consent_version: a.consentVersion,
      mailing_consent: a.mailingConsent,
      confirm_token_hash: a.confirmTokenHash,
      ip: a.ip,
    })
    .returning('id');
  return Number(row.id);
}

export interface ApplicationRow extends Applicant {
  id: number;
  organizationInpo: string;
  organizationName: string;
  status: ApplicationStatus;
  createdAt: Date;
  confirmedAt: Date | null;
  decidedAt: Date | null;
  rejectReason: string | null;
  memberId: number | null;
}

const selectApplication = (db: Knex) =>
  db('join_applications as a')
    .join('organizations as o', 'o.id', 'a.organization_id')
    .select({
      id: db.raw('a.id::int'),
      organizationId: 'a.organization_id',
      organizationInpo: 'o.inpo',
      organizationName: db.raw('coalesce(o.short_name, o.name)'),
      status: 'a.status',
      surname: 'a.surname',
      name: 'a.name',
      patronymic: 'a.patronymic',
      sex: 'a.sex',
      birthDate: db.raw(`to_char(a.birth_date, 'YYYY-MM-DD')`),
      email: 'a.email',
      phone: 'a.phone',
      snils: 'a.snils',
      category: 'a.category',
      workplace: 'a.workplace',
      position: 'a.position',
      consentVersion: 'a.consent_version',
      mailingConsent: 'a.mailing_consent',
      createdAt: 'a.created_at',
      confirmedAt: 'a.confirmed_at',
      decidedAt: 'a.decided_at',
      rejectReason: 'a.reject_reason',
      memberId: db.raw('a.member_id::int'),
    });

export async function findApplication(db: Knex, id: number): Promise<ApplicationRow | undefined> {
  return selectApplication(db).where('a.id', id).first();
}

export async function lockApplication(trx: Knex.Transaction, id: number): Promise<ApplicationRow | undefined> {
  return selectApplication(trx).where('a.id', id).forUpdate('a').first();
}

/** The application a confirmation link names, by the link's hash. */
export async function findByTokenHash(db: Knex, hash: Buffer): Promise<ApplicationRow | undefined> {
  return selectApplication(db).where('a.confirm_token_hash', hash).first();
}

/** Confirmed once: false when it already was (a second click changes nothing). */
export async function markConfirmed(db: Knex, id: number): Promise<boolean> {
  const n = await db('join_applications')
    .where({ id, status: 'unconfirmed' })
    .update({ status: 'confirmed', confirmed_at: db.fn.now() });
  return n > 0;
}

export async function settleApplication(
  trx: Knex,
  id: number,
  decision: {
    status: 'accepted' | 'rejected' | 'transfer';
    by: number | null;
    reason?: string | null;
    memberId?: number;
  },
): Promise<void> {
  await trx('join_applications')
    .where({ id })
    .update({
      status: decision.status,
      decided_at: trx.fn.now(),
      decided_by: decision.by,
      reject_reason: decision.reason ?? null,
      member_id: decision.memberId ?? null,
    });
}

/** Applications waiting longer than this are escalated to the organizations above (read at query time). */
export const ESCALATION_DAYS = 30;

/**
 * A page of the queue of `org`: its confirmed applications and — for an organization above ППО — the
 * confirmed applications of the ППО below it waiting more than ESCALATION_DAYS. Keyset by id.
 */
export async function listQueue(
  db: Knex,
  org: { id: number; path: string; level: string },
  options: { after: number | null; limit: number },
): Promise<(ApplicationRow & { overdue: boolean })[]> {
  const query = selectApplication(db)
    .select({ overdue: db.raw(`a.confirmed_at < now() - make_interval(days => ?)`, [ESCALATION_DAYS]) })
    .where('a.status', 'confirmed');
  if (org.level === 'primary') query.where('a.organization_id', org.id);
  else
    query
      .whereRaw('o.path <@ ?::ltree', [org.path])
      .where((w) =>
        w
          .where('a.organization_id', org.id)
          .orWhereRaw(`a.confirmed_at < now() - make_interval(days => ?)`, [ESCALATION_DAYS]),
      );
  if (options.after) query.where('a.id', '>', options.after);
  return query.orderBy('a.id').limit(options.limit);
}

/** Confirmed applications waiting at the organization itself (the chair's home page). */
export async function countWaiting(db: Knex, organizationId: number): Promise<number> {
  const row = await db('join_applications')
    .where({ organization_id: organizationId, status: 'confirmed' })
    .count<{ count: string }>('* as count')
    .first();
  return Number(row?.count ?? 0);
}

/**
 * Online admissions (accepted applications) by child organization of `parent` in [from, to] (dates of
 * the union's calendar, inclusive): for the monitoring's table of online admissions. Children without
 * any are absent.
 */
export async function admissionsByChild(
  db: Knex,
  parent: { path: string },
  from: string,
  to: string,
): Promise<{ inpo: string; name: string; admissions: number }[]> {
  const { rows } = await db.raw(
    `SELECT c.inpo, c.name, count(*)::int AS admissions
       FROM join_applications a
       JOIN organizations o ON o.id = a.organization_id
       JOIN organizations c ON c.path = subpath(o.path, 0, nlevel(?::ltree) + 1)
      WHERE a.status = 'accepted' AND o.path <@ ?::ltree AND nlevel(o.path) > nlevel(?::ltree)
        AND a.decided_at >= ?::date AND a.decided_at < ?::date + 1
      GROUP BY c.inpo, c.name ORDER BY c.name`,
    [parent.path, parent.path, parent.path, from, to],
  );
  return rows;
}

/**
 * Confirmed applications not decided yet, by child organization of `parent` (the applications of the child's
 * whole subtree, as they are now): the monitoring's column beside the admissions. Children without any are absent.
 */
export async function waitingByChild(db: Knex, parent: { path: string }): Promise<{ inpo: string; waiting: number }[]> {
  const { rows } = await db.raw(
    `SELECT c.inpo, count(*)::int AS waiting
       FROM join_applications a
       JOIN organizations o ON o.id = a.organization_id
       JOIN organizations c ON c.path = subpath(o.path, 0, nlevel(?::ltree) + 1)
      WHERE a.status = 'confirmed' AND o.path <@ ?::ltree AND nlevel(o.path) > nlevel(?::ltree)
      GROUP BY c.inpo`,
    [parent.path, parent.path, parent.path],
  );
  return rows;
}

/** Rejected applications and those sent to a transfer, decided more than `days` ago: nothing needs them any more. */
export async function deleteClosedOlderThan(db: Knex, days: number): Promise<number> {
  return db('join_applications')
    .whereIn('status', ['rejected', 'transfer'])
    .whereRaw('decided_at < now() - make_interval(days => ?)', [days])
    .delete();
}

/** Unconfirmed applications older than `days` are forgotten: nobody confirmed the address. */
export async function deleteUnconfirmedOlderThan(db: Knex, days: number): Promise<number> {
  return db('join_applications')
    .where({ status: 'unconfirmed' })
    .whereRaw('created_at < now() - make_interval(days => ?)', [days])
    .delete();
}
