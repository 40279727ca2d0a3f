import type { Knex } from 'knex';
import { analyzeAfterBulkChange } from '../db/maintenance';
import { z } from 'zod';
import { can, mayCreateChild } from '../access/access';
import type { Principal } from '../access/principal';
import { INPO_PATTERN } from '../shared/inpo';
import type { EventDates } from '../shared/event-dates';
import { matchKey } from '../shared/match-key';
import type { AuditContext } from '../audit/audit';
import { recordAudit } from '../audit/audit';
import { inTransaction } from '../db/transaction';
import { NUL, NUL_CELL_MESSAGE } from '../shared/nul';
import { restoreNeutralized } from '../shared/spreadsheet';
import { optionalEmail, optionalInn, optionalPhone, optionalText, optionalUrl, requiredString } from '../shared/fields';
import type { ImportIssue } from '../imports/import-issue';
import { xlsxRows } from '../imports/row-source';
import { mayContain, type Level } from './levels';
import {
  ORG_SHEET_COLUMNS,
  employerKindFromSheet,
  levelFromSheet,
  yesNoFromSheet,
  type OrgSheetKey,
} from './org-sheet';
import { findOrgByInpo, findOrgsByInpoWithin, inpoOfIds, listOpenChildren, type OrgRow } from './orgs.repo';
import type { RowSink } from '../db/stream-rows';
import { exportOrganizations } from './org-export';
import { createPassportService } from './passport.service';
import { createRestructureService } from './restructure.service';

export const MAX_IMPORT_ROWS = 20_000;
const REQUIRED_HEADERS: OrgSheetKey[] = ['inpo', 'parent', 'level', 'name'];
const HEADER_OF = Object.fromEntries(ORG_SHEET_COLUMNS.map((c) => [c.key, c.header])) as Record<OrgSheetKey, string>;

interface OrgSheetRow {
  line: number;
  cells: Record<OrgSheetKey, string>;
}

/** The passport fields a sheet's row gives: the organization's own columns. */
type RowData = Pick<
  OrgRow,
  'name' | 'shortName' | 'employerKind' | 'employerInn' | 'address' | 'phone' | 'email' | 'website'
>;

export interface PlannedCreate extends RowData {
  line: number;
  level: Level;
  hasTerritorialRights: boolean;
  parent: { inpo: string } | { line: number };
}

export interface PlannedUpdate extends RowData {
  line: number;
  org: OrgRow;
}

/** A row without an ИНПО that names an organization already under the same parent: reported, not created. */
export interface PlannedExisting {
  line: number;
  org: OrgRow;
}

export interface ImportPlan {
  rows: number;
  creates: PlannedCreate[];
  updates: PlannedUpdate[];
  existing: PlannedExisting[];
  issues: ImportIssue[];
}

const rowSchema = z.object({
  name: requiredString('Укажите полное наименование', 500),
  shortName: optionalText(200),
  employerInn: optionalInn(),
  address: optionalText(500),
  phone: optionalPhone(),
  email: optionalEmail(),
  website: optionalUrl(),
});

/** Reads the first sheet (streamed) by its Russian headers, in any order; unknown columns are ignored. */
export async function readOrgWorkbook(file: string): Promise<{ rows: OrgSheetRow[]; issues: ImportIssue[] }> {
  let columnOf: Map<OrgSheetKey, number> | undefined;
  const rows: OrgSheetRow[] = [];
  const issues: ImportIssue[] = [];
  for await (const { line, values } of xlsxRows(file)) {
    if (!columnOf) {
      columnOf = new Map();
      values.forEach((text, i) => {
        const column = ORG_SHEET_COLUMNS.find((c) => c.header.toLowerCase() === text.toLowerCase());
        if (column) columnOf!.set(column.key, i);
      });
      const missing = REQUIRED_HEADERS.filter((k) => !columnOf!.has(k));
      if (missing.length)
        return {
          rows: [],
          issues: missing.map((k) => ({ line, column: HEADER_OF[k], message: 'Нет столбца с таким заголовком' })),
        };
      continue;
    }
    const cells = Object.fromEntries(
      ORG_SHEET_COLUMNS.map((c) => [
        c.key,
        columnOf!.has(c.key) ? restoreNeutralized(values[columnOf!.get(c.key)!] ?? '') : '',
      ]),
    ) as Record<OrgSheetKey, string>;
    if (!Object.values(cells).some((v) => v !== '')) continue;
    if (rows.length >= MAX_IMPORT_ROWS)
      return {
        rows: [],
        issues: [{ line, column: '', message: `В файле больше ${MAX_IMPORT_ROWS} строк: разделите его на части` }],
      };
    const withNul = ORG_SHEET_COLUMNS.find((c) => cells[c.key].includes(NUL));
    if (withNul) issues.push({ line, column: withNul.header, message: NUL_CELL_MESSAGE });
    else rows.push({ line, cells });
  }
  if (!columnOf) return { rows: [], issues: [{ line: 1, column: '', message: 'Файл пуст' }] };
  return { rows, issues };
}

