// One person's membership periods must never overlap (a member counts once on any day). The guard was a
// GiST exclusion over (member_id WITH =, daterange WITH &&) through btree_gist, whose generic penalty
// functions made the index build take 136 s over 4 M periods — more than half of loading the full-scale
// union. The same rule is stated here over one box per period, a native GiST opclass that builds in
// 24 s: x is the member, y the days [from, to − ½]. Two such boxes meet exactly when the member is the
// same and the half-open periods [from, to) overlap; an open period reaches a day far in the future.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION membership_period_box(member_id bigint, valid_from date, valid_to date) RETURNS box
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN box(point(member_id, valid_from - date '2000-01-01'), point(member_id, coalesce(valid_to - date '2000-01-01', 1000000) - 0.5))`);
  await knex.raw('ALTER TABLE member_periods DROP CONSTRAINT member_periods_member_id_daterange_excl');
  await knex.raw(`ALTER TABLE member_periods ADD CONSTRAINT member_periods_no_overlap
                  EXCLUDE USING gist (membership_period_box(member_id, valid_from, valid_to) WITH &&)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE member_periods DROP CONSTRAINT member_periods_no_overlap');
  await knex.raw('DROP FUNCTION membership_period_box(bigint, date, date)');
  await knex.raw(`ALTER TABLE member_periods ADD CONSTRAINT member_periods_member_id_daterange_excl
                  EXCLUDE USING gist (member_id WITH =, daterange(valid_from, valid_to) WITH &&)`);
}
