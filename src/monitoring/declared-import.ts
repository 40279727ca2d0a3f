import type { Knex } from 'knex';
import { can } from '../access/access';
import type { Principal } from '../access/principal';
import { recordAudit, type AuditContext } from '../audit/audit';
import { ValidationError } from '../http/errors';
import type { ImportIssue } from '../imports/import-issue';
import { normalizeSheetDate, xlsxRows } from '../imports/row-source';
import type { OrgRow } from '../registry/org-row';
import { DECLARED_FIELDS, declaredFiguresSchema, type DeclaredFiguresInput } from './declared.schemas';
import { findOrgsByInpoWithin, saveDeclared } from './monitoring.repo';

/** The import's columns, in order: the organization, the report's date, then the figures of the form. */
export const IMPORT_HEADERS = ['ИНПО', 'Дата отчёта', ...DECLARED_FIELDS.map(([, label]) => label)];
/** A statistical report names at most every organization of the union once per date: 80 k rows. */
const MAX_ROWS = 100_000;

interface ParsedRow {
  line: number;
  inpo: string;
  input: DeclaredFiguresInput;
}

/** Reads the sheet: every row checked, every problem kept with its line and column. */
async function readRows(file: string): Promise<{ rows: ParsedRow[]; issues: ImportIssue[] }> {
  const rows: ParsedRow[] = [];
  const issues: ImportIssue[] = [];
  let header = true;
  for await (const { line, values } of xlsxRows(file)) {
    if (header) {
      header = false;
      const wrong = IMPORT_HEADERS.findIndex((h, i) => (values[i] ?? '').trim() !== h);
      if (wrong >= 0)
        issues.push({ line, column: IMPORT_HEADERS[wrong]!, message: `Ожидался столбец «${IMPORT_HEADERS[wrong]}»` });
      continue;
    }
    if (values.every((v) => v.trim() === '')) continue;
    if (rows.length + issues.length >= MAX_ROWS) {
      issues.push({ line, column: '', message: `Не больше ${MAX_ROWS} строк в одном файле` });
      break;
    }
    const body: Record<string, string> = { onDate: normalizeSheetDate((values[1] ?? '').trim()) };
    DECLARED_FIELDS.forEach(([name], i) => (body[name] = values[i + 2] ?? ''));
    const parsed = declaredFiguresSchema.safeParse(body);
    const inpo = (values[0] ?? '').trim();
    if (!/^\d{10}$/.test(inpo)) issues.push({ line, column: 'ИНПО', message: 'ИНПО — 10 цифр' });
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? '');
        const column = field === 'onDate' ? 'Дата отчёта' : (DECLARED_FIELDS.find(([n]) => n === field)?.[1] ?? '');
        issues.push({ line, column, message: issue.message });
      }
    } else rows.push({ line, inpo, input: parsed.data });
  }
  if (header) issues.push({ line: 1, column: '', message: 'Файл пуст: нет строки заголовков' });
  return { rows, issues };
}

/**
 * Declared figures from an XLSX, one row per organization (by ИНПО) and date. Every row is checked first —
 * the figures, that the organization lies in the subtree and that the user may edit it — and the file is
 * written in one transaction only when no row has a problem: a file with one bad row changes nothing.
 */
export async function importDeclared(
  db: Knex,
  principal: Principal,
  ctx: AuditContext,
  root: OrgRow,
  file: string,
): Promise<{ rows: number; issues: ImportIssue[] }> {
  const { rows, issues } = await readRows(file);
  const orgs = new Map(
    (await findOrgsByInpoWithin(db, [...new Set(rows.map((r) => r.inpo))], root.path)).map((o) => [o.inpo, o]),
  );
  const seen = new Set<string>();
  for (const r of rows) {
    const org = orgs.get(r.inpo);
    if (!org) issues.push({ line: r.line, column: 'ИНПО', message: 'Организации с таким ИНПО нет в вашей структуре' });
    else if (!can(principal, 'org.passport.edit', org))
      issues.push({ line: r.line, column: 'ИНПО', message: 'Нет прав вносить цифры этой организации' });
    const key = `${r.inpo} ${r.input.onDate}`;
    if (seen.has(key))
      issues.push({
        line: r.line,
        column: 'Дата отчёта',
        message: 'Эта организация на эту дату уже есть в файле выше',
      });
    seen.add(key);
  }
  if (issues.length) return { rows: rows.length, issues: issues.sort((a, b) => a.line - b.line) };
  if (!rows.length) throw new ValidationError([{ field: 'file', message: 'В файле нет строк с цифрами' }]);
  await db.transaction(async (trx) => {
    const values = rows.map((r) => ({
      organizationId: orgs.get(r.inpo)!.id,
      onDate: r.input.onDate,
      figures: r.input,
    }));
    await saveDeclared(trx, values, 'imported', ctx.actorUserId);
    await recordAudit(trx, ctx, {
      action: 'org.declared_figures.imported',
      entity: 'organization',
      entityId: root.id,
      organizationId: root.id,
      newValues: { rows: rows.length },
    });
  });
  return { rows: rows.length, issues: [] };
}