/** Validates every row against the file, the registry and the user's rights; changes nothing. */
export async function planOrgImport(
  db: Knex,
  principal: Principal,
  root: OrgRow,
  rows: OrgSheetRow[],
): Promise<ImportPlan> {
  const issues: ImportIssue[] = [];
  const issue = (line: number, key: OrgSheetKey | '', message: string) =>
    issues.push({ line, column: key ? HEADER_OF[key] : '', message });
  const referenced = new Set(rows.flatMap((r) => [r.cells.inpo, r.cells.parent]).filter((v) => INPO_PATTERN.test(v)));
  const known = new Map<string, OrgRow>(
    (await findOrgsByInpoWithin(db, [...referenced], root.path)).map((o) => [o.inpo, o]),
  );
  const parentInpoOf = await inpoOfIds(
    db,
    [...known.values()].map((o) => o.parentId).filter((id): id is number => id != null),
  );
  // a line that names an existing organization stands for it: «строка N» below it attaches to that one
  const createdLines = new Map<number, { level: Level; hasTerritorialRights: boolean; valid: boolean; org?: OrgRow }>();
  const seenInpo = new Map<string, number>();
  const creates: PlannedCreate[] = [];
  const updates: PlannedUpdate[] = [];
  const existing: PlannedExisting[] = [];
  // names by match_key(): «Школа № 100» typed once and "школа  №100" another time are one organization
  const childrenByName = new Map<number, Map<string, OrgRow>>();
  const openChildOf = async (parentId: number, name: string) => {
    if (!childrenByName.has(parentId)) {
      const children = await listOpenChildren(db, parentId);
      childrenByName.set(parentId, new Map(children.map((o) => [matchKey(o.name), o])));
    }
    return childrenByName.get(parentId)!.get(matchKey(name));
  };
  const newNameLines = new Map<string, number>();

  for (const { line, cells } of rows) {
    const before = issues.length;
    const parsed = rowSchema.safeParse(cells);
    if (!parsed.success) {
      for (const zodIssue of parsed.error.issues) issue(line, zodIssue.path[0] as OrgSheetKey, zodIssue.message);
    }
    const employerKind = cells.employerKind ? employerKindFromSheet(cells.employerKind) : null;
    if (employerKind === undefined) issue(line, 'employerKind', 'Тип работодателя не из списка');
    const hasTerritorialRights = yesNoFromSheet(cells.territorialRights);
    if (hasTerritorialRights === undefined) issue(line, 'territorialRights', 'Укажите «да» или «нет»');
    const level = levelFromSheet(cells.level);
    if (!level)
      issue(
        line,
        'level',
        'Уровень не из списка: Окружная, Территориальная, Первичная, Структурное подразделение, Профгруппа',
      );
    const data = parsed.success ? { ...parsed.data, employerKind: employerKind ?? null } : undefined;

    if (cells.inpo) {
      const org = known.get(cells.inpo);
      if (seenInpo.has(cells.inpo))
        issue(line, 'inpo', `Этот ИНПО уже встречается в строке ${seenInpo.get(cells.inpo)}`);
      seenInpo.set(cells.inpo, line);
      if (!org || !can(principal, 'org.passport.edit', org))
        issue(line, 'inpo', 'Организация с таким ИНПО не найдена в вашей структуре');
      else if (org.liquidatedOn) issue(line, 'inpo', 'Организация ликвидирована');
      else {
        if (level && level !== org.level)
          issue(line, 'level', 'Уровень существующей организации не меняется при загрузке');
        if (cells.parent && cells.parent !== parentInpoOf.get(org.parentId ?? -1))
          issue(line, 'parent', 'Перемещение выполняется командой «Переместить», не загрузкой');
        if (issues.length === before && data) updates.push({ line, org, ...data });
      }
      continue;
    }

    let parentLevel: { level: Level; hasTerritorialRights: boolean } | undefined;
    let parentRef: PlannedCreate['parent'] | undefined;
    let parentOrg: OrgRow | undefined;
    const rowRef = /^строка\s+(\d+)$/i.exec(cells.parent);
    if (rowRef) {
      const target = createdLines.get(Number(rowRef[1]));
      if (!target || Number(rowRef[1]) >= line)
        issue(line, 'parent', `Строка ${rowRef[1]} выше не описывает новую организацию`);
      else if (!target.valid) issue(line, 'parent', `Строка ${rowRef[1]} содержит ошибки`);
      else if (target.org) [parentLevel, parentRef, parentOrg] = [target.org, { inpo: target.org.inpo }, target.org];
      else [parentLevel, parentRef] = [target, { line: Number(rowRef[1]) }];
    } else if (!cells.parent) {
      issue(line, 'parent', 'Укажите ИНПО вышестоящей организации или «строка N»');
    } else {
      const parent = known.get(cells.parent);
      if (!parent) issue(line, 'parent', 'Вышестоящая организация не найдена в вашей структуре');
      else if (parent.liquidatedOn) issue(line, 'parent', 'Вышестоящая организация ликвидирована');
      else if (level && !mayCreateChild(principal, parent, level)) {
        issue(line, 'parent', 'Вы не можете создавать организации в этой вышестоящей');
      } else [parentLevel, parentRef, parentOrg] = [parent, { inpo: parent.inpo }, parent];
    }
    if (parentRef && cells.name) {
      const same = parentOrg && (await openChildOf(parentOrg.id, cells.name));
      if (same) {
        existing.push({ line, org: same });
        createdLines.set(line, {
          level: same.level,
          hasTerritorialRights: same.hasTerritorialRights,
          valid: true,
          org: same,
        });
        continue;
      }
      const nameKey = `${'line' in parentRef ? `line ${parentRef.line}` : parentRef.inpo}\u0000${matchKey(cells.name)}`;
      const earlier = newNameLines.get(nameKey);
      if (earlier) issue(line, 'name', `Эта организация уже есть в строке ${earlier}`);
      else newNameLines.set(nameKey, line);
    }
    if (level && parentLevel && !mayContain(parentLevel, level))
      issue(line, 'level', 'Организация такого уровня не может входить в указанную вышестоящую');
    const valid = issues.length === before && level !== undefined;
    if (level) createdLines.set(line, { level, hasTerritorialRights: Boolean(hasTerritorialRights), valid });
    if (valid && data && level && parentRef)
      creates.push({
        line,
        level,
        hasTerritorialRights: level === 'primary' && Boolean(hasTerritorialRights),
        parent: parentRef,
        ...data,
      });
  }
  return { rows: rows.length, creates, updates, existing, issues };
}

