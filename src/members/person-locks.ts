import type { Knex } from 'knex';
import { lockKeys as lockAll } from './person-locks.repo';
import { matchKey } from '../shared/match-key';

// The duplicate check of an admission and its insert must not be split by another admission of the same
// person: five simultaneous identical admissions each found no duplicate and made five cards. Each
// admission takes transaction-scoped advisory locks on what identifies the person (name + birth date, by
// match_key() as the duplicate check compares them, so «Ёжова» and «Ежова» wait for each other; SNILS,
// phone, e-mail), in one order, before it checks; a member import takes the registry-wide key
// exclusively while it checks and commits its rows, and admissions share that key.

const IMPORT_KEY = 'members:import';

export interface PersonKeys {
  surname: string | null;
  name: string | null;
  birthDate: string | null;
  snils: string | null;
  phone: string | null;
  email: string | null;
}

/** Locks the identity of a person about to be admitted, until the transaction ends. */
export async function lockPerson(trx: Knex.Transaction, person: PersonKeys): Promise<void> {
  await lockAll(trx, [IMPORT_KEY], true);
  const keys = [
    person.surname &&
      person.name &&
      person.birthDate &&
      `person:${matchKey(person.surname)}|${matchKey(person.name)}|${person.birthDate}`,
    person.snils && `snils:${person.snils}`,
    person.phone && `phone:${person.phone}`,
    person.email && `email:${person.email.toLowerCase()}`,
  ];
  await lockAll(
    trx,
    keys.filter((k): k is string => !!k),
    false,
  );
}

/** Makes admissions wait while an import checks the registry and commits its rows. */
export async function lockForImport(trx: Knex.Transaction): Promise<void> {
  await lockAll(trx, [IMPORT_KEY], false);
}
