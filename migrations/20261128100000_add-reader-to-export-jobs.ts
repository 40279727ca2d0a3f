// A background export runs minutes after its request, with the requester's rights as they were then
// (issue 11, item 1): the job keeps the subtrees in which the requester could open member cards at the
// request, so that a list as of a past date restricts the same rows as the page did; the worker narrows
// them to the grants still held when it runs. NULL for jobs queued before this column: the worker then
// uses the grants of that moment.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE export_jobs ADD COLUMN viewer_paths text[]');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE export_jobs DROP COLUMN viewer_paths');
}
