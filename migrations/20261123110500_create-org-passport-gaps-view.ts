// Which mandatory passport fields each open organization lacks. A view, so the passport, the
// structure tab and the dashboards count gaps by one definition; subtree filters push into it.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE VIEW org_passport_gaps AS
    SELECT o.id,
           o.path,
           o.level,
           head.id IS NULL AS no_chair,
           head.id IS NOT NULL AND head.term_until IS NULL AS no_chair_term,
           coalesce(head.term_until < current_date, false) AS chair_term_expired,
           o.email IS NULL AND o.level NOT IN ('subdivision', 'group') AS no_email,
           o.level = 'primary' AND NOT EXISTS (SELECT 1 FROM org_headcounts h WHERE h.organization_id = o.id) AS no_headcount
      FROM organizations o
      LEFT JOIN org_officers head
        ON head.organization_id = o.id AND head.ended_on IS NULL
       AND head.post = CASE WHEN o.level = 'group' THEN 'group_organizer' ELSE 'chair' END
     WHERE o.liquidated_on IS NULL AND o.level <> 'union'`);
  await knex.raw("CREATE UNIQUE INDEX org_officers_one_group_organizer ON org_officers (organization_id) WHERE post = 'group_organizer' AND ended_on IS NULL");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX org_officers_one_group_organizer');
  await knex.raw('DROP VIEW org_passport_gaps');
}
