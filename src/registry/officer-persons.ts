import type { Knex } from 'knex';
import { memberViewPaths } from '../access/access';
import type { Principal } from '../access/principal';
import { diffValues, recordAudit, type AuditContext } from '../audit/audit';
import { ValidationError } from '../http/errors';
import { INPO_PATTERN } from '../shared/inpo';
import type { OfficerPersonInput } from './passport.schemas';

// Who an elected officer is (issue 12): a member card the user may see, found anywhere in the union by
// name or by the ИНПО of the organization the member is registered in; or a person outside the registry,
// recorded once by SNILS with the sex and birth date the forms count.

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

/** Members on record now whose card the user may open: in the subtrees their member.view grants cover. */
function readableCards(db: Knex, principal: Principal) {
  const paths = memberViewPaths(principal);
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
 * the organization with this ИНПО; only those the user may see.
 */
export async function searchCards(db: Knex, principal: Principal, q: string): Promise<CardHit[]> {
  const text = q.trim();
  if (!text) return [];
  const query = readableCards(db, principal);
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

export interface OfficerPerson {
  memberId: number | null;
  personId: number | null;
  surname: string;
  name: string;
  patronymic: string | null;
}

/** The person the officer form names, created (non-member) or checked (card) in the caller's transaction. */
export async function resolveOfficerPerson(
  trx: Knex.Transaction,
  ctx: AuditContext,
  principal: Principal,
  input: OfficerPersonInput,
): Promise<OfficerPerson> {
  if (input.personKind === 'member') {
    const card = await readableCards(trx, principal)
      .where('m.id', input.memberId!)
      .first('m.id', 'm.surname', 'm.name', 'm.patronymic');
    if (!card)
      throw new ValidationError([
        { field: 'memberId', message: 'Карточка не найдена среди членов Профсоюза на учёте, доступных вам' },
      ]);
    return {
      memberId: Number(card.id),
      personId: null,
      surname: card.surname,
      name: card.name,
      patronymic: card.patronymic,
    };
  }
  const snils = input.snils!;
  if (await trx('members').where({ snils }).whereNull('merged_into_id').whereNull('left_on').first('id')) {
    throw new ValidationError([
      { field: 'snils', message: 'Этот СНИЛС указан в карточке члена Профсоюза: выберите его среди членов Профсоюза' },
    ]);
  }
  const values = {
    surname: input.surname!,
    name: input.name!,
    patronymic: input.patronymic,
    sex: input.sex!,
    birthDate: input.birthDate!,
  };
  const existing = await trx('persons').where({ snils }).forUpdate().first();
  if (!existing) {
    const [row] = await trx('persons')
      .insert({
        snils,
        surname: values.surname,
        name: values.name,
        patronymic: values.patronymic,
        sex: values.sex,
        birth_date: values.birthDate,
      })
      .returning('id');
    await recordAudit(trx, ctx, {
      action: 'person.created',
      entity: 'person',
      entityId: row.id,
      newValues: { ...values, snils },
    });
    return { memberId: null, personId: Number(row.id), ...values };
  }
  // one SNILS, one person: sex and birth date are facts the forms already count, not to be overwritten here
  if (existing.sex !== values.sex || existing.birth_date !== values.birthDate) {
    throw new ValidationError([
      {
        field: 'snils',
        message:
          'Человек с этим СНИЛС уже внесён с другим полом или датой рождения: проверьте СНИЛС, пол и дату рождения',
      },
    ]);
  }
  // names do change (marriage): the latest entry is kept, and the change audited
  const { oldValues, newValues, changed } = diffValues(
    { surname: existing.surname, name: existing.name, patronymic: existing.patronymic },
    { surname: values.surname, name: values.name, patronymic: values.patronymic },
  );
  if (changed) {
    await trx('persons')
      .where({ id: existing.id })
      .update({ surname: values.surname, name: values.name, patronymic: values.patronymic, updated_at: trx.fn.now() });
    await recordAudit(trx, ctx, {
      action: 'person.updated',
      entity: 'person',
      entityId: existing.id,
      oldValues,
      newValues,
    });
  }
  return { memberId: null, personId: Number(existing.id), ...values };
}
