import type { Knex } from 'knex';
import { todayIso } from '../../src/shared/dates';

/**
 * A meeting of the organization's members written straight into the database (a quorum of more than half),
 * for tests that need one to exist rather than to be scheduled through the pages; returns its id.
 */
export async function insertMeeting(
  db: Knex,
  org: { id: number },
  extra: { held_on?: string; status?: 'scheduled' | 'open' | 'closed'; body?: string; remote_url?: string } = {},
): Promise<number> {
  const [meeting] = await db('meetings')
    .insert({
      organization_id: org.id,
      body: 'general',
      held_on: todayIso(),
      place: 'Актовый зал',
      participants: 'members',
      quorum_num: 1,
      quorum_den: 2,
      quorum_strict: true,
      status: 'open',
      ...extra,
    })
    .returning('id');
  return Number(meeting.id);
}