/** All or nothing: one transaction, through the same services as the forms (rules, events, audit). */
export async function applyOrgImport(
  db: Knex,
  principal: Principal,
  ctx: AuditContext,
  root: OrgRow,
  plan: ImportPlan,
  today: string,
  checkedUpload: string | undefined,
  dates: EventDates,
) {
  if (plan.issues.length) throw new Error('an import with issues must not be applied');
  const applied = await inTransaction(db, async (trx) => {
    // the forms' services over this transaction, so that the whole sheet commits or none of it does
    const restructure = createRestructureService(trx, dates);
    const passport = createPassportService(trx, dates);
    const createdByLine = new Map<number, OrgRow>();
    for (const row of plan.creates) {
      const parent =
        'line' in row.parent ? createdByLine.get(row.parent.line)! : (await findOrgByInpo(trx, row.parent.inpo))!;
      const created = await restructure.createChild(
        principal,
        ctx,
        parent,
        {
          level: row.level,
          name: row.name,
          shortName: row.shortName,
          employerKind: row.employerKind,
          hasTerritorialRights: row.hasTerritorialRights,
        },
        today,
      );
      await passport.updateGeneral(ctx, created, row, today);
      createdByLine.set(row.line, created);
    }
    let updated = 0;
    for (const row of plan.updates) if (await passport.updateGeneral(ctx, row.org, row, today)) updated++;
    await recordAudit(trx, ctx, {
      action: 'org.imported',
      entity: 'organization',
      entityId: root.id,
      organizationId: root.id,
      newValues: {
        rows: plan.rows,
        created: plan.creates.length,
        updated,
        alreadyExisting: plan.existing.length,
        ...(checkedUpload && { checkedUpload }),
      },
    });
    return { created: plan.creates.length, updated };
  });
  await analyzeAfterBulkChange(db, applied.created + applied.updated, [
    'organizations',
    'org_tree_history',
    'org_events',
  ]);
  return applied;
}

/**
 * The organizations' upload: a sheet planned against the registry (nothing written), then applied as
 * planned; and the subtree's download in the same columns, to be edited and loaded back.
 */
export function createOrgImportService(db: Knex, dates: EventDates) {
  return {
    exportWorkbook: (rootPath: string, sink: RowSink) => exportOrganizations(db, rootPath, sink),
    read: readOrgWorkbook,
    plan: (principal: Principal, root: OrgRow, rows: OrgSheetRow[]) => planOrgImport(db, principal, root, rows),
    /** `checkedUpload`: the id of the kept file a clean check left, when the load came by it (for the audit) */
    apply: (
      principal: Principal,
      ctx: AuditContext,
      root: OrgRow,
      plan: ImportPlan,
      today: string,
      checkedUpload?: string,
    ) => applyOrgImport(db, principal, ctx, root, plan, today, checkedUpload, dates),
  };
}
