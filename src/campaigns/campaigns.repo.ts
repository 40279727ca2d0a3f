import type { Knex } from 'knex';
import { TASK_LIST_LIMIT, type TaskState } from './campaigns.schemas';

export interface CampaignRow {
  id: number;
  organizationId: number;
  organizationPath: string;
  organizationInpo: string;
  organizationName: string;
  name: string;
  startsOn: string;
  endsOn: string;
  deadlines: { level: string; deadline: string }[];
}

export interface TaskRow {
  campaignId: number;
  organizationId: number;
  level: string;
  deadline: string;
  outcome: 'held' | 'postponed' | null;
  bodyKind: 'meeting' | 'conference' | null;
  heldOn: string | null;
  protocolNumber: string | null;
  protocolDate: string | null;
  chairOfficerId: number | null;
  postponedReason: string | null;
  postponedTo: string | null;
}

/** A task's figures on a date (`:on`), over `campaign_tasks t`: held by then, else ahead of or past its date. */
const HELD = "coalesce(t.outcome = 'held' AND t.held_on <= :on::date, false)";
/**
 * Its date as it stood on `:on`: the new date of the latest postponement recorded by then, else the level's
 * deadline — postponed on 20 March, a task past its 10 March deadline stays overdue on 15 March, and the
 * result recorded later leaves the postponed weeks scheduled. The task's own latest `postponed_to` spares the
 * tasks never postponed the probe.
 */
const DUE_ON = `CASE WHEN t.postponed_to IS NULL THEN t.deadline ELSE coalesce(
    (SELECT p.postponed_to FROM campaign_postponements p
      WHERE p.campaign_id = t.campaign_id AND p.organization_id = t.organization_id AND p.recorded_on <= :on::date
      ORDER BY p.recorded_on DESC, p.id DESC LIMIT 1),
    t.deadline) END`;
/** Its date as it stands now, for a task with no result (the reminders): the latest postponement's, else the deadline. */
const DUE = "coalesce(CASE WHEN t.outcome = 'postponed' THEN t.postponed_to END, t.deadline)";
export const STATE_SQL: Record<TaskState, string> = {
  held: HELD,
  scheduled: `(NOT ${HELD} AND ${DUE_ON} >= :on::date)`,
  overdue: `(NOT ${HELD} AND ${DUE_ON} < :on::date)`,
};
const COUNTS = `count(*)::int AS "inScope",
       count(*) FILTER (WHERE ${STATE_SQL.held})::int AS held,
       count(*) FILTER (WHERE ${STATE_SQL.scheduled})::int AS scheduled,
       count(*) FILTER (WHERE ${STATE_SQL.overdue})::int AS overdue`;

export interface Counts {
  inScope: number;
  held: number;
  scheduled: number;
  overdue: number;
}

function selectCampaigns(db: Knex) {
  return db('campaigns as c')
    .join('organizations as o', 'o.id', 'c.organization_id')
    .select({
      id: 'c.id',
      organizationId: 'c.organization_id',
      organizationPath: db.raw('o.path::text'),
      organizationInpo: 'o.inpo',
      organizationName: 'o.name',
      name: 'c.name',
      startsOn: 'c.starts_on',
      endsOn: 'c.ends_on',
      deadlines: db.raw(
        `(SELECT coalesce(json_agg(json_build_object('level', l.level, 'deadline', l.deadline) ORDER BY l.deadline, l.level), '[]')
            FROM campaign_levels l WHERE l.campaign_id = c.id)`,
      ),
    });
}

export async function findCampaign(db: Knex, id: number): Promise<CampaignRow | undefined> {
  return selectCampaigns(db).where('c.id', id).first();
}

/** The campaigns declared at the organization or above it, newest first. */
export async function listCampaigns(db: Knex, orgPath: string): Promise<CampaignRow[]> {
  return selectCampaigns(db)
    .whereRaw('o.path @> ?::ltree', [orgPath])
    .orderBy('c.starts_on', 'desc')
    .orderBy('c.id', 'desc');
}

