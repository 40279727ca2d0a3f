import type { Knex } from 'knex';
import { OFFICER_FILE_TABLES } from '../shared/officer-file-tables';

/**
 * Groups of cards in a subtree that look like one person: same surname, name (compared by match_key():
 * «Ёжова» is «Ежова») and birth date, or same SNILS.
 */
export async function duplicateGroups(db: Knex, rootPath: string, limit = 200) {
  const { rows } = await db.raw(
    `WITH sub AS (
       SELECT m.id, m.surname, m.name, m.patronymic, m.birth_date, m.snils, m.left_on, o.name AS org_name
         FROM members m JOIN organizations o ON o.id = m.organization_id
        WHERE o.path <@ :path::ltree AND m.merged_into_id IS NULL AND m.depersonalised_at IS NULL),
     keyed AS (
       SELECT *, 'ФИО и дата рождения' AS matched, match_key(surname) || '|' || match_key(name) || '|' || birth_date AS k FROM sub
       UNION ALL
       SELECT *, 'СНИЛС', 'snils|' || snils FROM sub WHERE snils IS NOT NULL),
     groups AS (SELECT k FROM keyed GROUP BY k HAVING count(*) > 1 ORDER BY k LIMIT :limit)
     SELECT g.k, keyed.matched, keyed.id, keyed.surname, keyed.name, keyed.patronymic, keyed.birth_date, keyed.left_on, keyed.org_name
       FROM groups g JOIN keyed ON keyed.k = g.k ORDER BY g.k, keyed.id`,
    { path: rootPath, limit },
  );
  const groups = new Map<string, { matched: string; cards: Record<string, unknown>[] }>();
  for (const r of rows) {
    if (!groups.has(r.k)) groups.set(r.k, { matched: r.matched, cards: [] });
    groups.get(r.k)!.cards.push({
      id: Number(r.id),
      surname: r.surname,
      name: r.name,
      patronymic: r.patronymic,
      birthDate: r.birth_date,
      leftOn: r.left_on,
      organizationName: r.org_name,
    });
  }
  return [...groups.values()];
}

/** Whether neither card has been merged into another yet. */
export async function bothUnmerged(trx: Knex, ids: [number, number]): Promise<boolean> {
  return (await trx('members').whereIn('id', ids).whereNull('merged_into_id')).length === 2;
}

/**
 * Moves the duplicate card's history onto the survivor: periods where they do not overlap the
 * survivor's (one person cannot be counted twice on a day), events, cards (a live one blocked), consents
 * (active ones withdrawn today) and officer links; the survivor's current state becomes its open period
 * and the duplicate points to it. Returns how many of the duplicate's periods were dropped.
 */
export async function moveCardHistory(
  trx: Knex,
  survivorId: number,
  duplicateId: number,
  today: string,
): Promise<number> {
  const dropped = await trx.raw(
    `DELETE FROM member_periods d USING member_periods s
      WHERE d.member_id = ? AND s.member_id = ? AND daterange(d.valid_from, d.valid_to) && daterange(s.valid_from, s.valid_to)
      RETURNING d.id`,
    [duplicateId, survivorId],
  );
  await trx('member_periods').where({ member_id: duplicateId }).update({ member_id: survivorId });
  await trx('membership_events').where({ member_id: duplicateId }).update({ member_id: survivorId });
  // The survivor keeps its live card; the duplicate's live card, if any, is blocked.
  await trx('union_cards')
    .where({ member_id: duplicateId })
    .whereNotIn('status', ['refused', 'lost', 'blocked'])
    .update({ status: 'blocked', status_on: today });
  await trx('union_cards').where({ member_id: duplicateId }).update({ member_id: survivorId });
  await trx('member_consents')
    .where({ member_id: duplicateId })
    .whereNotNull('withdrawn_on')
    .update({ member_id: survivorId });
  await trx('member_consents')
    .where({ member_id: duplicateId })
    .whereNull('withdrawn_on')
    .update({ withdrawn_on: trx.raw('greatest(given_on, ?::date)', [today]) });
  await trx('member_consents').where({ member_id: duplicateId }).update({ member_id: survivorId });
  await trx('org_officers').where({ member_id: duplicateId }).update({ member_id: survivorId });
  await mergeOfficerFiles(trx, duplicateId, survivorId);
  // The survivor's current state is its open period, whichever card it came from.
  await trx.raw(
    `UPDATE members m SET organization_id = p.organization_id, category = p.category, is_pedagogical = p.is_pedagogical, left_on = NULL, left_reason = NULL
       FROM member_periods p WHERE p.member_id = m.id AND p.valid_to IS NULL AND m.id = ?`,
    [survivorId],
  );
  const first = await trx('membership_events').where({ member_id: survivorId }).min('happened_on as first').first();
  await trx('members')
    .where({ id: survivorId })
    .update({
      joined_on: trx.raw('least(joined_on, ?::date)', [first?.first ?? '9999-12-31']),
      updated_at: trx.fn.now(),
    });
  await trx('members')
    .where({ id: duplicateId })
    .update({
      merged_into_id: survivorId,
      left_on: trx.raw('coalesce(left_on, ?::date)', [today]),
      updated_at: trx.fn.now(),
    });
  return dropped.rows.length;
}

/**
 * The duplicate's personnel file becomes the survivor's; when both have one, the duplicate's entries and documents
 * join the survivor's file and its notes follow the survivor's (a person has one file).
 */
async function mergeOfficerFiles(trx: Knex, duplicateId: number, survivorId: number) {
  const duplicate = await trx('officer_files').where({ member_id: duplicateId }).first('id', 'notes');
  if (!duplicate) return;
  const survivor = await trx('officer_files').where({ member_id: survivorId }).forUpdate().first('id', 'notes');
  if (!survivor) {
    await trx('officer_files').where({ id: duplicate.id }).update({ member_id: survivorId, updated_at: trx.fn.now() });
    return;
  }
  for (const table of OFFICER_FILE_TABLES)
    await trx(table).where({ file_id: duplicate.id }).update({ file_id: survivor.id });
  const notes = [survivor.notes, duplicate.notes].filter(Boolean).join('\n\n').slice(0, 5000);
  await trx('officer_files').where({ id: survivor.id }).update({ notes, updated_at: trx.fn.now() });
  await trx('officer_files').where({ id: duplicate.id }).delete();
}
