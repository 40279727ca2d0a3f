// PostgreSQL text and jsonb cannot hold U+0000 (SQLSTATE 22021 / 22P05): a NUL byte that reaches a query
// fails it, so input is checked for it at the edge, where the field can still be named.

export const NUL = '\u0000';

/** The name of the first value holding a NUL byte in a parsed body, query or JSON ('ids.2', 'name'), else null. */
export function findNul(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.includes(NUL) ? path || 'значение' : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes(NUL)) return key.replaceAll(NUL, '');
    const found = findNul(item, path ? `${path}.${key}` : key);
    if (found) return found;
  }
  return null;
}

export const nulMessage = (field: string) => `Недопустимый символ (код 0) в поле «${field}»: удалите его и повторите`;

/** An imported file's cell with a NUL byte: reported on its line and column like any other bad value. */
export const NUL_CELL_MESSAGE = 'Недопустимый символ (код 0) в ячейке: удалите его и загрузите файл снова';
