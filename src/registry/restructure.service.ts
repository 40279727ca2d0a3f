import type { Knex } from 'knex';
import { can, mayCreateChild } from '../access/access';
import type { Principal } from '../access/principal';
import { recordAudit, type AuditContext } from '../audit/audit';
import { deleteSessionsOfUser } from '../auth/logins.service';
import { inTransaction } from '../db/transaction';
import { transferMembers } from '../membership/membership';
import { ValidationError } from '../http/errors';
import { eventDates, sinceCreation, type EventDates } from '../shared/event-dates';
import { formatDate } from '../shared/format';
import { INPO_PATTERN } from '../shared/inpo';
import { pathWithin, regionIdOf } from '../shared/org-paths';
import { roleMay } from '../access/roles';
import { ALLOWED_PARENT_LEVELS, LEVEL_LABELS, mayContain, type EmployerKind, type Level } from './levels';
import { insertOrganization } from './orgs.create';
import { findOrgById, findOrgByInpo, lockOrg, type OrgRow } from './orgs.repo';
import { dateTreeChanges, lastPositionChange } from './tree-history.repo';
import { searchSubtree, type ReceivingRules } from './structure.repo';
import {
  activeMembersOn,
  activeMembersWithin,
  closeOrganization,
  countOpenBelow,
  deleteGrantsOn,
  insertOrgEvent,
  lastDatedEvent,
  listGrantsWithin,
  listOpenChildIds,
  reparentSubtree,
} from './restructure.repo';

/** How many organizations the move and merge picker suggests at once: a few more letters narrow it. */
export const TARGET_SUGGESTIONS = 20;

export interface TargetSuggestion {
  inpo: string;
  name: string;
  parentPath: string | null;
}

export interface Impact {
  organizations: number;
  activeMembers: number;
  grants: { username: string; role: string; organization: string }[];
}

const fieldError = (field: string, message: string) => new ValidationError([{ field, message }]);

function checkMove(principal: Principal, org: OrgRow, newParent: OrgRow) {
  if (!org.parentId) throw fieldError('target', 'Профсоюз нельзя переместить');
  if (newParent.id === org.parentId) throw fieldError('target', 'Организация уже входит в выбранную');
  if (pathWithin(newParent.path, org.path))
    throw fieldError('target', 'Нельзя переместить организацию внутрь неё самой');
  if (!mayContain(newParent, org.level))
    throw fieldError('target', `${LEVEL_LABELS[org.level]} не может входить в состав выбранной организации`);
  if (!can(principal, 'org.restructure', newParent))
    throw fieldError('target', 'Организация с таким ИНПО не найдена в вашей структуре');
}

function checkMerge(org: OrgRow, into: OrgRow) {
  if (pathWithin(into.path, org.path))
    throw fieldError('target', 'Нельзя присоединить организацию к ней самой или к входящей в неё');
  if (into.level !== org.level)
    throw fieldError('target', `Присоединить можно только к организации того же уровня (${LEVEL_LABELS[org.level]})`);
}

function checkLiquidation(org: OrgRow, impact: Impact, transferTo: OrgRow | null) {
  if (!org.parentId) throw fieldError('on', 'Профсоюз нельзя ликвидировать');
  if (impact.organizations > 0)
    throw fieldError(
      'on',
      `В составе есть действующие организации (${impact.organizations}): сначала переместите или ликвидируйте их`,
    );
  if (impact.activeMembers > 0 && !transferTo)
    throw fieldError('transferTo', `На учёте ${impact.activeMembers} чел.: укажите организацию, куда их перевести`);
  if (transferTo?.id === org.id) throw fieldError('transferTo', 'Укажите другую организацию');
  if (transferTo && !['primary', 'subdivision', 'group'].includes(transferTo.level)) {
    throw fieldError('transferTo', 'Члены Профсоюза состоят на учёте в первичной организации или её подразделении');
  }
}

export type Operation = 'move' | 'merge' | 'liquidate';

