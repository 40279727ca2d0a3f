import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import type { Writable } from 'node:stream';
import { formatDate } from '../shared/format';
import { neutralizeFormula } from '../shared/spreadsheet';
import { MEMBER_COLUMNS } from './import/member-sheet';
import { CATEGORY_LABELS, type Category } from './membership';
import { filteredMembers, type ListReader, type ListRoot, type ListedMember, type MemberListFilter } from './members.repo';

const EXTRA_HEADERS = ['Организация учёта', 'Дата выбытия'];

/**
 * One member as the import reads it back (same headers, same wording), plus where and whether they left;
 * a row the list's rule restricts comes with its fields of the list's date only (members.repo listedMembers).
 */
function exportRow(m: ListedMember): string[] {
  return [
    m.organizationInpo, neutralizeFormula(m.surname), neutralizeFormula(m.name), neutralizeFormula(m.patronymic ?? ''),
    m.sex === 'f' ? 'ж' : 'м', formatDate(m.birthDate), CATEGORY_LABELS[m.category as Category], m.isPedagogical ? 'да' : 'нет',
    neutralizeFormula(m.position ?? ''), m.phone ?? '', m.email ?? '', m.snils ?? '',
    formatDate(m.joinedOn), neutralizeFormula(m.organizationName), m.leftOn ? formatDate(m.leftOn) : '',
  ];
}

/**
 * Streams a filtered member list from a database cursor into the response: memory holds a row at a
 * time whatever the region's size. Returns the number of rows for the audit row.
 */
export async function exportMembers(
  db: Knex, root: ListRoot, filter: MemberListFilter, reader: ListReader, format: 'xlsx' | 'csv', out: Writable, onProgress?: (rowsDone: number) => void,
): Promise<number> {
  const headers = [...MEMBER_COLUMNS.map((c) => c.header), ...EXTRA_HEADERS];
  const rows = filteredMembers(db, root, filter, reader).stream() as AsyncIterable<ListedMember>;
  let count = 0;
  if (format === 'csv') {
    const line = (cells: string[]) => `${cells.map((c) => `"${c.replace(/"/g, '""')}"`).join(';')}\r\n`;
    out.write(`\ufeff${line(headers)}`);
    for await (const m of rows) {
      if (!out.write(line(exportRow(m)))) await new Promise((resolve) => out.once('drain', resolve));
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
    sheet.addRow(exportRow(m)).commit();
    count++;
    onProgress?.(count);
  }
  sheet.commit();
  await workbook.commit();
  return count;
}
