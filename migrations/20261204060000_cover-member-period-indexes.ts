// Issue 15, item 5: a report of a region read every period of its ППО on the date through an index and
// then from the table, one heap page per few rows: the biggest region's member cube (152,000 periods, by
// member_periods_ppo_idx) touched 97,000 buffers, each list of the cards behind a failed control as many
// again, and the sizes of its ППО (by member_periods_organization_idx) 97,000 more. The same keys with the
// columns those queries read carried in the index let them read the index alone (the cube 6,900 buffers;
// the table is all-visible but for the pages changed since the last vacuum). Each replaces the narrower
// index of the same key, so every plan that used one can use its successor.
import type { Knex } from 'knex';

const COVERED = [
  {
    name: 'member_periods_ppo_idx',
    key: 'ppo_id, valid_from',
    include: 'valid_to, member_id, category, is_pedagogical, on_parental_leave, sex, birth_date',
  },
  { name: 'member_periods_organization_idx', key: 'organization_id, valid_from', include: 'valid_to, category' },
];

async function replaceIndex(knex: Knex, name: string, key: string, include?: string): Promise<void> {
  await knex.raw(
    `CREATE INDEX ${name}_next ON member_periods (${key})${include ? ` INCLUDE (${include})` : ''}`,
  );
  await knex.raw(`DROP INDEX ${name}`);
  await knex.raw(`ALTER INDEX ${name}_next RENAME TO ${name}`);
}

export async function up(knex: Knex): Promise<void> {
  for (const index of COVERED) await replaceIndex(knex, index.name, index.key, index.include);
}

export async function down(knex: Knex): Promise<void> {
  for (const index of COVERED) await replaceIndex(knex, index.name, index.key);
}
