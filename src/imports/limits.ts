import { ValidationError } from '../http/errors';

/** Excel's own limit for a cell's text: no real file has more, and no reader here keeps more in a string. */
export const MAX_CELL_CHARS = 32_767;

/** 0 → 'A', 27 → 'AB': the column as a spreadsheet shows it. */
export function columnLetters(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

export function cellTooLong(line: number, columnIndex: number): ValidationError {
  return new ValidationError([
    {
      field: 'file',
      message: `Строка ${line}, столбец ${columnLetters(columnIndex)}: в ячейке больше 32 767 знаков — столько не допускает и Excel`,
    },
  ]);
}
