// Property-based fuzzing of every route (issue 11, item 14; security.md "fuzzing every route"). Each route
// starts from a request that does its work (test/fuzz-fields.ts) on real objects (route-fixture.ts), and
// fast-check spoils one or two of its query parameters or form fields — or a path parameter, or the CSRF
// token — with generated strings (NUL, huge, unicode, __proto__), numbers (0x10, 1e308, -0, NaN), dates
// (0001-01-01, 2024-02-30, 99999-01-01), keyset cursors of junk, and duplicated or missing fields. Whatever
// it sends: no 5xx, no stack trace or SQL in the answer, no value that reaches the database unchecked (the
// error handler's backstop would answer 400: the test reads its log), and a refused POST (4xx) changes
// nothing in the database (GETs never change it: get-never-writes.test.ts).
//
// Fixed seed and four runs per route for CI (with ~200 routes, ten runs took 90 s of the suite's 10 minutes on
// 2 cores; every route is still fuzzed on every run, each field spoiled in turn); a long run is
// opt-in: FUZZ_RUNS=300 FUZZ_SEED=7 npx vitest run test/integration/input-fuzz.test.ts (DATABASE_URL as for npm test).
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app';
import { AUTHZ_MATRIX, type MatrixEntry } from '../authz-matrix';
import { FUZZ_FIELDS, VERSION_FIELDS, type FuzzEntry } from '../fuzz-fields';
import { useTestApp } from '../support/app';
import {
  auditActionsSince,
  changedTables,
  DERIVED_CACHES,
  fingerprint,
  type Fingerprint,
} from '../support/db-fingerprint';
import { hiddenFields, scrapeForms } from '../support/forms';
import { createRouteFixture, type RouteFixture } from '../support/route-fixture';

const RUNS = Number(process.env.FUZZ_RUNS ?? 4);
const SEED = Number(process.env.FUZZ_SEED ?? 20261128);

const ctx = useTestApp();
let fx: RouteFixture;
let state: Fingerprint;
let fuzzed: App;
/** What the error handler reported: a value the database refused is a miss of its source even when answered with 400. */
const reported: { msg: string; err?: { code?: string; message?: string } }[] = [];
const REPORTS = new Set(['database refused a value of the request', 'unhandled error']);

const STACK_OR_SQL =
  /(at \S+ \(|node_modules|\.ts:\d+|SELECT |INSERT |UPDATE |syntax error|ReferenceError|TypeError|knex|violates)/;
/** Writes a GET or a refused request may make: read-audit rows, and the union statistics cache (get-never-writes.test.ts). */
const READ_AUDIT = new Set([
  'member.viewed',
  // a document generated from a template: a read of the personal data it prints
  'document.generated',
  'member.exported',
  'org.exported',
  'audit.exported',
  'user.chairs_exported',
  // an officer's personnel file read (also shown again with a refused form's messages), its document taken
  'officer.file.viewed',
  'officer.file.document_downloaded',
]);

const key = (e: Pick<MatrixEntry, 'method' | 'path'>) => `${e.method} ${e.path}`;
/** Logging out ends the fuzzing session; it has nothing to fuzz. */
const FUZZED = AUTHZ_MATRIX.filter((e) => !e.endsSession);

beforeAll(async () => {
  const logger = pino({ level: 'warn' }, { write: (line: string) => void reported.push(JSON.parse(line)) });
  fuzzed = createApp({ ...ctx.deps, logger });
  fx = await createRouteFixture(fuzzed.app, ctx.database.ownerDb);
  state = await fingerprint(ctx.database.ownerDb);
  reported.length = 0;
});
afterAll(() => fuzzed.close());

const NASTY = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '__proto__',
  'constructor',
  'x'.repeat(5000),
  'я'.repeat(60_000),
  '0x10',
  '0b11',
  '1e3',
  '1e308',
  '-1e308',
  '-0',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '2147483648',
  '9007199254740993',
  '99999999999999999999',
  '1.5',
  ' 7 ',
  '٣',
  '-'.repeat(36),
  '00000000-0000-0000-0000-00000000000g',
  '+79001234567',
  '=1+1',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '%00',
  '\ud800',
  '😀'.repeat(20),
  '../../etc/passwd',
  'null',
  'undefined',
  'true',
  'on',
  '[]',
  '{}',
  '-',
  '\r\n',
  '\t',
];

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** Days real and impossible, in both of the forms' notations: year 0, 1899, 99999; month 13; day 32. */
const dates = fc
  .record({
    y: fc.oneof(
      fc.integer({ min: 0, max: 9999 }),
      fc.constantFrom(1, 1899, 1900, 1989, 1990, 2026, 2027, 2100, 2101, 9999, 99999),
    ),
    m: fc.integer({ min: 0, max: 13 }),
    d: fc.integer({ min: 0, max: 32 }),
  })
  .chain(({ y, m, d }) =>
    fc.constantFrom(`${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`, `${pad(d, 2)}.${pad(m, 2)}.${pad(y, 4)}`),
  );
