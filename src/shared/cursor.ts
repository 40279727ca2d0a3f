/** Keyset pagination cursors: the last row's sort values, opaque in the URL. */
export type Cursor = (string | number)[];

export function encodeCursor(values: Cursor): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** The cursor's values when it is well-formed with `length` parts, else null (a bad cursor restarts the list). */
export function decodeCursor(value: string | undefined, length: number): Cursor | null {
  if (!value) return null;
  try {
    const parts = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown;
    return Array.isArray(parts) && parts.length === length && parts.every((p) => typeof p === 'string' || Number.isSafeInteger(p)) ? (parts as Cursor) : null;
  } catch {
    return null;
  }
}
