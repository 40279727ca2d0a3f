// The one place that writes an elected officer. An officer is a person: a member card (sex and birth date
// from the card) or a person outside the registry with sex and birth date recorded. Written as the owner,
// like the other fixtures, so that a member may hold posts in several ППО of different subtrees.
import type { Knex } from 'knex';
import type { Officer, UnionModel } from './model';

export async function addOfficer(db: Knex, model: UnionModel, officer: Officer, names: { surname: string; name: string }) {
  const memberId = officer.person.startsWith('m:') ? Number(officer.person.slice(2)) : null;
  await db('org_officers').insert({
    organization_id: model.org(officer.org).id, post: officer.post, surname: names.surname, name: names.name,
    member_id: memberId, sex: memberId ? null : officer.sex, birth_date: memberId ? null : officer.birth,
    elected_on: officer.electedOn, ended_on: officer.endedOn ?? null, salaried: officer.salaried ?? false, trained_on: officer.trainedOn ?? null,
  });
  model.officers.push(officer);
}