export async function insertCampaign(
  trx: Knex.Transaction,
  row: { organizationId: number; name: string; startsOn: string; endsOn: string; createdBy: number | null },
  deadlines: { level: string; deadline: string }[],
): Promise<number> {
  const [{ id }] = await trx('campaigns')
    .insert({
      organization_id: row.organizationId,
      name: row.name,
      starts_on: row.startsOn,
      ends_on: row.endsOn,
      created_by: row.createdBy,
    })
    .returning('id');
  await trx('campaign_levels').insert(deadlines.map((d) => ({ campaign_id: id, ...d })));
  return id;
}

/** Every open organization of the levels in scope in the declaring organization's subtree gets its task, in one statement. */
export async function insertCampaignTasks(
  trx: Knex.Transaction,
  campaignId: number,
  rootPath: string,
): Promise<number> {
  const result = await trx.raw(
    `INSERT INTO campaign_tasks (campaign_id, organization_id, level, deadline)
     SELECT l.campaign_id, o.id, o.level, l.deadline
       FROM campaign_levels l JOIN organizations o ON o.level = l.level
      WHERE l.campaign_id = ? AND o.path <@ ?::ltree AND o.liquidated_on IS NULL`,
    [campaignId, rootPath],
  );
  return result.rowCount ?? 0;
}

const TASK_COLUMNS = {
  campaignId: 'campaign_id',
  organizationId: 'organization_id',
  level: 'level',
  deadline: 'deadline',
  outcome: 'outcome',
  bodyKind: 'body_kind',
  heldOn: 'held_on',
  protocolNumber: 'protocol_number',
  protocolDate: 'protocol_date',
  chairOfficerId: 'chair_officer_id',
  postponedReason: 'postponed_reason',
  postponedTo: 'postponed_to',
};

/** The organization's task in the campaign; `lock` keeps it from changing until the transaction ends. */
export async function findTask(
  db: Knex,
  campaignId: number,
  organizationId: number,
  lock = false,
): Promise<TaskRow | undefined> {
  const query = db('campaign_tasks')
    .where({ campaign_id: campaignId, organization_id: organizationId })
    .first(TASK_COLUMNS);
  return lock ? query.forUpdate() : query;
}

export async function saveTaskOutcome(
  trx: Knex.Transaction,
  campaignId: number,
  organizationId: number,
  values: Partial<Omit<TaskRow, 'campaignId' | 'organizationId' | 'level' | 'deadline'>>,
  userId: number | null,
): Promise<void> {
  const row: Record<string, unknown> = { recorded_by: userId, recorded_at: trx.fn.now() };
  for (const [key, value] of Object.entries(values)) row[TASK_COLUMNS[key as keyof typeof TASK_COLUMNS]] = value;
  await trx('campaign_tasks').where({ campaign_id: campaignId, organization_id: organizationId }).update(row);
}

/** A postponement with the day it was recorded: from that day on the task's date is the new one. */
export async function insertPostponement(
  trx: Knex.Transaction,
  row: { campaignId: number; organizationId: number; recordedOn: string; postponedTo: string; reason: string },
  userId: number | null,
): Promise<void> {
  await trx('campaign_postponements').insert({
    campaign_id: row.campaignId,
    organization_id: row.organizationId,
    recorded_on: row.recordedOn,
    postponed_to: row.postponedTo,
    reason: row.reason,
    recorded_by: userId,
  });
}

export interface ChildProgress extends Counts {
  id: number;
  inpo: string;
  name: string;
  level: string;
  /** the root's own task, listed before its children */
  own: boolean;
}

/**
 * The campaign's tasks in the root's subtree on a date, per child of the root (its own task apart) and per
 * level: one pass over the tasks each, grouped.
 */
