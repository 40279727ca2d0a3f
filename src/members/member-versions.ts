import type { Knex } from 'knex';
import { NotFoundError } from '../http/errors';
import { staleEdit, versionFields, type FieldSpec, type Seen } from '../http/versioned-forms';
import { CATEGORY_LABELS, type Category } from '../membership/membership';
import { lockMember, type MemberRow } from './members.repo';

// Every form of a member card (the card's own fields, transfer, exit, category, readmission) carries the
// card's version: of several users changing one card at once, the first wins and the others are told
// what changed, instead of silently undoing it or acting on a card that is no longer as they saw it.

const STUDY_FORMS: Record<string, string> = { full_time: 'очная', part_time: 'очно-заочная', distance: 'заочная' };

export const MEMBER_FIELDS: FieldSpec = {
  labels: {
    surname: 'Фамилия',
    name: 'Имя',
    patronymic: 'Отчество',
    sex: 'Пол',
    birthDate: 'Дата рождения',
    phone: 'Телефон',
    email: 'Электронная почта',
    snils: 'СНИЛС',
    position: 'Должность',
    professionalGroup: 'Профессиональная группа',
    studyForm: 'Форма обучения',
    studyYear: 'Курс',
    organizationName: 'Организация учёта',
    category: 'Категория',
    isPedagogical: 'Педагогическая должность',
    onParentalLeave: 'Отпуск по уходу за ребёнком',
    leftOn: 'Дата выхода',
  },
  show: {
    sex: (v) => (v === 'f' ? 'женский' : 'мужской'),
    category: (v) => CATEGORY_LABELS[v as Category] ?? String(v),
    studyForm: (v) => STUDY_FORMS[String(v)] ?? String(v),
  },
};

/** What the card's forms show of it, keyed like their fields. */
export function memberSnapshot(member: MemberRow): Record<string, unknown> {
  const values = member as unknown as Record<string, unknown>;
  return Object.fromEntries(Object.keys(MEMBER_FIELDS.labels).map((key) => [key, values[key] ?? null]));
}

/** The hidden version fields of a form about this card. */
export const memberVersionFields = (member: MemberRow) => versionFields(member.version, memberSnapshot(member));

/**
 * The card locked for a change, as it is now (404 when gone). With `seen`, a form rendered from an older
 * version is refused with what changed since.
 */
export async function lockedMember(trx: Knex.Transaction, id: number, seen?: Seen): Promise<MemberRow> {
  const member = await lockMember(trx, id);
  if (!member) throw new NotFoundError();
  if (seen && member.version !== seen.version)
    throw staleEdit(MEMBER_FIELDS, seen, memberSnapshot(member), memberVersionFields(member), 'карточку');
  return member;
}
