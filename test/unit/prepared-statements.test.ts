import { describe, expect, it } from 'vitest';
import type pg from 'pg';
import { PREPARED, nameStatementsOf } from '../../src/db/prepared';

/** A client that records the configs its query receives. */
function recordingClient() {
  const sent: unknown[] = [];
  const client = { query: (config: unknown) => sent.push(config) } as unknown as pg.Client;
  return { client, sent };
}

describe('named statements (db/prepared.ts)', () => {
  it('when a query is marked PREPARED, then it is sent named after its text; unmarked queries are sent as given', () => {
    const { client, sent } = recordingClient();
    nameStatementsOf(client);
    client.query({ text: 'SELECT $1::int', values: [1], ...PREPARED } as pg.QueryConfig);
    client.query({ text: 'SELECT $1::int', values: [2], ...PREPARED } as pg.QueryConfig);
    client.query({ text: 'SELECT $1::text', values: ['a'], ...PREPARED } as pg.QueryConfig);
    client.query({ text: 'SELECT 2', values: [] });
    client.query('SET jit = off');
    const [a, b, c, plain, setup] = sent as { name?: string; values?: unknown[] }[];
    expect(a!.name).toMatch(/^p_[0-9a-f]{24}$/);
    expect(b!.name).toBe(a!.name);
    expect(b!.values).toEqual([2]);
    expect(c!.name).not.toBe(a!.name);
    expect(plain!.name).toBeUndefined();
    expect(setup).toBe('SET jit = off');
  });

  it('when every statement of a pool is named (the session store), then a text with values is sent named and one without as given', () => {
    const { client, sent } = recordingClient();
    nameStatementsOf(client, { all: true });
    client.query('SELECT sess FROM sessions WHERE sid = $1', ['abc']);
    client.query('SELECT 1');
    const [named, plain] = sent as [{ name: string; text: string; values: unknown[] }, string];
    expect(named).toMatchObject({ text: 'SELECT sess FROM sessions WHERE sid = $1', values: ['abc'] });
    expect(named.name).toMatch(/^p_/);
    expect(plain).toBe('SELECT 1');
  });
});
