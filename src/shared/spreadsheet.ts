import type ExcelJS from 'exceljs';

/**
 * Free text that starts like a formula (= + - @, or a tab/CR that some spreadsheets skip) is prefixed
 * with an apostrophe, so a crafted name can never run as a formula in whoever opens the export.
 */
export function neutralizeFormula(value: string | null | undefined): string {
  if (value == null) return '';
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

// Every export writes its cells through xlsxCell/addSafeRow or csvLine, so no column can be forgotten:
// the e-mail column was (a valid address may start with '+' or '-'). Numbers, dates and booleans stay typed.
export type CellInput = string | number | boolean | Date | null | undefined;

/**
 * A phone as the card stores it (+7 and ten digits) starts with '+' by right. In XLSX it is kept as is: a
 * text cell is never evaluated, and '+7…' cannot carry a payload anyway. In CSV, where Excel would read it
 * as the number 7…, it gets the apostrophe like any other text (and the import accepts '+7… back).
 */
const CANONICAL_PHONE = /^\+7\d{10}$/;

/** A value for an XLSX cell: text that starts like a formula gets the apostrophe. */
export function xlsxCell(value: CellInput): Exclude<CellInput, undefined> {
  if (typeof value !== 'string') return value ?? null;
  return CANONICAL_PHONE.test(value) ? value : neutralizeFormula(value);
}

/** Adds a row of neutralised values: the way rows enter every exported sheet. */
export function addSafeRow(sheet: ExcelJS.Worksheet, values: CellInput[]): ExcelJS.Row {
  return sheet.addRow(values.map(xlsxCell));
}

/** One line of the exports' CSV (Russian Excel: `;`, every field quoted, CRLF), every text field neutralised. */
export function csvLine(values: CellInput[]): string {
  const field = (v: CellInput) =>
    typeof v === 'number'
      ? String(v)
      : v instanceof Date
        ? v.toISOString()
        : neutralizeFormula(v == null ? '' : String(v));
  return `${values.map((v) => `"${field(v).replace(/"/g, '""')}"`).join(';')}\r\n`;
}

/** neutralizeFormula undone, for a file the registry exported coming back as an import: "'+79…" is the phone +79…. */
export function restoreNeutralized(value: string): string {
  return /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The text of a cell value whatever Excel stored there (rich text, hyperlink, formula result, number, date). */
export function cellValueText(value: ExcelJS.CellValue): string {
  if (value == null) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value)
      return value.richText
        .map((r) => r.text)
        .join('')
        .trim();
    if ('text' in value) return String(value.text).trim();
    if ('result' in value) return value.result == null ? '' : String(value.result).trim();
    return '';
  }
  return String(value).trim();
}
