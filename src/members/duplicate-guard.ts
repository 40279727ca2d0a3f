import type { Knex } from 'knex';
import { recordAudit, type AuditContext } from '../audit/audit';
import { TooManyRequestsError } from '../http/errors';
import { startOfDay, todayIso } from '../shared/dates';
import { addDays } from '../shared/event-dates';

// The duplicate check is an oracle: "a card matches" tells whether a SNILS, phone, e-mail or person is a
// member. Inside the user's subtrees that is their own registry; outside, the check says only that a
// transfer is needed (never where, never which field), and every such match is counted per user and day
// (migration create-duplicate-probes) and audited. Admission, card edit, readmission and import share
// the allowance: a file of 100,000 rows learns no more than the admission form.

/** Matches outside their subtrees a user may learn of per day: far above a chair's real transfers. */
export const MATCHES_ELSEWHERE_PER_DAY = 100;

/** The one answer about a card outside the user's subtrees (pages and import lines alike). */
export const MATCH_ELSEWHERE_MESSAGE =
  'Человек с такими данными уже состоит на учёте в другой организации Профсоюза: новая карточка не нужна — нужен перевод оттуда (запрос на перевод оформляет организация, где он состоит на учёте)';

export interface MatchElsewhere {
  memberId: number;
  organizationId: number;
}

function refusal(): TooManyRequestsError {
  // the allowance is per day of the union's calendar: it renews at midnight in its time zone
  const now = new Date();
  const secondsToMidnight = Math.ceil((startOfDay(addDays(todayIso(now), 1)).getTime() - now.getTime()) / 1000);
  return new TooManyRequestsError(
    'Проверка дубликатов на сегодня исчерпана: слишком много совпадений с членами Профсоюза других организаций. Повторите завтра.',
    Math.max(1, secondsToMidnight),
  );
}

/**
 * Refuses every check once the day's allowance is spent, before any check runs: answering only the
 * checks without matches would itself tell which ones match.
 */
export async function assertChecksLeft(db: Knex, userId: number): Promise<void> {
  const row = await db('duplicate_probes').where({ user_id: userId }).where({ day: todayIso() }).first('matches');
  if ((row?.matches ?? 0) >= MATCHES_ELSEWHERE_PER_DAY) throw refusal();
}

/**
 * Counts `count` matches outside the user's subtrees against today's allowance, in a transaction of its
 * own: the count and the audit rows stay whatever the request does next. Within the allowance each match
 * is audited on the matched card (`matches` holds them all then); beyond it the check is refused as a
 * whole (429, nothing shown) and the refusal is audited with the number.
 */
export async function spendMatchesElsewhere(
  db: Knex,
  ctx: AuditContext & { actorUserId: number },
  source: string,
  count: number,
  matches: MatchElsewhere[],
): Promise<void> {
  if (count <= 0) return;
  const refused = await db.transaction(async (trx) => {
    const { rows } = await trx.raw(
      `INSERT INTO duplicate_probes (user_id, day, matches) VALUES (?, ?, ?)
       ON CONFLICT (user_id, day) DO UPDATE SET matches = duplicate_probes.matches + EXCLUDED.matches RETURNING matches`,
      [ctx.actorUserId, todayIso(), count],
    );
    if (rows[0].matches > MATCHES_ELSEWHERE_PER_DAY) {
      await recordAudit(trx, ctx, {
        action: 'member.duplicate_check_refused',
        entity: 'user',
        entityId: ctx.actorUserId,
        newValues: { source, matches: count },
      });
      return true;
    }
    for (const m of matches) {
      await recordAudit(trx, ctx, {
        action: 'member.matched_elsewhere',
        entity: 'member',
        entityId: m.memberId,
        organizationId: m.organizationId,
        newValues: { source },
      });
    }
    return false;
  });
  if (refused) throw refusal();
}

/** Counters of past days answer nothing any more (hourly housekeeping). */
export async function pruneDuplicateProbes(db: Knex): Promise<number> {
  return db('duplicate_probes').where('day', '<', todayIso()).delete();
}
