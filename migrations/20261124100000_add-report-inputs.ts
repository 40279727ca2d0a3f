// What the statistical forms need and the registry did not yet record: parental leave as part of the
// membership history (line 10 of 5-СП), the officers' posts of a territorial organization's own bodies
// and the date an activist was last trained (line 32), and the number of educational organizations in
// a territory (line 51 of 2-СП, the denominator of structural coverage).
import type { Knex } from 'knex';

const OLD_POSTS = ['chair', 'deputy', 'committee', 'audit', 'group_organizer', 'safety_rep'];
const NEW_POSTS = [...OLD_POSTS, 'presidium', 'commission', 'staff', 'volunteer_inspector'];
const postCheck = (posts: string[]) => `CHECK (post IN (${posts.map((p) => `'${p}'`).join(',')}))`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE member_periods ADD COLUMN on_parental_leave boolean NOT NULL DEFAULT false');
  await knex.raw('ALTER TABLE members ADD COLUMN on_parental_leave boolean NOT NULL DEFAULT false');
  await knex.raw('ALTER TABLE org_officers DROP CONSTRAINT org_officers_post_check');
  await knex.raw(`ALTER TABLE org_officers ADD CONSTRAINT org_officers_post_check ${postCheck(NEW_POSTS)}`);
  await knex.raw('ALTER TABLE org_officers ADD COLUMN trained_on date');
  await knex.raw('ALTER TABLE org_headcounts ADD COLUMN institutions_total integer CHECK (institutions_total >= 0)');
  // A movement report looks up the periods that ended in a window, per organization.
  await knex.raw('CREATE INDEX member_periods_organization_end_idx ON member_periods (organization_id, valid_to) WHERE valid_to IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX member_periods_organization_end_idx');
  await knex.raw('ALTER TABLE org_headcounts DROP COLUMN institutions_total');
  await knex.raw('ALTER TABLE org_officers DROP COLUMN trained_on');
  await knex.raw('ALTER TABLE org_officers DROP CONSTRAINT org_officers_post_check');
  await knex.raw(`ALTER TABLE org_officers ADD CONSTRAINT org_officers_post_check ${postCheck(OLD_POSTS)}`);
  await knex.raw('ALTER TABLE members DROP COLUMN on_parental_leave');
  await knex.raw('ALTER TABLE member_periods DROP COLUMN on_parental_leave');
}
