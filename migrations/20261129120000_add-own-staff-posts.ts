// The paid staff of an organization's own apparatus, split as forms.md says (2-СП/1-СП section IV):
// specialists, accountants, legal and labour-safety inspectors. 'staff' stays for staff of any other
// kind (and for the rows recorded before the split), counted in the total only.
import type { Knex } from 'knex';

const OLD_POSTS = ['chair', 'deputy', 'committee', 'audit', 'group_organizer', 'safety_rep', 'presidium', 'commission', 'staff', 'volunteer_inspector'];
const STAFF_KINDS = ['staff_specialist', 'staff_accountant', 'staff_legal_inspector', 'staff_safety_inspector'];
const postCheck = (posts: string[]) => `CHECK (post IN (${posts.map((p) => `'${p}'`).join(',')}))`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE org_officers DROP CONSTRAINT org_officers_post_check');
  await knex.raw(`ALTER TABLE org_officers ADD CONSTRAINT org_officers_post_check ${postCheck([...OLD_POSTS, ...STAFF_KINDS])}`);
}

export async function down(knex: Knex): Promise<void> {
  // the split is lost going down: every paid staff member becomes 'staff' again
  await knex.raw(`UPDATE org_officers SET post = 'staff' WHERE post IN (${STAFF_KINDS.map((p) => `'${p}'`).join(',')})`);
  await knex.raw('ALTER TABLE org_officers DROP CONSTRAINT org_officers_post_check');
  await knex.raw(`ALTER TABLE org_officers ADD CONSTRAINT org_officers_post_check ${postCheck(OLD_POSTS)}`);
}
