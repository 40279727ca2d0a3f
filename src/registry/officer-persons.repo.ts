import type { Knex } from 'knex';
import { INPO_PATTERN } from '../shared/inpo';

export interface CardHit {
  id: number;
  surname: string;
  name: string;
  patronymic: string | null;
  birthYear: number;
  orgInpo: string;
  orgName: string;
}

const SEARCH_LIMIT = 20;

/** Members on record now in these subtrees (those whose cards the user may open: access.memberViewPaths). */
function readableCards(db: Knex, paths: string[]) {
  return db('members as m')
    .join('organizations as o', 'o.id', 'm.organization_id')
    .whereNull('m.left_on')
    .whereNull('m.merged_into_id')
    .whereNull('m.depersonalised_at')
    .where((q) => {
      if (!paths.length) q.whereRaw('false');
      for (const path of paths) q.orWhereRaw('o.path <@ ?::ltree', [path]);
    });
}

/**
 * Cards matching «Фамилия [Имя [Отчество]]» word by word (through members_identity_key_idx), or registered in
 * the organization with this ИНПО; only those in `paths`.
 */
export async function searchCards(db: Knex, paths: string[], text: string): Promise<CardHit[]> {
  const query = readableCards(db, paths);
  if (INPO_PATTERN.test(text)) query.where('o.inpo', text);
  else {
    const [surname, name, patronymic] = text.split(/\s+/) as [string, ...string[]];
    // compared as the duplicate check compares names: "семенова" is «Семёнова»
    query.whereRaw('match_key(m.surname) = match_key(?)', [surname]);
    if (name) query.whereRaw('match_key(m.name) = match_key(?)', [name]);
    if (patronymic) query.whereRaw('match_key(m.patronymic) = match_key(?)', [patronymic]);
  }
  const rows = await query
    .orderBy(['m.surname', 'm.name', 'm.id'])
    .limit(SEARCH_LIMIT)
    .select(
      'm.id',
      'm.surname',
      'm.name',
      'm.patronymic',
      db.raw('extract(year FROM m.birth_date)::int AS "birthYear"'),
      'o.inpo as orgInpo',
      'o.name as orgName',
    );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** The card on record now in these subtrees, with its names; undefined otherwise. */
export async function findReadableCard(trx: Knex, paths: string[], id: number) {
  const card = await readableCards(trx, paths).where('m.id', id).first('m.id', 'm.surname', 'm.name', 'm.patronymic');
  return card && { ...card, id: Number(card.id) };
}

/** Whether an active card (not merged, not left) carries this SNILS. */
export async function activeCardHasSnils(trx: Knex, snils: string): Promise<boolean> {
  return !!(await trx('members').where({ snils }).whereNull('merged_into_id').whereNull('left_on').first('id'));
}

export interface PersonRow {
  id: number;
  surname: string;
  name: string;
  patronymic: string | null;
  sex: 'm' | 'f';
  birthDate: string;
}

/** The person of a SNILS, locked until the transaction ends. */
export async function lockPersonBySnils(trx: Knex.Transaction, snils: string): Promise<PersonRow | undefined> {
  const row = await trx('persons').where({ snils }).forUpdate().first();
  return (
    row && {
      id: Number(row.id),
      surname: row.surname,
      name: row.name,
      patronymic: row.patronymic,
      sex: row.sex,
      birthDate: row.birth_date,
    }
  );
}

export async function insertPerson(trx: Knex.Transaction, person: Omit<PersonRow, 'id'> & { snils: string }) {
  const [row] = await trx('persons')
    .insert({
      snils: person.snils,
      surname: person.surname,
      name: person.name,
      patronymic: person.patronymic,
      sex: person.sex,
      birth_date: person.birthDate,
    })
    .returning('id');
  return Number(row.id);
}

export async function updatePersonNames(
  trx: Knex.Transaction,
  id: number,
  names: Pick<PersonRow, 'surname' | 'name' | 'patronymic'>,
) {
  await trx('persons')
    .where({ id })
    .update({ surname: names.surname, name: names.name, patronymic: names.patronymic, updated_at: trx.fn.now() });
}
