import ExcelJS from 'exceljs';
import type { Writable } from 'node:stream';
import { addSafeRow, xlsxCell } from '../../shared/spreadsheet';
import type { ReportResult } from '../report-builder';
import { ABSENT, LIST_FIELD, SIGN_OFF, headerLines, listCell, noteBlocks } from './report-text';
import { formTable, layoutTable } from './table-layout';

// The form as a printable A4 blank: header with organization, ИНПО and date, numbered lines, and the
// sign-off block. Several reports (a consolidated organization and each of its children) become one
// workbook with a sheet each. Written as a stream: a КДКО of the whole union has 75,000 rows.

const NUMBER_HEADER = '№ строки';
// Characters of the default font (Calibri 11) across A4 within the sheet's margins; a bold header letter is wider.
const PAGE = { portrait: 100, landscape: 148 };
const CHARACTERS = {
  body: (t: string) => t.length,
  head: (t: string) => Math.ceil(t.length * 1.1),
  padding: 2,
  comfort: 40,
};

const BORDER: Partial<ExcelJS.Borders> = {
  top: { style: 'thin' },
  left: { style: 'thin' },
  bottom: { style: 'thin' },
  right: { style: 'thin' },
};

export async function renderReportWorkbook(results: ReportResult[], out: Writable): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true });
  workbook.creator = 'Реестр Профсоюза образования';
  const names = new Set<string>();
  for (const [i, r] of results.entries()) {
    // the consolidated report first, under the form's name; then a sheet per child, named by ИНПО
    const { columns, spans } = formTable(r, NUMBER_HEADER);
    const layout = layoutTable(columns, CHARACTERS, PAGE, spans);
    const sheet = workbook.addWorksheet(sheetName(r, names, i > 0), {
      pageSetup: {
        paperSize: 9,
        orientation: layout.landscape ? 'landscape' : 'portrait',
        fitToPage: true,
        fitToWidth: 1,
        fitToHeight: 0,
        margins: { left: 0.5, right: 0.4, top: 0.5, bottom: 0.5, header: 0.3, footer: 0.3 },
      },
    });
    sheet.columns = layout.widths.map((w) => ({ width: Math.ceil(w) })); // characters, from the content as in the PDF
    if (r.form.kind === 'list') writeList(sheet, r, layout.wraps);
    else writeLines(sheet, r);
    await sheet.commit();
  }
  await workbook.commit();
}

function sheetName(r: ReportResult, used: Set<string>, child: boolean): string {
  const base = (child ? `${r.organization.inpo} ${r.organization.name}` : r.form.name)
    .replace(/[[\]:*?/\\]/g, ' ')
    .slice(0, 31)
    .trim();
  let name = base;
  for (let i = 2; used.has(name); i++) name = `${base.slice(0, 27)} (${i})`;
  used.add(name);
  return name;
}

function writeHeader(sheet: ExcelJS.Worksheet, r: ReportResult, width: number) {
  const code = sheet.addRow([]);
  code.getCell(width).value = xlsxCell(`Форма ${r.form.name}`);
  code.getCell(width).alignment = { horizontal: 'right' };
  code.commit();
  const title = addSafeRow(sheet, [r.form.title]);
  title.font = { bold: true, size: 13 };
  sheet.mergeCells(title.number, 1, title.number, width);
  title.commit();
  for (const text of headerLines(r)) {
    const row = addSafeRow(sheet, [text]);
    sheet.mergeCells(row.number, 1, row.number, width);
    row.commit();
  }
  sheet.addRow([]).commit();
}

function writeSignOff(sheet: ExcelJS.Worksheet, width: number) {
  sheet.addRow([]).commit();
  for (const text of SIGN_OFF) {
    const row = addSafeRow(sheet, [text]);
    sheet.mergeCells(row.number, 1, row.number, width);
    row.commit();
  }
}

function writeLines(sheet: ExcelJS.Worksheet, r: ReportResult) {
  const width = 2 + r.columns.length;
  writeHeader(sheet, r, width);
  const head = addSafeRow(sheet, [NUMBER_HEADER, 'Показатель', ...r.columns.map((c) => c.label)]);
  head.font = { bold: true };
  head.eachCell((cell) => {
    cell.border = BORDER;
    cell.alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' };
  });
  head.commit();
  for (const section of r.sections) {
    const title = addSafeRow(sheet, [section.title]);
    title.font = { bold: true };
    sheet.mergeCells(title.number, 1, title.number, width);
    title.commit();
    for (const line of section.lines) {
      const row = addSafeRow(sheet, [line.no, line.label]);
      if (line.type === 'text') {
        row.getCell(3).value = xlsxCell(line.text ?? '');
        sheet.mergeCells(row.number, 3, row.number, width);
      } else {
        r.columns.forEach((c, i) => {
          const cell = row.getCell(3 + i);
          cell.value = !line.columns.includes(c.key) ? '×' : (line.values[c.key] ?? ABSENT);
          if (line.type === 'percent') cell.numFmt = '0.0';
          cell.alignment = { horizontal: 'right' };
        });
      }
      for (let i = 1; i <= width; i++) row.getCell(i).border = BORDER;
      row.getCell(2).alignment = { wrapText: true };
      row.commit();
    }
  }
  writeNotes(sheet, r, width);
  writeSignOff(sheet, width);
}

function writeNotes(sheet: ExcelJS.Worksheet, r: ReportResult, width: number) {
  for (const block of noteBlocks(r)) {
    sheet.addRow([]).commit();
    const title = addSafeRow(sheet, [block.title]);
    title.font = { bold: true };
    sheet.mergeCells(title.number, 1, title.number, width);
    title.commit();
    for (const item of block.items) {
      const row = addSafeRow(sheet, [item]);
      sheet.mergeCells(row.number, 1, row.number, width);
      row.getCell(1).alignment = { wrapText: true };
      row.commit();
    }
  }
}

function writeList(sheet: ExcelJS.Worksheet, r: ReportResult, wraps: boolean[]) {
  const columns = r.listColumns ?? [];
  writeHeader(sheet, r, columns.length);
  const head = addSafeRow(
    sheet,
    columns.map((c) => c.label),
  );
  head.font = { bold: true };
  head.eachCell((cell) => {
    cell.border = BORDER;
    cell.alignment = { wrapText: true, vertical: 'middle' };
  });
  head.commit();
  for (const item of r.rows ?? []) {
    const row = addSafeRow(
      sheet,
      columns.map((c) => listCell(item as unknown as Record<string, unknown>, LIST_FIELD[c.key] ?? c.key)),
    );
    wraps.forEach((wrap, i) => {
      if (wrap) row.getCell(i + 1).alignment = { wrapText: true, vertical: 'top' };
    });
    row.commit();
  }
  writeNotes(sheet, r, columns.length);
  writeSignOff(sheet, columns.length);
}
