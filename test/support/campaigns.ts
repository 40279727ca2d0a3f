import type { Knex } from 'knex';
import type { OrgRow } from '../../src/registry/org-row';

/**
 * A report-and-election campaign declared at `declaredAt` for the ППО, with an open task for each of `tasksFor`
 * (the route fixtures' campaign: its pages and forms answer for those organizations). Returns its id.
 */
export async function createOpenCampaign(db: Knex, declaredAt: OrgRow, tasksFor: OrgRow[]): Promise<number> {
  const deadline = '2026-12-01';
  const [{ id }] = await db('campaigns')
    .insert({ organization_id: declaredAt.id, name: 'Отчёты и выборы', starts_on: '2026-01-01', ends_on: '2026-12-31' })
    .returning('id');
  await db('campaign_levels').insert({ campaign_id: id, level: 'primary', deadline });
  await db('campaign_tasks').insert(
    tasksFor.map((o) => ({ campaign_id: id, organization_id: o.id, level: 'primary', deadline })),
  );
  return id;
}