/** The subtrees in which the user may restructure, without those that lie inside another of them. */
function restructureRoots(principal: Principal): string[] {
  const paths = principal.grants.filter((g) => roleMay(g.role, 'org.restructure')).map((g) => g.organizationPath);
  return [...new Set(paths)].filter((path) => !paths.some((other) => other !== path && pathWithin(path, other)));
}

/**
 * The checks of checkMove / checkMerge that need no query, as rules of the picker's search: applied in its
 * SQL, before the LIMIT (filtered after it, twenty unfit matches hid every fit one behind them).
 */
function receivingRules(org: OrgRow, operation: 'move' | 'merge'): ReceivingRules {
  return {
    notWithin: org.path,
    notId: operation === 'move' ? org.parentId : null,
    primaryNeedsTerritorialRights: operation === 'move' && org.level === 'primary',
  };
}

/**
 * Create, move, merge and liquidate: each one audited transaction, each previewed first. The operation
 * locks the organizations it changes and checks them again as they are inside its transaction (the
 * preview's checks may be stale: two merges of one organization both moved its members).
 */
export function createRestructureService(db: Knex, dates: EventDates = eventDates()) {
  async function impactOf(org: OrgRow, trx: Knex = db): Promise<Impact> {
    return { ...(await countOpenBelow(trx, org)), grants: await listGrantsWithin(trx, org.path) };
  }

  /** The other organization of a move or merge, given by ИНПО: must exist, be open and be the user's to restructure. */
  async function targetByInpo(principal: Principal, inpo: string, field: string): Promise<OrgRow> {
    const target = INPO_PATTERN.test(inpo) ? await findOrgByInpo(db, inpo) : undefined;
    if (!target || !can(principal, 'org.restructure', target))
      throw fieldError(field, 'Организация с таким ИНПО не найдена в вашей структуре');
    if (target.liquidatedOn) throw fieldError(field, 'Эта организация ликвидирована');
    return target;
  }

  /** Grants on closed organizations are withdrawn: nobody keeps rights through an organization that no longer exists. */
  async function withdrawGrants(trx: Knex.Transaction, ctx: AuditContext, org: OrgRow) {
    for (const grant of await deleteGrantsOn(trx, org.id)) {
      // narrower grants end the user's sessions (security.md): pages open in them must not outlive the right
      await deleteSessionsOfUser(trx, grant.userId);
      await recordAudit(trx, ctx, {
        action: 'grant.withdrawn',
        entity: 'user',
        entityId: grant.userId,
        organizationId: org.id,
        oldValues: { role: grant.role, organizationId: org.id },
      });
    }
  }

  /**
   * Moves are dated, and the tree's history (what past reports read) must stay a sequence: a move may
   * not be dated before a later one already recorded for an organization it carries along.
   */
  async function checkTreeDate(org: OrgRow, target: OrgRow, operation: 'move' | 'merge', on: string, trx: Knex = db) {
    const since = await lastPositionChange(trx, org.path, target.id, operation === 'merge');
    if (since && on < since)
      throw fieldError(
        'on',
        `Дата не может быть раньше ${formatDate(since)}: с этой даты действует последнее перемещение в этой части структуры`,
      );
  }

  /**
   * The operation's date: not before the organizations it joins were created, nor before the
   * organization's last dated event (a rename is dated by the day it was typed in, so it does not count),
   * and not beyond the near future.
   */
  async function checkDate(operation: Operation, org: OrgRow, other: OrgRow | null, on: string, trx: Knex = db) {
    const what =
      operation === 'move' ? 'создания новой вышестоящей организации' : 'создания организации, принимающей членов';
    dates.check('on', on, [
      sinceCreation(org.createdOn),
      { on: other?.createdOn, what },
      { on: await lastDatedEvent(trx, org.id), what: 'предыдущего события организации' },
    ]);
  }

  /** The organizations of an operation locked in id order and read again; closed ones are refused. */
  async function lockOpen(trx: Knex.Transaction, orgs: OrgRow[]): Promise<OrgRow[]> {
    const locked = new Map<number, OrgRow>();
    for (const org of [...orgs].sort((a, b) => a.id - b.id)) locked.set(org.id, (await lockOrg(trx, org.id))!);
    return orgs.map((org) => {
      const current = locked.get(org.id)!;
      if (current.liquidatedOn)
        throw fieldError(org === orgs[0] ? 'on' : 'target', `Организация ${current.inpo} уже ликвидирована`);
      return current;
    });
  }

  async function reparent(trx: Knex.Transaction, org: OrgRow, newParent: OrgRow, on: string) {
    // The tree's history (the trigger on organizations) records the new positions from `on`.
    await dateTreeChanges(trx, on);
    await reparentSubtree(trx, org, newParent);
  }

  /**
   * The organizations a move or merge of `org` may go to whose name or ИНПО begins with `q`, within the
   * subtrees the user may restructure: open ones of a level that may receive `org`, with where they sit.
   */
  async function targetSuggestions(
    principal: Principal,
    org: OrgRow,
    operation: 'move' | 'merge',
    q: string,
  ): Promise<TargetSuggestion[]> {
    const openOfLevels = operation === 'move' ? ALLOWED_PARENT_LEVELS[org.level] : [org.level];
    const found = new Map<number, TargetSuggestion & { name: string }>();
    for (const root of restructureRoots(principal)) {
      const { items } = await searchSubtree(
        db,
        root,
        { q, filter: null, after: null, openOfLevels, receiving: receivingRules(org, operation) },
        TARGET_SUGGESTIONS,
      );
      for (const item of items) found.set(item.id, { inpo: item.inpo, name: item.name, parentPath: item.parentPath });
    }
    return [...found.values()].sort((a, b) => a.name.localeCompare(b.name, 'ru')).slice(0, TARGET_SUGGESTIONS);
  }

  /** The region `org` would pass into with `target` (its name), or null when it stays in its region. */
  async function regionChange(org: OrgRow, target: OrgRow): Promise<string | null> {
    const regionId = regionIdOf(target.path);
    if (!org.parentId || !Number.isInteger(regionId) || regionId === regionIdOf(org.path)) return null;
    const region = await findOrgById(db, regionId);
    return region ? region.name : null;
  }

  return {
    impactOf,
    targetByInpo,
    targetSuggestions,
    regionChange,

    async createChild(
      principal: Principal,
      ctx: AuditContext,
      parent: OrgRow,
      input: {
        level: Level;
        name: string;
        shortName: string | null;
        employerKind: EmployerKind | null;
        hasTerritorialRights: boolean;
      },
      today: string,
    ) {
      if (!mayCreateChild(principal, parent, input.level))
        throw fieldError('level', 'Вы не можете создавать организации этого уровня здесь');
      if (!mayContain(parent, input.level))
        throw fieldError('level', `${LEVEL_LABELS[input.level]} не может входить в состав этой организации`);
      return inTransaction(db, async (trx) => {
        const created = await insertOrganization(trx, {
          parentId: parent.id,
          level: input.level,
          name: input.name,
          shortName: input.shortName,
          employerKind: input.employerKind,
          hasTerritorialRights: input.level === 'primary' && input.hasTerritorialRights,
          createdOn: today,
        });
        await insertOrgEvent(trx, {
          organizationId: created.id,
          kind: 'created',
          on: today,
          newParentId: parent.id,
          newName: created.name,
          actorUserId: ctx.actorUserId,
        });
        await recordAudit(trx, ctx, {
          action: 'org.created',
          entity: 'organization',
          entityId: created.id,
          organizationId: created.id,
          newValues: { ...input, inpo: created.inpo, parentInpo: parent.inpo },
        });
        return created;
      });
    },

    checkMove,
    checkMerge,
    checkTreeDate,
    checkLiquidation,
    checkDate,

    async move(principal: Principal, ctx: AuditContext, given: OrgRow, target: OrgRow, on: string) {
      await inTransaction(db, async (trx) => {
        const [org, newParent] = (await lockOpen(trx, [given, target])) as [OrgRow, OrgRow];
        checkMove(principal, org, newParent);
        await checkDate('move', org, newParent, on, trx);
        await checkTreeDate(org, newParent, 'move', on, trx);
        const impact = await impactOf(org, trx);
        await reparent(trx, org, newParent, on);
        await insertOrgEvent(trx, {
          organizationId: org.id,
          kind: 'moved',
          on,
          oldParentId: org.parentId,
          newParentId: newParent.id,
          actorUserId: ctx.actorUserId,
        });
        await recordAudit(trx, ctx, {
          action: 'org.moved',
          entity: 'organization',
          entityId: org.id,
          organizationId: org.id,
          oldValues: { parentId: org.parentId },
          newValues: {
            parentId: newParent.id,
            on,
            organizations: impact.organizations,
            activeMembers: impact.activeMembers,
          },
        });
      });
    },

    /** The merged organization's children and members pass to `into`; it stays as a closed record with its ИНПО. */
    async merge(ctx: AuditContext, given: OrgRow, target: OrgRow, on: string) {
      return inTransaction(db, async (trx) => {
        const [org, into] = (await lockOpen(trx, [given, target])) as [OrgRow, OrgRow];
        checkMerge(org, into);
        await checkDate('merge', org, into, on, trx);
        await checkTreeDate(org, into, 'merge', on, trx);
        const children = await listOpenChildIds(trx, org.id);
        for (const id of children) {
          await reparent(trx, (await findOrgById(trx, id))!, into, on);
          await insertOrgEvent(trx, {
            organizationId: id,
            kind: 'moved',
            on,
            oldParentId: org.id,
            newParentId: into.id,
            actorUserId: ctx.actorUserId,
          });
        }
        const membersMoved = await transferMembers(trx, activeMembersOn(trx, org.id), into.id, {
          on,
          actorUserId: ctx.actorUserId,
          reason: `Присоединение организации ${org.inpo}`,
        });
        await closeOrganization(trx, org.id, on, into.id);
        await withdrawGrants(trx, ctx, org);
        await insertOrgEvent(trx, {
          organizationId: org.id,
          kind: 'merged',
          on,
          mergedIntoId: into.id,
          membersMoved,
          actorUserId: ctx.actorUserId,
        });
        await recordAudit(trx, ctx, {
          action: 'org.merged',
          entity: 'organization',
          entityId: org.id,
          organizationId: org.id,
          newValues: { mergedInto: into.inpo, on, childrenMoved: children.length, membersMoved },
        });
        return { childrenMoved: children.length, membersMoved };
      });
    },

    /** Only an organization without open children; its active members go to `transferTo` or the liquidation is refused. */
    async liquidate(ctx: AuditContext, given: OrgRow, on: string, receiver: OrgRow | null) {
      return inTransaction(db, async (trx) => {
        const [org, transferTo = null] = (await lockOpen(trx, receiver ? [given, receiver] : [given])) as [
          OrgRow,
          OrgRow?,
        ];
        checkLiquidation(org, await impactOf(org, trx), transferTo);
        await checkDate('liquidate', org, transferTo, on, trx);
        let membersMoved = 0;
        if (transferTo) {
          membersMoved = await transferMembers(trx, activeMembersWithin(trx, org.path), transferTo.id, {
            on,
            actorUserId: ctx.actorUserId,
            reason: `Ликвидация организации ${org.inpo}`,
          });
        }
        await closeOrganization(trx, org.id, on);
        await withdrawGrants(trx, ctx, org);
        await insertOrgEvent(trx, {
          organizationId: org.id,
          kind: 'liquidated',
          on,
          mergedIntoId: transferTo?.id ?? null,
          membersMoved,
          actorUserId: ctx.actorUserId,
        });
        await recordAudit(trx, ctx, {
          action: 'org.liquidated',
          entity: 'organization',
          entityId: org.id,
          organizationId: org.id,
          newValues: { on, membersMoved, transferTo: transferTo?.inpo ?? null },
        });
        return { membersMoved };
      });
    },
  };
}