export async function progressOn(db: Knex, campaignId: number, rootPath: string, on: string) {
  const bindings = { campaignId, root: rootPath, on };
  const children = await db.raw(
    `SELECT c.id, c.inpo, c.name, c.level, c.path = :root::ltree AS own, ${COUNTS}
       FROM campaign_tasks t
       JOIN organizations o ON o.id = t.organization_id
       JOIN organizations c ON c.path = subpath(o.path, 0, least(nlevel(o.path), nlevel(:root::ltree) + 1))
      WHERE t.campaign_id = :campaignId AND o.path <@ :root::ltree
      GROUP BY c.id ORDER BY own DESC, c.name, c.id`,
    bindings,
  );
  const levels = await db.raw(
    `SELECT t.level, ${COUNTS}
       FROM campaign_tasks t JOIN organizations o ON o.id = t.organization_id
      WHERE t.campaign_id = :campaignId AND o.path <@ :root::ltree
      GROUP BY t.level`,
    bindings,
  );
  return { children: children.rows as ChildProgress[], levels: levels.rows as (Counts & { level: string })[] };
}

export interface TaskListRow {
  organizationId: number;
  inpo: string;
  name: string;
  level: string;
  deadline: string;
  outcome: string | null;
  heldOn: string | null;
  postponedTo: string | null;
  postponedReason: string | null;
  state: TaskState;
}

/** The tasks of the root's subtree in a state on a date (and of a level), by name: what a progress figure counts. */
export async function listTasks(
  db: Knex,
  campaignId: number,
  rootPath: string,
  on: string,
  filter: { state?: TaskState; level?: string },
): Promise<TaskListRow[]> {
  const { rows } = await db.raw(
    `SELECT o.id AS "organizationId", o.inpo, o.name, t.level, t.deadline, t.outcome, t.held_on AS "heldOn",
            t.postponed_to AS "postponedTo", t.postponed_reason AS "postponedReason",
            CASE WHEN ${STATE_SQL.held} THEN 'held' WHEN ${STATE_SQL.overdue} THEN 'overdue' ELSE 'scheduled' END AS state
       FROM campaign_tasks t JOIN organizations o ON o.id = t.organization_id
      WHERE t.campaign_id = :campaignId AND o.path <@ :root::ltree
        ${filter.state ? `AND ${STATE_SQL[filter.state]}` : ''}
        ${filter.level ? 'AND t.level = :level' : ''}
      ORDER BY o.name, o.id LIMIT ${TASK_LIST_LIMIT}`,
    { campaignId, root: rootPath, on, level: filter.level ?? null },
  );
  return rows;
}

/** The organizations in scope (root's subtree) whose present chair's term ends before the campaign's end. */
export async function chairTermsEndingBy(db: Knex, campaignId: number, rootPath: string, endsOn: string) {
  const { rows } = await db.raw(
    `SELECT o.inpo, o.name, o.level, f.term_until AS "termUntil", t.outcome, t.held_on AS "heldOn"
       FROM campaign_tasks t
       JOIN organizations o ON o.id = t.organization_id
       JOIN org_officers f ON f.organization_id = o.id AND f.post = 'chair' AND f.ended_on IS NULL
      WHERE t.campaign_id = :campaignId AND o.path <@ :root::ltree AND f.term_until < :endsOn::date
      ORDER BY f.term_until, o.name LIMIT ${TASK_LIST_LIMIT}`,
    { campaignId, root: rootPath, endsOn },
  );
  return rows as {
    inpo: string;
    name: string;
    level: string;
    termUntil: string;
    outcome: string | null;
    heldOn: string | null;
  }[];
}

/** The campaigns in which the organization has a task, newest first (its chair's list of what to hold). */
export async function tasksOf(db: Knex, organizationId: number) {
  return db('campaign_tasks as t')
    .join('campaigns as c', 'c.id', 't.campaign_id')
    .where('t.organization_id', organizationId)
    .orderBy('c.starts_on', 'desc')
    .select({
      campaignId: 'c.id',
      name: 'c.name',
      deadline: 't.deadline',
      outcome: 't.outcome',
      heldOn: 't.held_on',
      postponedTo: 't.postponed_to',
    });
}

/** Who holds a campaign task and hears of its deadline. */
export const TASK_HOLDER_ROLES = ['chair', 'coordinator'];

