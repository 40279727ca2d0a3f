// Meetings of an organization's bodies (issue 21, item 3): the agenda with a decision and its vote per item,
// the participants (every member of the organization, fixed when the meeting opens, or the invited members and
// delegates) with their attendance — by union card, by hand with a reason, or by a personal link with a
// one-time code — and the minutes generated from the `meeting-minutes` document template, kept with the template's
// version. Admissions and exits decided at a meeting name it on their membership event (`meeting_id`).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE meetings (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      organization_id integer NOT NULL REFERENCES organizations(id),
      body text NOT NULL CHECK (body IN ('general','committee','presidium','conference','plenum')),
      held_on date NOT NULL,
      starts_at time,
      place text CHECK (length(place) <= 500),
      remote_url text CHECK (length(remote_url) <= 500),
      participants text NOT NULL CHECK (participants IN ('members','invited')),
      -- the quorum: more than (strict) or at least num/den of the participants
      quorum_num integer NOT NULL CHECK (quorum_num > 0),
      quorum_den integer NOT NULL CHECK (quorum_den >= quorum_num),
      quorum_strict boolean NOT NULL,
      status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled','open','closed')),
      minutes_number text CHECK (length(minutes_number) <= 50),
      created_by integer REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      opened_at timestamptz,
      closed_at timestamptz
    )`);
  await knex.raw('CREATE INDEX meetings_organization_idx ON meetings (organization_id, held_on)');
  await knex.raw(`
    CREATE TABLE meeting_agenda_items (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      meeting_id integer NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
      position integer NOT NULL,
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 1000),
      decision text CHECK (length(decision) <= 5000),
      votes_for integer CHECK (votes_for >= 0),
      votes_against integer CHECK (votes_against >= 0),
      votes_abstained integer CHECK (votes_abstained >= 0),
      UNIQUE (meeting_id, position)
    )`);
  // one row per participant: every member of the organization when the meeting opens, or each invited one;
  // the attendance is the row's registration (once: a second scan finds it registered), and a remote
  // participant's personal link and one-time code are kept only as SHA-256, working once and until they expire
  await knex.raw(`
    CREATE TABLE meeting_participants (
      meeting_id integer NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
      member_id bigint NOT NULL REFERENCES members(id),
      invited boolean NOT NULL,
      registered_at timestamptz,
      method text CHECK (method IN ('card','manual','remote')),
      card_number text,
      reason text CHECK (length(reason) <= 500),
      registered_by integer REFERENCES users(id),
      link_token_hash bytea UNIQUE,
      code_hash bytea,
      code_expires_at timestamptz,
      code_failures integer NOT NULL DEFAULT 0,
      PRIMARY KEY (meeting_id, member_id),
      CHECK ((registered_at IS NULL) = (method IS NULL)),
      CHECK (method IS DISTINCT FROM 'manual' OR reason IS NOT NULL)
    )`);
  await knex.raw(`
    CREATE TABLE meeting_minutes (
      meeting_id integer PRIMARY KEY REFERENCES meetings(id) ON DELETE CASCADE,
      template_kind text NOT NULL,
      template_version integer NOT NULL,
      pdf bytea NOT NULL,
      created_by integer REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw('ALTER TABLE membership_events ADD COLUMN meeting_id integer REFERENCES meetings(id)');
  await knex.raw('CREATE INDEX membership_events_meeting_idx ON membership_events (meeting_id) WHERE meeting_id IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE membership_events DROP COLUMN meeting_id');
  await knex.raw(
    'DROP TABLE meeting_minutes, meeting_participants, meeting_agenda_items, meetings',
  );
}
