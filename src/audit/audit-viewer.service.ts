import type { Knex } from 'knex';
import { authorize } from '../access/access';
import type { Principal } from '../access/principal';
import { roleMay } from '../access/roles';
import type { RowSink } from '../db/stream-rows';
import { ForbiddenError } from '../http/errors';
import type { MemberRow } from '../members/members.repo';
import { findOrgByInpo } from '../registry/organizations.service';
import { streamSheet } from '../shared/streamed-sheet';
import { formatDateTime } from '../shared/format';
import { auditPage, auditRows, type AuditQuery, type AuditRow, type AuditScope } from './audit-viewer.repo';
import { namerFor, nameCode } from './audit-viewer.values';
import {
  actionLabel,
  describeChanges,
  ENTITY_GROUPS,
  ENTITY_LABELS,
  type EntityGroup,
  type ValueNamer,
} from './labels';

export const AUDIT_PAGE_SIZE = 50;

/** The viewer's filter as the form gives it (already checked); `org` is an ИНПО. */
export interface AuditFilter {
  actor: string | null;
  org: string | null;
  action: string | null;
  entity: EntityGroup | null;
  from: string | null;
  to: string | null;
}

/** A row as people read it: who, when, what, and old → new in Russian field names and values. */
function present(row: AuditRow, nameValue: ValueNamer) {
  return {
    ...row,
    actionLabel: actionLabel(row.action),
    entityLabel: ENTITY_LABELS[row.entity] ?? row.entity,
    actor: actorOf(row),
    changes: describeChanges(row.oldValues, row.newValues, nameValue),
  };
}

/** A user, the member themself (an unsubscribe link: no user acted, the row says so) or the system's own job. */
function actorOf(row: AuditRow): string {
  if (row.actorName) return `${row.actorName} (${row.username})`;
  if (row.newValues?.actor === 'applicant') return 'заявитель (онлайн)';
  return row.newValues?.actor === 'member' ? 'сам член Профсоюза' : 'система';
}

/** A page of rows with the organizations they refer to named (one query for the page). */
async function presentAll(db: Knex, principal: Principal, rows: AuditRow[]) {
  const nameValue = await namerFor(db, principal, rows);
  return rows.map((row) => present(row, nameValue));
}

export function createAuditViewerService(db: Knex) {
  /** 403 for a role without the audit (a chair); a federal administrator reads every row, a coordinator their subtree's. */
  function scopeOf(principal: Principal): AuditScope {
    const grants = principal.grants.filter((g) => roleMay(g.role, 'audit.view'));
    if (!grants.length) throw new ForbiddenError();
    if (grants.some((g) => g.organizationLevel === 'union')) return { all: true };
    return { all: false, paths: grants.map((g) => g.organizationPath) };
  }

  /** The filter as a query; an organization outside the reader's subtree is not found (404), like any other id. */
  async function queryOf(principal: Principal, filter: AuditFilter): Promise<AuditQuery> {
    let orgPath: string | null = null;
    if (filter.org) {
      const org = await findOrgByInpo(db, filter.org);
      authorize(principal, 'audit.view', org);
      orgPath = org.path;
    }
    return {
      actor: filter.actor,
      orgPath,
      action: filter.action,
      entities: filter.entity ? ENTITY_GROUPS[filter.entity].entities : null,
      from: filter.from,
      to: filter.to,
    };
  }

  return {
    scopeOf,

    async page(principal: Principal, filter: AuditFilter, afterId: number | null) {
      const scope = scopeOf(principal);
      const { rows, more } = await auditPage(db, scope, await queryOf(principal, filter), afterId, AUDIT_PAGE_SIZE);
      return { rows: await presentAll(db, principal, rows), nextAfter: more ? rows.at(-1)!.id : null };
    },

    /** Checks the reader and the filter before the download starts, so a refusal is a page, not a broken file. */
    async exportFor(principal: Principal, filter: AuditFilter) {
      const scope = scopeOf(principal);
      const query = await queryOf(principal, filter);
      return (sink: RowSink) => writeAuditWorkbook(db, auditRows(db, scope, query), sink);
    },

    /**
     * Who viewed and changed one member card — what a data subject's request under 152-ФЗ asks for. The
     * card comes authorized: the route's loader found it in the reader's subtree and checked `audit.view`.
     */
    async memberJournal(principal: Principal, member: MemberRow) {
      const { rows, more } = await auditPage(
        db,
        { all: true },
        { entities: ['member'], entityId: String(member.id) },
        null,
        1000,
      );
      return { member, rows: await presentAll(db, principal, rows), truncated: more };
    },
  };
}

const EXPORT_COLUMNS = [
  { header: 'Когда', width: 18 },
  { header: 'Кто', width: 36 },
  { header: 'IP-адрес', width: 16 },
  { header: 'Действие', width: 36 },
  { header: 'Объект', width: 20 },
  { header: 'Код объекта', width: 12 },
  { header: 'Организация', width: 40 },
  { header: 'ИНПО', width: 12 },
  { header: 'Было', width: 50 },
  { header: 'Стало', width: 50 },
  { header: 'Запрос', width: 20 },
];

const changesText = (row: ReturnType<typeof present>, side: 'old' | 'new') =>
  row.changes
    .filter((c) => c[side] !== null)
    .map((c) => `${c.field}: ${c[side]}`)
    .join('; ');

async function writeAuditWorkbook(db: Knex, query: Knex.QueryBuilder, sink: RowSink): Promise<number> {
  return streamSheet(db, query, sink, { name: 'Журнал аудита', columns: EXPORT_COLUMNS }, (raw: AuditRow) => {
    // the file streams row by row: codes are named, organizations stay as recorded (an ИНПО, an id)
    const row = present(raw, nameCode);
    return [
      formatDateTime(row.at),
      row.actor,
      row.ip ?? '',
      row.actionLabel,
      row.entityLabel,
      row.entityId ?? '',
      row.orgName ?? '',
      row.orgInpo ?? '',
      changesText(row, 'old'),
      changesText(row, 'new'),
      row.requestId ?? '',
    ];
  });
}

export type AuditViewerService = ReturnType<typeof createAuditViewerService>;
