import ExcelJS from 'exceljs';
import type { Writable } from 'node:stream';
import type { OrgRow } from '../registry/org-row';
import { formatDate } from '../shared/format';
import { addSafeRow } from '../shared/spreadsheet';
import { columnGroups, yearStartOf } from './monitoring-table';
import { IMPORT_HEADERS } from './declared-import';
import type { MonitoringTable } from './monitoring.service';

/** The header lines of the monitoring's download and print: the subtree, the date and what the table selects. */
export function headerLines(org: OrgRow, table: MonitoringTable): string[] {
  return [
    `Мониторинг реестра: ${org.name} (ИНПО ${org.inpo})`,
    `На дату: ${formatDate(table.on)}`,
    'Отбор: все входящие организации, члены Профсоюза на учёте на дату',
    `Состав: ${org.name} и входящие в неё организации`,
    `Вступление онлайн: заявления, принятые с ${formatDate(yearStartOf(table.on))} по ${formatDate(table.on)}; ждущие решения и недействительные адреса — на сегодня`,
    ...(table.campaign ? [`Отчётная кампания: ${table.campaign.form} на ${formatDate(table.campaign.date)}`] : []),
  ];
}

/**
 * The table as the page shows it: the header lines, the column groups and labels, a row per child and the
 * totals; figures as numbers (percentages with one decimal), every text through the formula guard.
 */
export async function renderMonitoringWorkbook(org: OrgRow, table: MonitoringTable, out: Writable): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true });
  workbook.creator = 'Реестр Профсоюза образования';
  const sheet = workbook.addWorksheet('Мониторинг', {
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  sheet.columns = [{ width: 40 }, { width: 12 }, ...table.columns.map(() => ({ width: 14 }))];
  for (const line of headerLines(org, table)) addSafeRow(sheet, [line]).commit();
  addSafeRow(sheet, []).commit();
  const groups = addSafeRow(sheet, [
    '',
    '',
    ...columnGroups(table.columns).flatMap((g) => [g.label, ...Array<string>(g.span - 1).fill('')]),
  ]);
  groups.font = { bold: true };
  groups.commit();
  const labels = addSafeRow(sheet, ['Организация', 'ИНПО', ...table.columns.map((c) => c.label)]);
  labels.font = { bold: true };
  labels.alignment = { wrapText: true, vertical: 'top' };
  labels.commit();
  for (const row of [...table.rows, table.totals]) {
    const written = addSafeRow(sheet, [row.label, row.org?.inpo ?? '', ...row.cells.map((c) => c.value)]);
    table.columns.forEach((c, i) => {
      if (c.percent) written.getCell(i + 3).numFmt = '0.0';
    });
    if (row === table.totals) written.font = { bold: true };
    written.commit();
  }
  await sheet.commit();
  await workbook.commit();
}

/** The import's blank: its header row and one example row. */
export async function writeDeclaredTemplate(out: Writable): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out });
  const sheet = workbook.addWorksheet('Цифры отчёта');
  sheet.columns = IMPORT_HEADERS.map((h) => ({ width: Math.max(14, h.length + 2) }));
  addSafeRow(sheet, IMPORT_HEADERS).commit();
  await sheet.commit();
  await workbook.commit();
}
