import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import { streamRows, type RowSink } from '../db/stream-rows';
import { formatDate } from '../shared/format';
import { neutralizeFormula } from '../shared/spreadsheet';
import { MEMBER_COLUMNS } from './import/member-sheet';
import { CATEGORY_LABELS, type Category } from './membership';
import { filteredMembers, type ListRoot, type MemberListFilter } from './members.repo';

const EXTRA_HEADERS = ['Организация учёта', 'Дата выбытия'];

/** One member as the import reads it back (same headers, same wording), plus where and whether they left. */
function exportRow(m: Record<string, unknown>): string[] {
  return [
    String(m.inpo), neutralizeFormula(m.surname as string), neutralizeFormula(m.name as string), neutralizeFormula((m.patronymic as string) ?? ''),
    m.sex === 'f' ? 'ж' : 'м', formatDate(m.birth_date as string), CATEGORY_LABELS[m.category as Category], m.is_pedagogical ? 'да' : 'нет',
    neutralizeFormula((m.position as string) ?? ''), (m.phone as string) ?? '', (m.email as string) ?? '', (m.snils as string) ?? '',
    formatDate(m.joined_on as string), neutralizeFormula(m.org_name as string), m.left_on ? formatDate(m.left_on as string) : '',
  ];
}

/**
 * Streams a filtered member list from a database cursor into the sink: memory holds a batch of rows
 * whatever the region's size, and a receiver that goes away stops it. Returns the number of rows.
 */
export async function exportMembers(db: Knex, root: ListRoot, filter: MemberListFilter, format: 'xlsx' | 'csv', sink: RowSink): Promise<number> {
  const headers = [...MEMBER_COLUMNS.map((c) => c.header), ...EXTRA_HEADERS];
  const query = filteredMembers(db, root, filter);
  if (format === 'csv') {
    const line = (cells: string[]) => `${cells.map((c) => `"${c.replace(/"/g, '""')}"`).join(';')}\r\n`;
    sink.out.write(`\ufeff${line(headers)}`);
    return streamRows(db, query, sink, (m: Record<string, unknown>) => sink.out.write(line(exportRow(m))));
  }
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink.out, useSharedStrings: false, useStyles: true });
  const sheet = workbook.addWorksheet('Члены Профсоюза', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = headers.map((header) => ({ header, width: Math.max(12, header.length + 2) }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  const count = await streamRows(db, query, sink, (m: Record<string, unknown>) => sheet.addRow(exportRow(m)).commit());
  sheet.commit();
  await workbook.commit();
  return count;
}
