import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import type { Writable } from 'node:stream';
import { formatDate } from '../shared/format';
import { addSafeRow, csvLine, type CellInput } from '../shared/spreadsheet';
import { MEMBER_COLUMNS } from './import/member-sheet';
import { CATEGORY_LABELS, type Category } from './membership';
import { filteredMembers, type ListRoot, type MemberListFilter } from './members.repo';

const EXTRA_HEADERS = ['Организация учёта', 'Дата выбытия'];

/**
 * One member as the import reads it back (same headers, same wording), plus where and whether they left.
 * Raw values: the row writers (csvLine, addSafeRow) neutralise formulas in every column.
 */
function exportRow(m: Record<string, unknown>): CellInput[] {
  return [
    m.inpo as string, m.surname as string, m.name as string, m.patronymic as string | null,
    m.sex === 'f' ? 'ж' : 'м', formatDate(m.birth_date as string), CATEGORY_LABELS[m.category as Category], m.is_pedagogical ? 'да' : 'нет',
    m.position as string | null, m.phone as string | null, m.email as string | null, m.snils as string | null,
    formatDate(m.joined_on as string), m.org_name as string, m.left_on ? formatDate(m.left_on as string) : '',
  ];
}

/**
 * Streams a filtered member list from a database cursor into the response: memory holds a row at a
 * time whatever the region's size. Returns the number of rows for the audit row.
 */
export async function exportMembers(
  db: Knex, root: ListRoot, filter: MemberListFilter, format: 'xlsx' | 'csv', out: Writable, onProgress?: (rowsDone: number) => void,
): Promise<number> {
  const headers = [...MEMBER_COLUMNS.map((c) => c.header), ...EXTRA_HEADERS];
  const rows = filteredMembers(db, root, filter).stream();
  let count = 0;
  if (format === 'csv') {
    out.write(`\ufeff${csvLine(headers)}`);
    for await (const m of rows) {
      if (!out.write(csvLine(exportRow(m)))) await new Promise((resolve) => out.once('drain', resolve));
      count++;
      onProgress?.(count);
    }
    return count;
  }
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
  const sheet = workbook.addWorksheet('Члены Профсоюза', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = headers.map((header) => ({ header, width: Math.max(12, header.length + 2) }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  for await (const m of rows) {
    addSafeRow(sheet, exportRow(m)).commit();
    count++;
    onProgress?.(count);
  }
  sheet.commit();
  await workbook.commit();
  return count;
}
