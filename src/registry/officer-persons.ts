import type { Knex } from 'knex';
import { memberViewPaths } from '../access/access';
import type { Principal } from '../access/principal';
import { diffValues, recordAudit, type AuditContext } from '../audit/audit';
import { ValidationError } from '../http/errors';
import {
  activeCardHasSnils,
  findReadableCard,
  insertPerson,
  lockPersonBySnils,
  searchCards as searchReadableCards,
  updatePersonNames,
  type CardHit,
} from './officer-persons.repo';
import type { OfficerPersonInput } from './passport.schemas';

export type { CardHit };

// Who an elected officer is (issue 12): a member card the user may see, found anywhere in the union by
// name or by the ИНПО of the organization the member is registered in; or a person outside the registry,
// recorded once by SNILS with the sex and birth date the forms count.

/**
 * Cards matching «Фамилия [Имя [Отчество]]» word by word, or registered in the organization with this ИНПО;
 * only those the user may see (in the subtrees their member.view grants cover).
 */
export async function searchCards(db: Knex, principal: Principal, q: string): Promise<CardHit[]> {
  const text = q.trim();
  if (!text) return [];
  return searchReadableCards(db, memberViewPaths(principal), text);
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
    const card = await findReadableCard(trx, memberViewPaths(principal), input.memberId!);
    if (!card)
      throw new ValidationError([
        { field: 'memberId', message: 'Карточка не найдена среди членов Профсоюза на учёте, доступных вам' },
      ]);
    return {
      memberId: card.id,
      personId: null,
      surname: card.surname,
      name: card.name,
      patronymic: card.patronymic,
    };
  }
  const snils = input.snils!;
  if (await activeCardHasSnils(trx, snils)) {
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
  const existing = await lockPersonBySnils(trx, snils);
  if (!existing) {
    const id = await insertPerson(trx, { ...values, snils });
    await recordAudit(trx, ctx, {
      action: 'person.created',
      entity: 'person',
      entityId: id,
      newValues: { ...values, snils },
    });
    return { memberId: null, personId: id, ...values };
  }
  // one SNILS, one person: sex and birth date are facts the forms already count, not to be overwritten here
  if (existing.sex !== values.sex || existing.birthDate !== values.birthDate) {
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
    await updatePersonNames(trx, existing.id, values);
    await recordAudit(trx, ctx, {
      action: 'person.updated',
      entity: 'person',
      entityId: existing.id,
      oldValues,
      newValues,
    });
  }
  return { memberId: null, personId: existing.id, ...values };
}
