import type { Knex } from 'knex';
import { streamRows, type RowSink } from '../db/stream-rows';
import { formatDate } from '../shared/format';
import { csvLine, type CellInput } from '../shared/spreadsheet';
import { streamSheet } from '../shared/streamed-sheet';
import { MEMBER_COLUMNS } from './import/member-sheet';
import { CATEGORY_LABELS, type Category } from '../membership/membership';
import {
  filteredMembers,
  type ListReader,
  type ListRoot,
  type ListedMember,
  type MemberListFilter,
} from './members.repo';

const EXTRA_HEADERS = ['Организация учёта', 'Дата выбытия'];

/**
 * One member as the import reads it back (same headers, same wording), plus where and whether they left;
 * a row the list's rule restricts comes with its fields of the list's date only (members.repo listedMembers).
 * Raw values: the row writers (csvLine, addSafeRow) neutralise formulas in every column.
 */
function exportRow(m: ListedMember): CellInput[] {
  return [
    m.organizationInpo,
    m.surname,
    m.name,
    m.patronymic,
    m.sex === 'f' ? 'ж' : 'м',
    formatDate(m.birthDate),
    CATEGORY_LABELS[m.category as Category],
    m.isPedagogical ? 'да' : 'нет',
    m.position,
    m.phone,
    m.email,
    m.snils,
    formatDate(m.joinedOn),
    m.organizationName,
    m.leftOn ? formatDate(m.leftOn) : '',
  ];
}

/**
 * Streams a filtered member list from a database cursor into the sink: memory holds a batch of rows
 * whatever the region's size, and a receiver that goes away stops it. Returns the number of rows.
 */
export async function exportMembers(
  db: Knex,
  root: ListRoot,
  filter: MemberListFilter,
  reader: ListReader,
  format: 'xlsx' | 'csv',
  sink: RowSink,
): Promise<number> {
  const headers = [...MEMBER_COLUMNS.map((c) => c.header), ...EXTRA_HEADERS];
  const query = filteredMembers(db, root, filter, reader);
  if (format === 'csv') {
    sink.out.write(`\ufeff${csvLine(headers)}`);
    return streamRows(db, query, sink, (m: ListedMember) => {
      sink.out.write(csvLine(exportRow(m)));
    });
  }
  const columns = headers.map((header) => ({ header, width: Math.max(12, header.length + 2) }));
  return streamSheet(db, query, sink, { name: 'Члены Профсоюза', columns }, exportRow);
}
