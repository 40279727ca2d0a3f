import { AppError } from './errors';

// A backstop, not the fix: input is checked where it enters (forms, URL ids, cursors, dates, files), and
// each of these codes found reaching the database was fixed at its source. Should another slip through,
// the user gets a 400 naming the kind of value instead of "internal error"; it is still logged as a warning.
// Only the codes that mean "this value cannot be read or stored" — not the whole class 22, whose
// division by zero (22012) and the like are our bugs. Constraint violations (23xxx) are src/db/pg-errors.ts.
const INPUT_ERRORS: Record<string, string> = {
  '22P02': 'Значение не того вида: например, буквы вместо числа',
  '22007': 'Неверная дата',
  '22008': 'Дата вне допустимого диапазона',
  '22003': 'Число вне допустимого диапазона',
  '22021': 'Недопустимый символ в тексте (например, с кодом 0)',
  '22P05': 'Недопустимый символ в тексте (например, с кодом 0)',
  '22001': 'Слишком длинное значение',
};

/** PostgreSQL's refusal of a value the request carried, as a 400; undefined for any other error. */
export function pgInputError(err: unknown): AppError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  const message = typeof code === 'string' ? INPUT_ERRORS[code] : undefined;
  return message ? new AppError(400, 'bad_value', `${message}. Проверьте введённые данные.`) : undefined;
}
