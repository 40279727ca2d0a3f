import { inclineFirstname, inclineLastname, inclineMiddlename } from 'lvovich';
import { fullName } from '../shared/format';
import type { FieldValues } from './templates.schemas';

// People's names in the grammatical cases a document needs («от Ивановой Марии Петровны», «Председателю
// Петрову П. П.»), by lvovich: the rules of petrovich (Russian first names, surnames and patronymics by their
// endings, with the exceptions lists), kept up and without dependencies. A template asks for a case with a
// filter after the field's name: {{member.fullName|genitive}}.

export const CASE_FILTERS = {
  genitive: 'родительный падеж (кого?)',
  dative: 'дательный (кому?)',
  accusative: 'винительный (кого?)',
  instrumental: 'творительный (кем?)',
  prepositional: 'предложный (о ком?)',
} as const;
export type CaseFilter = keyof typeof CASE_FILTERS;
export const CASE_FILTER_NAMES = Object.keys(CASE_FILTERS) as CaseFilter[];
export const isCaseFilter = (value: string): value is CaseFilter => Object.hasOwn(CASE_FILTERS, value);

export interface PersonName {
  surname: string;
  name: string;
  patronymic: string | null;
  /** The card's sex: the rules guess it from the name otherwise, and leave an unsure name («Любовь») as it is. */
  sex?: 'm' | 'f' | null;
}

const GENDER = { m: 'male', f: 'female' } as const;

/** The parts of the name in the case. */
export function declineName(
  p: PersonName,
  c: CaseFilter,
): { surname: string; name: string; patronymic: string | null } {
  const gender = p.sex ? GENDER[p.sex] : null;
  return {
    surname: inclineLastname(p.surname, c, gender),
    name: inclineFirstname(p.name, c, gender),
    patronymic: p.patronymic ? inclineMiddlename(p.patronymic, c, gender) : null,
  };
}

/** «Фамилия И. О.» in the case: the surname declined (its sex guessed from it), the initials as they are. */
export function declineSurnameWithInitials(value: string, c: CaseFilter): string {
  const space = value.indexOf(' ');
  const surname = space < 0 ? value : value.slice(0, space);
  return inclineLastname(surname, c) + (space < 0 ? '' : value.slice(space));
}

/**
 * The values with every name field in every case under its filtered key (`member.fullName|genitive`), as
 * fillText looks them up: the member's or applicant's name from its parts and sex, the chair's from the
 * «Фамилия И. О.» the values hold. Five cases of five fields: cheaper than a second pass over the template.
 */
export function withCases(values: FieldValues, person: PersonName | null): FieldValues {
  const out: FieldValues = { ...values };
  const chair = values['organization.chairName'];
  for (const c of CASE_FILTER_NAMES) {
    if (person) {
      const d = declineName(person, c);
      out[`member.surname|${c}`] = d.surname;
      out[`member.name|${c}`] = d.name;
      out[`member.patronymic|${c}`] = d.patronymic;
      out[`member.fullName|${c}`] = fullName(d);
    }
    if (chair) out[`organization.chairName|${c}`] = declineSurnameWithInitials(chair, c);
  }
  return out;
}