const numbers = fc.oneof(fc.integer(), fc.double(), fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n })).map(String);

const hostile: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 2, arbitrary: numbers },
  { weight: 3, arbitrary: dates },
);
/** A keyset cursor as the lists encode it, holding generated values instead of a row's. */
const cursors = fc
  .array(fc.oneof(hostile, fc.integer(), fc.double()), { minLength: 2, maxLength: 3 })
  .map((a) => Buffer.from(JSON.stringify(a)).toString('base64url'));

/** Junk for a field: generated values, and the field's own valid value spoiled (a NUL or a number's prefix added). */
const spoilOf = (valid: string | undefined): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 6, arbitrary: hostile },
    { weight: 2, arbitrary: fc.constantFrom('\u0000', '\u0000x').map((nul) => `${valid ?? ''}${nul}`) },
    { weight: 1, arbitrary: fc.constantFrom('0x', '+', ' ', '1e').map((prefix) => `${prefix}${valid ?? ''}`) },
    { weight: 1, arbitrary: cursors },
  );

type Change = { field: string; value: string; how: 'replace' | 'duplicate' | 'drop' };
interface Mutation {
  changes: Change[];
  path: { param: string; value: string } | null;
  csrf: 'ok' | 'missing' | 'wrong';
  /** A client's own X-Forwarded-For, passed on by a proxy (TRUST_PROXY) */
  forwardedFor: string | null;
}

function mutations(valid: Record<string, string | string[]>, pathParams: string[]): fc.Arbitrary<Mutation> {
  const fields = Object.keys(valid);
  const change = fc.constantFrom(...fields, '__proto__', 'constructor', 'x-unknown').chain((field) =>
    fc.record({
      field: fc.constant(field),
      value: spoilOf(Object.hasOwn(valid, field) ? [valid[field]!].flat()[0] : undefined),
      how: fc.constantFrom<Change['how']>('replace', 'replace', 'replace', 'duplicate', 'drop'),
    }),
  );
  const path = pathParams.length
    ? fc.oneof(
        { weight: 5, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.record({ param: fc.constantFrom(...pathParams), value: hostile }) },
      )
    : fc.constant(null);
  return fc.record({
    changes: fc.array(change, { minLength: 1, maxLength: 2 }),
    path,
    csrf: fc.constantFrom<Mutation['csrf']>('ok', 'ok', 'ok', 'ok', 'ok', 'missing', 'wrong'),
    // a header carries visible ASCII only
    forwardedFor: fc.oneof(
      { weight: 7, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: hostile.map((v) => v.replace(/[^\x20-\x7e]/g, '?')) },
    ),
  });
}

/** The valid values with the mutation's changes: duplicated fields are sent twice, dropped ones not at all. */
function spoil(valid: Record<string, string | string[]>, changes: Change[]): URLSearchParams {
  const out = new URLSearchParams();
  for (const [name, value] of Object.entries(valid)) for (const v of [value].flat()) out.append(name, v);
  for (const c of changes) {
    if (c.how === 'drop') out.delete(c.field);
    else if (c.how === 'duplicate') out.append(c.field, c.value);
    else out.set(c.field, c.value);
  }
  return out;
}

/** A path parameter replaced by generated text, percent-encoded as a browser would (lone surrogates made well-formed). */
function pathWith(path: string, mutation: Mutation): string {
  if (!mutation.path) return path;
  const { param, value } = mutation.path;
  return path.replace(`:${param}`, encodeURIComponent(value.replace(/[\ud800-\udfff]/gu, '\ufffd')));
}

/** The fields a route reads: its own, and the version and snapshot of a versioned form. */
function fieldsOf(fuzz: FuzzEntry): Record<string, string | string[]> {
  return {
    ...fuzz.query,
    ...fuzz.body,
    ...(fuzz.versionedBy ? Object.fromEntries(VERSION_FIELDS.map((f) => [f, ''])) : {}),
  };
}

/** What the form of a versioned route holds now (the row's version moves on with every save the fuzzer makes). */
async function versionNow(entry: MatrixEntry, fuzz: FuzzEntry): Promise<Record<string, string>> {
  if (!fuzz.versionedBy) return {};
  const page = await fx.admin.agent.get(fx.url(fuzz.versionedBy, fuzz.params)).expect(200);
  const action = fx.url(entry.path, fuzz.params);
  // an earlier run may have done the route's work (a member who left has no exit form): then there is nothing to send back
  if (!page.text.includes(`action="${action}"`)) return {};
  const hidden = hiddenFields(page.text, action);
  return Object.fromEntries(VERSION_FIELDS.map((f) => [f, hidden[f] ?? '']));
}

