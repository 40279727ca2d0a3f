// Issue 21, review: a campaign task's postponements, each with the day it was recorded. A task's state on a
// date used the latest postponed date for every date, and the result cleared it: a task overdue on 10 March
// and postponed on 20 March read as scheduled on 10–20 March, and once held its postponed weeks read overdue.
// A postponement now counts only from the day it was recorded, and stays when the result is recorded.
// campaign_tasks.postponed_to / postponed_reason keep the latest one (the task's page, the reminders).
// (Named to sort after create-campaigns: migrations run in the order of their names.)
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE campaign_postponements (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      campaign_id integer NOT NULL,
      organization_id integer NOT NULL,
      recorded_on date NOT NULL,
      postponed_to date NOT NULL,
      reason text NOT NULL,
      recorded_by integer REFERENCES users (id) ON DELETE SET NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      FOREIGN KEY (campaign_id, organization_id) REFERENCES campaign_tasks (campaign_id, organization_id)
        ON DELETE CASCADE
    )`);
  // the state on a date reads a task's latest postponement recorded by then
  await knex.raw(
    'CREATE INDEX campaign_postponements_task_idx ON campaign_postponements (campaign_id, organization_id, recorded_on)',
  );
  // the postponements recorded so far: on the day of their recording (the session's zone is the union's)
  await knex.raw(`
    INSERT INTO campaign_postponements (campaign_id, organization_id, recorded_on, postponed_to, reason, recorded_by, recorded_at)
    SELECT campaign_id, organization_id, coalesce(recorded_at, now())::date, postponed_to, postponed_reason, recorded_by,
           coalesce(recorded_at, now())
      FROM campaign_tasks WHERE outcome = 'postponed'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE campaign_postponements');
}
