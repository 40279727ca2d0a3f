// The one place that writes an elected officer. An officer is a person: a member card (sex and birth date
// from the card) or a person outside the registry recorded by SNILS with sex and birth date. Written as the
// owner, like the other fixtures, so that a member may hold posts in several ППО of different subtrees.
import type { Knex } from 'knex';
import type { Officer, UnionModel } from './model';

/** The persons table row of each outsider of the model ('p:<n>'), created on their first post. */
const outsiders = new WeakMap<UnionModel, Map<string, number>>();

async function outsiderId(
  db: Knex,
  model: UnionModel,
  officer: Officer,
  names: { surname: string; name: string },
): Promise<number> {
  const known = outsiders.get(model) ?? new Map<string, number>();
  outsiders.set(model, known);
  const id = known.get(officer.person);
  if (id) return id;
  // SNILS numbers of their own (the checksum is not the point here): 800… plus the outsider's number
  const [row] = await db('persons')
    .insert({
      snils: String(80000000000 + known.size + 1),
      surname: names.surname,
      name: names.name,
      sex: officer.sex,
      birth_date: officer.birth,
    })
    .returning('id');
  known.set(officer.person, Number(row.id));
  return Number(row.id);
}

export async function addOfficer(
  db: Knex,
  model: UnionModel,
  officer: Officer,
  names: { surname: string; name: string },
) {
  const memberId = officer.person.startsWith('m:') ? Number(officer.person.slice(2)) : null;
  const personId = memberId ? null : await outsiderId(db, model, officer, names);
  await db('org_officers').insert({
    organization_id: model.org(officer.org).id,
    post: officer.post,
    surname: names.surname,
    name: names.name,
    member_id: memberId,
    person_id: personId,
    elected_on: officer.electedOn,
    ended_on: officer.endedOn ?? null,
    salaried: officer.salaried ?? false,
    trained_on: officer.trainedOn ?? null,
  });
  model.officers.push(officer);
}
