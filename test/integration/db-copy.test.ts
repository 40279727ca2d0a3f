import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyInto, copyLine } from '../../src/db/copy';
import { createTestDatabase, type TestDatabase } from '../support/db';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database?.drop());

const createTemp = (trx: Knex.Transaction) =>
  trx.raw('CREATE TEMP TABLE copied (n integer, t text, b boolean) ON COMMIT DROP');

describe('COPY on a transaction', () => {
  it("when values hold tabs, newlines, backslashes and nulls, then they arrive unchanged in the transaction's temporary table, chunk after chunk", async () => {
    const rows = await database.db.transaction(async (trx) => {
      await createTemp(trx);
      await copyInto(trx, 'copied', ['n', 't', 'b'], (write) => write(copyLine([1, 'a\tb\nc\\d\re', true])));
      await copyInto(trx, 'copied', ['n', 't', 'b'], async (write) => {
        await write(copyLine([2, null, false]));
        await write(copyLine([3, 'Ёлка', undefined]));
      });
      return (await trx('copied').orderBy('n')).map((r) => [r.n, r.t, r.b]);
    });
    expect(rows).toEqual([
      [1, 'a\tb\nc\\d\re', true],
      [2, null, false],
      [3, 'Ёлка', null],
    ]);
  });

  it('when the feed fails halfway, then the COPY is abandoned, the error reaches the caller and the connection serves again', async () => {
    await expect(
      database.db.transaction(async (trx) => {
        await createTemp(trx);
        await copyInto(trx, 'copied', ['n', 't', 'b'], async (write) => {
          await write(copyLine([1, 'x', true]));
          throw new Error('the file ended early');
        });
      }),
    ).rejects.toThrow('the file ended early');
    expect((await database.db.raw('SELECT 1 AS ok')).rows[0].ok).toBe(1);
  });
});