/**
 * Tasks with no result whose date (the level's deadline, or the date it was postponed to) falls in
 * [from, to], in organizations still open where a holder (a valid grant, not blocked) has not yet been told
 * under `keyPrefix` — the hourly reminders' reading: those told are skipped in SQL (an index probe per holder).
 */
export async function tasksDueBetween(db: Knex, from: string, to: string, keyPrefix: string) {
  const { rows } = await db.raw(
    `SELECT t.campaign_id AS "campaignId", c.name AS "campaignName", o.id AS "organizationId", o.inpo, o.name,
            o.parent_id AS "parentId", ${DUE} AS due
       FROM campaign_tasks t
       JOIN campaigns c ON c.id = t.campaign_id
       JOIN organizations o ON o.id = t.organization_id
      WHERE t.outcome IS DISTINCT FROM 'held' AND o.liquidated_on IS NULL
        AND ${DUE} BETWEEN :from::date AND :to::date
        AND EXISTS (SELECT 1 FROM role_grants g JOIN users u ON u.id = g.user_id
                     WHERE g.organization_id = o.id AND g.role = ANY(:roles::text[]) AND u.blocked_at IS NULL
                       AND (g.valid_until IS NULL OR g.valid_until >= CURRENT_DATE)
                       AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.user_id = g.user_id
                                          AND n.dedupe_key = :keyPrefix || t.campaign_id || ':' || t.organization_id || ':' || ${DUE}))
      ORDER BY t.campaign_id, o.id`,
    { from, to, keyPrefix, roles: TASK_HOLDER_ROLES },
  );
  return rows as {
    campaignId: number;
    campaignName: string;
    organizationId: number;
    inpo: string;
    name: string;
    parentId: number | null;
    due: string;
  }[];
}

/**
 * The monitoring's figure: for the campaign current on the date declared at the root or above it (the latest
 * begun), per child of the root (and the root's own record), the tasks in scope and those held by the date.
 */
export async function currentCampaignPerChild(db: Knex, rootPath: string, on: string) {
  const campaign = await db('campaigns as c')
    .join('organizations as o', 'o.id', 'c.organization_id')
    .whereRaw('o.path @> ?::ltree', [rootPath])
    .where('c.starts_on', '<=', on)
    .where('c.ends_on', '>=', on)
    .orderBy('c.starts_on', 'desc')
    .orderBy('c.id', 'desc')
    .first({ id: 'c.id', name: 'c.name' });
  if (!campaign) return null;
  const { rows } = await db.raw(
    `SELECT c.id AS "organizationId", count(*)::int AS "inScope", count(*) FILTER (WHERE ${STATE_SQL.held})::int AS held
       FROM campaign_tasks t
       JOIN organizations o ON o.id = t.organization_id
       JOIN organizations c ON c.path = subpath(o.path, 0, least(nlevel(o.path), nlevel(:root::ltree) + 1))
      WHERE t.campaign_id = :campaignId AND o.path <@ :root::ltree
      GROUP BY c.id`,
    { campaignId: campaign.id, root: rootPath, on },
  );
  return {
    id: campaign.id as number,
    name: campaign.name as string,
    perOrganization: rows as { organizationId: number; inScope: number; held: number }[],
  };
}

/**
 * The next `limit` tasks of a campaign after the organization `after` (by id: a keyset walk, an index range
 * each), with what their announcement says: the tasks not yet held, of organizations still open.
 */
export async function tasksToAnnounce(db: Knex, campaignId: number, after: number, limit: number) {
  const { rows } = await db.raw(
    `SELECT o.id AS "organizationId", o.inpo, t.level, t.deadline
       FROM campaign_tasks t JOIN organizations o ON o.id = t.organization_id
      WHERE t.campaign_id = :campaignId AND t.organization_id > :after
        -- said of both sides, so that a merge join starts both at the batch (else it walks the organizations from the first)
        AND o.id > :after
        AND t.outcome IS DISTINCT FROM 'held' AND o.liquidated_on IS NULL
      ORDER BY t.organization_id LIMIT :limit`,
    { campaignId, after, limit },
  );
  return rows as { organizationId: number; inpo: string; level: string; deadline: string }[];
}
