import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, type CursorPart } from '../../src/shared/cursor';

const PARTS: CursorPart[] = ['text', 'date', 'integer', 'bigint'];
const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('list cursors', () => {
  it('when a cursor of well-typed values is encoded, then it decodes to the same values and is safe in a URL', () => {
    const day = fc
      .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    const values = fc.tuple(
      fc.string({ maxLength: 1000 }).filter((s) => !s.includes('\u0000')),
      day,
      fc.integer({ min: -2_147_483_647, max: 2_147_483_647 }),
      fc.maxSafeInteger(),
    );
    fc.assert(
      fc.property(values, (cursor) => {
        const encoded = encodeCursor(cursor);
        expect(encoded).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(decodeCursor(encoded, PARTS)).toEqual(cursor);
      }),
    );
  });

  it('when a cursor is missing, garbled or not a JSON array of the right length, then the list restarts (null)', () => {
    for (const value of [
      undefined,
      '',
      '!!!',
      Buffer.from('{').toString('base64url'),
      forged({ a: 1 }),
      forged(['x']),
      forged(['x', '2024-01-01', 1, 2, 3]),
    ]) {
      expect(decodeCursor(value, PARTS), String(value)).toBeNull();
    }
  });

  it('when a value does not fit its column, then the cursor is refused rather than failing the query', () => {
    const good = ['a', '2024-01-31', 1, 2];
    const spoil = (i: number, value: unknown) => forged(good.map((v, j) => (j === i ? value : v)));
    expect(decodeCursor(forged(good), PARTS)).toEqual(good);
    for (const [i, value] of [
      [0, 'x'.repeat(1001)],
      [0, 'a\u0000b'],
      [0, 5],
      [1, '2024-02-30'],
      [1, '0000-01-01'],
      [1, '2024-1-01'],
      [1, 20240131],
      [2, 2_147_483_648],
      [2, 1.5],
      [2, '1'],
      [3, Number.MAX_SAFE_INTEGER + 1],
      [3, null],
    ] as const) {
      expect(decodeCursor(spoil(i, value), PARTS), `${PARTS[i]} ${String(value).slice(0, 20)}`).toBeNull();
    }
  });
});
