import ExcelJS from 'exceljs';
import type { Knex } from 'knex';
import { fullName } from '../shared/format';
import type { Writable } from 'node:stream';
import type { RowSink } from '../db/stream-rows';
import { addSafeRow } from '../shared/spreadsheet';
import { streamSheet } from '../shared/streamed-sheet';
import { EMPLOYER_KIND_LABELS, EMPLOYER_KINDS, type EmployerKind, type Level } from './levels';
import { ORG_SHEET_COLUMNS, SHEET_LEVEL_LABELS } from './org-sheet';
import { organizationsForExport } from './org-export.repo';

const EXPORT_EXTRA_COLUMNS = [
  { header: 'Членов на учёте (в самой организации)', width: 14 },
  { header: 'Председатель', width: 32 },
  { header: 'Срок полномочий до', width: 14 },
];

function sheetColumns() {
  return ORG_SHEET_COLUMNS.map((c) => ({ header: c.header, key: c.key, width: c.width }));
}

/**
 * The subtree's organizations, streamed row by row from a database cursor into a streamed workbook:
 * memory stays flat whatever the region's size, and a receiver that goes away stops it. Columns match
 * the import, so the file can be edited and loaded back. Returns the number of rows written.
 */
export async function exportOrganizations(db: Knex, rootPath: string, sink: RowSink): Promise<number> {
  const columns = [...sheetColumns(), ...EXPORT_EXTRA_COLUMNS.map((c, i) => ({ ...c, key: `extra${i}` }))];
  const query = organizationsForExport(db, rootPath);
  return streamSheet(db, query, sink, { name: 'Организации', columns }, (r: Record<string, string | null>) => {
    const level = r.level as Level;
    return [
      r.inpo,
      r.parent_inpo ?? '',
      SHEET_LEVEL_LABELS[level],
      r.name,
      r.short_name,
      r.employer_kind ? EMPLOYER_KIND_LABELS[r.employer_kind as EmployerKind] : '',
      r.employer_inn ?? '',
      r.address,
      r.phone ?? '',
      r.email ?? '',
      r.website ?? '',
      level === 'primary' ? (r.has_territorial_rights ? 'да' : 'нет') : '',
      Number(r.members),
      r.surname ? fullName({ surname: r.surname, name: r.chair_name, patronymic: r.patronymic }) : '',
      r.term_until ?? '',
    ];
  });
}

/** The import template: the headers with a note on each, and a sheet of the allowed values. */
export async function writeImportTemplate(out: Writable): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Организации', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = sheetColumns();
  sheet.getRow(1).font = { bold: true };
  ORG_SHEET_COLUMNS.forEach((c, i) => {
    if (c.hint) sheet.getRow(1).getCell(i + 1).note = c.hint;
  });
  const lists = workbook.addWorksheet('Справочники');
  lists.columns = [
    { header: 'Уровень', width: 30 },
    { header: 'Тип работодателя', width: 50 },
  ];
  const levels = (['okrug', 'territorial', 'primary', 'subdivision', 'group'] as const).map(
    (l) => SHEET_LEVEL_LABELS[l],
  );
  for (let i = 0; i < Math.max(levels.length, EMPLOYER_KINDS.length); i++) {
    addSafeRow(lists, [levels[i] ?? '', EMPLOYER_KINDS[i] ? EMPLOYER_KIND_LABELS[EMPLOYER_KINDS[i]!] : '']);
  }
  await workbook.xlsx.write(out);
}