async function send(entry: MatrixEntry, mutation: Mutation) {
  const fuzz = FUZZ_FIELDS[key(entry)]!(fx.params);
  const url = fx.url(pathWith(entry.path, mutation), fuzz.params);
  const headers = mutation.forwardedFor === null ? {} : { 'X-Forwarded-For': mutation.forwardedFor };
  if (entry.method === 'GET') {
    const query = spoil(fuzz.query ?? {}, mutation.changes).toString();
    return fx.admin.agent.get(query ? `${url}?${query}` : url).set(headers);
  }
  const body = spoil({ ...(await versionNow(entry, fuzz)), ...fuzz.body }, mutation.changes);
  if (mutation.csrf === 'ok') body.set('_csrf', fx.admin.csrf);
  if (mutation.csrf === 'wrong') body.set('_csrf', `${fx.admin.csrf.slice(1)}x`);
  return fx.admin.agent
    .post(url)
    .set(headers)
    .set('Content-Type', 'application/x-www-form-urlencoded')
    .send(body.toString());
}

/** What the answer must not be, and what the database must still hold. */
async function problemsOf(
  entry: MatrixEntry,
  res: { status: number; text?: string; headers: Record<string, string> },
): Promise<string[]> {
  const problems: string[] = [];
  if (res.status >= 500) problems.push(`status ${res.status}`);
  if (/text|json/.test(res.headers['content-type'] ?? '') && STACK_OR_SQL.test(res.text ?? ''))
    problems.push(`leaks ${STACK_OR_SQL.exec(res.text!)![0]}`);
  for (const r of reported.splice(0))
    if (REPORTS.has(r.msg)) problems.push(`${r.msg}: ${r.err?.code ?? ''} ${r.err?.message ?? ''}`);
  // GETs are held to writing nothing by get-never-writes.test.ts; here the database is compared around POSTs only
  if (entry.method === 'GET') return problems;
  const after = await fingerprint(ctx.database.ownerDb);
  if (res.status >= 400) {
    const changed = changedTables(state, after).filter((t) => !DERIVED_CACHES.has(t));
    const audits = (await auditActionsSince(ctx.database.ownerDb, state)).filter((a) => !READ_AUDIT.has(a));
    if (changed.length || audits.length)
      problems.push(`refused (${res.status}) but wrote ${[...changed, ...audits].join(', ')}`);
  }
  state = after;
  return problems;
}

describe("the fuzzer's field lists", () => {
  it('when the matrix is read, then every route has an entry in the field lists, and every entry a route', () => {
    const routes = new Set(AUTHZ_MATRIX.map(key));
    expect(AUTHZ_MATRIX.map(key).filter((k) => !FUZZ_FIELDS[k])).toEqual([]);
    expect(Object.keys(FUZZ_FIELDS).filter((k) => !routes.has(k))).toEqual([]);
  });

  it("when the forms of every page are read, then each field they send is in its route's field list", async () => {
    const pages = [
      ...AUTHZ_MATRIX.filter((e) => e.method === 'GET').map((e) =>
        fx.url(e.path, e.path.endsWith('/versions') ? {} : { file: fx.params.date }),
      ),
      `/orgs/${fx.tree.other.inpo}/transfer-requests`,
      `/orgs/${fx.tree.territory.inpo}/reports/board?form=2-SP&date=${fx.params.date}`,
      `/orgs/${fx.params.inpo}/members/duplicates`,
    ];
    const missing = new Set<string>();
    let seen = 0;
    for (const page of pages) {
      const res = await fx.admin.agent.get(page);
      if (!/html/.test(res.headers['content-type'] ?? '')) continue;
      for (const form of scrapeForms(res.text, page, AUTHZ_MATRIX)) {
        const fuzz = FUZZ_FIELDS[form.route]?.(fx.params);
        const listed = new Set(Object.keys(fuzz ? fieldsOf(fuzz) : {}));
        seen++;
        for (const field of form.fields)
          if (!listed.has(field)) missing.add(`${form.route}: ${field} (a form on ${page})`);
      }
    }
    expect([...missing]).toEqual([]);
    expect(seen).toBeGreaterThan(30);
  });
});

describe('fuzzing every route', () => {
  for (const [index, entry] of FUZZED.entries()) {
    it(`when ${key(entry)} gets generated values, then no 5xx, no leak, and a refusal writes nothing`, async () => {
      const fuzz = FUZZ_FIELDS[key(entry)]!(fx.params);
      const pathParams = [...entry.path.matchAll(/:(\w+)/g)].map((m) => m[1]!);
      await fc.assert(
        fc.asyncProperty(mutations(fieldsOf(fuzz), pathParams), async (mutation) => {
          const res = await send(entry, mutation);
          if (process.env.FUZZ_LOG) console.log(key(entry), res.status, JSON.stringify(mutation).slice(0, 200));
          expect(await problemsOf(entry, res), JSON.stringify(mutation)).toEqual([]);
        }),
        // a seed per route, so that routes do not all get the same sequence of spoils
        { seed: SEED + index, numRuns: RUNS, endOnFailure: true },
      );
    });
  }
});
