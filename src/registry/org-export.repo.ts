import type { Knex } from 'knex';
import { currentOfficerNames } from './passport.repo';

/** The subtree's open organizations in tree order, with the parent's ИНПО, the chair and the members on record (streamed). */
export function organizationsForExport(db: Knex, rootPath: string) {
  // the chair as their card or person is named now
  const chair = currentOfficerNames(db, 'ch', 'chm', 'chp');
  return db('organizations as o')
    .leftJoin('organizations as p', 'p.id', 'o.parent_id')
    .leftJoin('org_officers as ch', function joinChair() {
      this.on('ch.organization_id', 'o.id').andOnNull('ch.ended_on').andOnIn('ch.post', ['chair', 'group_organizer']);
    })
    .leftJoin('members as chm', 'chm.id', 'ch.member_id')
    .leftJoin('persons as chp', 'chp.id', 'ch.person_id')
    .whereRaw('o.path <@ ?::ltree', [rootPath])
    .whereNull('o.liquidated_on')
    .orderBy('o.path')
    .select(
      'o.inpo',
      'p.inpo as parent_inpo',
      'o.level',
      'o.name',
      'o.short_name',
      'o.employer_kind',
      'o.employer_inn',
      'o.address',
      'o.phone',
      'o.email',
      'o.website',
      'o.has_territorial_rights',
      'o.liquidated_on',
      'ch.term_until',
      db.raw('(SELECT count(*) FROM members m WHERE m.organization_id = o.id AND m.left_on IS NULL) AS members'),
    )
    .select({ surname: chair.surname, chair_name: chair.name, patronymic: chair.patronymic });
}
