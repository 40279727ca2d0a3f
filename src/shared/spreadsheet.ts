import type ExcelJS from 'exceljs';

/**
 * Free text that starts like a formula (= + - @, or a tab/CR that some spreadsheets skip) is prefixed
 * with an apostrophe, so a crafted name can never run as a formula in whoever opens the export.
 */
export function neutralizeFormula(value: string | null | undefined): string {
  if (value == null) return '';
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The text of a cell value whatever Excel stored there (rich text, hyperlink, formula result, number, date). */
export function cellValueText(value: ExcelJS.CellValue): string {
  if (value == null) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('').trim();
    if ('text' in value) return String(value.text).trim();
    if ('result' in value) return value.result == null ? '' : String(value.result).trim();
    return '';
  }
  return String(value).trim();
}
