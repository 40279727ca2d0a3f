import type { Server } from 'node:http';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, logIn, request, type Transfer } from '../../scripts/page-weight/transfer';
import { useTestApp } from '../support/app';
import { createMembers, createRegionTree, createUser } from '../support/factories';
import { listen, stopListening } from '../support/listen';

// Issue 22, item 1: the app's text answers travel compressed (brotli or gzip), compressed formats as they are, and
// a streamed export is flushed as it goes instead of being held back whole by the compressor.

const ctx = useTestApp();
let server: Server;
let base: string;
let cookie: string;
let inpo: string;
const MEMBERS = 700;

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  const tree = await createRegionTree(db, 16);
  inpo = tree.primary.inpo;
  await createMembers(db, tree.primary, MEMBERS, { email: 'teacher@example.ru', phone: '+79001234567' });
  const chair = await createUser(db, [{ role: 'chair', org: tree.primary }]);
  ({ baseUrl: base, server } = await listen(ctx.app));
  cookie = await logIn(base, chair.username, chair.password);
});
afterAll(() => stopListening(server));

const as = (url: string, encoding: string): Promise<Transfer> =>
  request(`${base}${url}`, { method: 'GET', headers: { cookie, 'accept-encoding': encoding } });

/** The same answer but for what each request makes anew: a page's one-time form token, a report's computing time. */
const sameAnswer = (a: Buffer, b: Buffer) => {
  const stable = (x: Buffer) =>
    x
      .toString()
      .replace(/name="formToken" value="[^"]+"/g, '')
      .replace(/"computedAt":"[^"]+"/, '');
  return stable(a) === stable(b);
};

describe('compression', () => {
  it('when a browser accepts brotli or gzip, then pages, JSON, CSV, CSS and scripts come in that encoding and decode to the plain answer', async () => {
    const login = (await get(`${base}/login`)).body.toString();
    const css = /href="(\/assets\/css\/bootstrap\.[^"]+)"/.exec(login)![1]!;
    const js = /src="(\/assets\/js\/htmx\.min\.[^"]+)"/.exec(login)![1]!;
    const urls = [
      `/orgs/${inpo}/members`,
      `/reports/5-SP/${inpo}/2026-01-01.json`,
      `/orgs/${inpo}/members/export.csv`,
      css,
      js,
    ];
    for (const url of urls) {
      const plain = await as(url, 'identity');
      expect(plain.status, url).toBe(200);
      expect(plain.headers['content-encoding'], url).toBeUndefined();
      for (const encoding of ['br', 'gzip']) {
        const packed = await as(url, encoding);
        expect(packed.headers['content-encoding'], `${url} ${encoding}`).toBe(encoding);
        expect(packed.headers.vary, url).toMatch(/accept-encoding/i);
        expect(packed.bytes, `${url} ${encoding}`).toBeLessThan(plain.bytes / 3);
        expect(sameAnswer(packed.body, plain.body), `${url} ${encoding}`).toBe(true);
      }
    }
  });

  it('when an XLSX or a PDF is downloaded, then it is sent as it is: both are compressed formats already', async () => {
    for (const url of [`/orgs/${inpo}/members/export.xlsx`, `/reports/5-SP/${inpo}/2026-01-01.pdf`]) {
      const res = await as(url, 'br, gzip');
      expect(res.status, url).toBe(200);
      expect(res.headers['content-encoding'], url).toBeUndefined();
      expect(['PK', '%PDF'], url).toContain(res.body.subarray(0, url.endsWith('.pdf') ? 4 : 2).toString('latin1'));
    }
  });

  it('when a CSV export is streamed compressed, then the compressor is flushed every 64 KB of file, not once at the end', async () => {
    const whole = (await as(`/orgs/${inpo}/members/export.csv`, 'identity')).body;
    expect(whole.toString().trim().split('\n')).toHaveLength(MEMBERS + 1);
    const { raw } = await as(`/orgs/${inpo}/members/export.csv`, 'gzip');
    // each flush ends with an empty stored block: 00 00 ff ff
    const marker = Buffer.from([0, 0, 0xff, 0xff]);
    const flushes: number[] = [];
    for (let at = raw.indexOf(marker); at >= 0; at = raw.indexOf(marker, at + 1)) flushes.push(at);
    expect(flushes.length).toBeGreaterThanOrEqual(Math.floor(whole.length / (64 * 1024)));
    // what was sent up to the first flush decodes alone to the start of the file
    const prefix = zlib.gunzipSync(raw.subarray(0, flushes[0]! + marker.length), {
      finishFlush: zlib.constants.Z_SYNC_FLUSH,
    });
    expect(prefix.length).toBeGreaterThanOrEqual(64 * 1024);
    expect(prefix.length).toBeLessThan(whole.length);
    expect(whole.subarray(0, prefix.length).equals(prefix)).toBe(true);
  });
});
