// The union's maintained statistics count an officer once, in the block of their first post (union-stats):
// a changed post now forgets the blocks of the other posts of the same person — the same member card or the
// same non-member person — instead of posts with the same typed name; and a non-member person's changed sex
// or birth date forgets the blocks of their posts, as a member card's does.
import type { Knex } from 'knex';

const officersFunction = (samePerson: string) => `
  CREATE OR REPLACE FUNCTION union_stats_forget_org_officers() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP <> 'DELETE' THEN ${forget('new_rows', samePerson)} END IF;
    IF TG_OP <> 'INSERT' THEN ${forget('old_rows', samePerson)} END IF;
    RETURN NULL;
  END $$`;
const forget = (rows: string, samePerson: string) => `
    IF union_stats_kept((SELECT min(least(elected_on, ended_on, trained_on)) FROM ${rows})) THEN
      PERFORM union_stats_forget(ARRAY(
                SELECT f.organization_id >> 9 FROM org_officers f JOIN ${rows} c ON f.member_id = c.member_id
                UNION SELECT f.organization_id >> 9 FROM org_officers f JOIN ${rows} c ON ${samePerson}
                UNION SELECT organization_id >> 9 FROM ${rows}),
              (SELECT min(least(elected_on, ended_on, trained_on)) FROM ${rows}));
    END IF;`;
const BY_PERSON = 'f.person_id = c.person_id';
const BY_NAMES = `c.member_id IS NULL AND f.member_id IS NULL
                         AND lower(f.surname || ' ' || f.name || ' ' || coalesce(f.patronymic, '')) = lower(c.surname || ' ' || c.name || ' ' || coalesce(c.patronymic, ''))`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(officersFunction(BY_PERSON));
  await knex.raw(`
    CREATE FUNCTION union_stats_forget_officer_nonmember() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF union_stats_kept('-infinity') THEN
        PERFORM union_stats_forget(ARRAY(SELECT DISTINCT organization_id >> 9 FROM org_officers WHERE person_id = NEW.id), '-infinity');
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE TRIGGER union_stats_officer_nonmember AFTER UPDATE OF sex, birth_date ON persons
                  FOR EACH ROW WHEN (OLD.sex IS DISTINCT FROM NEW.sex OR OLD.birth_date IS DISTINCT FROM NEW.birth_date)
                  EXECUTE FUNCTION union_stats_forget_officer_nonmember()`);
  // the other posts of a person are found through person_id (org_officers_person_idx), no longer by names
  await knex.raw('DROP INDEX org_officers_names_idx');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX org_officers_names_idx ON org_officers (lower(surname || ' ' || name || ' ' || coalesce(patronymic, ''))) WHERE member_id IS NULL`);
  await knex.raw('DROP TRIGGER union_stats_officer_nonmember ON persons');
  await knex.raw('DROP FUNCTION union_stats_forget_officer_nonmember()');
  await knex.raw(officersFunction(BY_NAMES));
}
