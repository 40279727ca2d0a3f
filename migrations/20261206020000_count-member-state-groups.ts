// Issue 15, item 1: the first union report of a new date waits for the member state of that date, ~583,000
// rows grouped from 3.59 M periods of 4 M (member-state-cache.ts). The planner multiplied the distinct counts
// of the grouping columns as if they were independent (a card's ППО follows from its organization): for one
// part of the build, 1.77 M periods in 286,180 groups, it expected 2.84 M groups, sized the hash table for
// them (131 MB instead of 57 MB) and, asked for the rows in organization order, sorted all 1.77 M periods
// instead of the groups. An `ndistinct` statistic over the columns tells it how their values go together
// (590,000 expected). PostgreSQL counts the two booleans, and the youth of a period on the date (which no
// statistic can hold), as two values each beside it.
import type { Knex } from 'knex';
import { MEMBER_STATE_GROUP_COLUMNS } from '../src/db/shared-constants';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    `CREATE STATISTICS member_periods_state_groups (ndistinct) ON ${MEMBER_STATE_GROUP_COLUMNS.join(', ')} FROM member_periods`,
  );
  // filled by the next ANALYZE; now, not when autovacuum next gets to 4 M rows
  await knex.raw('ANALYZE member_periods');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP STATISTICS member_periods_state_groups');
}
