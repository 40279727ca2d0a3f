// npm run page-weight [-- --base http://127.0.0.1:3000 --user chair --password demo-password-1 --write]
//
// Measures the page-weight budget of issue 22 on a running app (`npm start` serves the demo union): the first
// visit of the login page with its assets, and the everyday pages of a chair after the first visit (bytes on the
// wire, compressed, headers included), then each of the passport, the member list and the 5-СП draft loaded by
// Chromium under the Slow 3G profile with its assets in the cache. `--write` puts the table into
// docs/performance.md between the page-weight markers.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser } from '../test/support/browser';
import { FIRST_VISIT_BUDGET_BYTES, PAGE_BUDGET_BYTES, firstVisit, kb } from './page-weight/budget';
import { SLOW_3G, cookiesFor, loadTime, throttle } from './page-weight/slow-network';
import { get, logIn } from './page-weight/transfer';
import { APP_ROOT } from '../src/app-paths';

const { values: args } = parseArgs({
  options: {
    base: { type: 'string', default: 'http://127.0.0.1:3000' },
    user: { type: 'string', default: 'chair' },
    password: { type: 'string', default: 'demo-password-1' },
    write: { type: 'boolean', default: false },
  },
});
const base = args.base;
const SLOW_PAGE_MS = 3000;
/** Loads per page on the slow link: the median is reported, with the fastest and slowest. */
const RUNS = 5;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const rows: string[] = [];
const row = (what: string, bytes: string, budget: string, pass: boolean) =>
  rows.push(`| ${what} | ${bytes} | ${budget} | ${pass ? 'pass' : '**miss**'} |`);

const login = await firstVisit(base, '/login');
const parts = [login.page, ...login.assets].map((t) => `${t.url.replace(base, '')} ${kb(t.bytes)}`).join(', ');
row(
  `login page, first visit (${parts})`,
  kb(login.bytes),
  `< ${kb(FIRST_VISIT_BUDGET_BYTES)}`,
  login.bytes < FIRST_VISIT_BUDGET_BYTES,
);

const cookie = await logIn(base, args.user, args.password);
const pages = await chairPages(cookie);
for (const [what, url] of Object.entries(pages)) {
  const page = await get(`${base}${url}`, { cookie });
  if (page.status !== 200) throw new Error(`${url} answered ${page.status}`);
  const raw = page.body.length;
  row(
    `${what} \`${url}\` (${kb(raw)} uncompressed)`,
    kb(page.bytes),
    `< ${kb(PAGE_BUDGET_BYTES)}`,
    page.bytes < PAGE_BUDGET_BYTES,
  );
}

const times = await slowNetworkTimes(cookie, [pages.passport, pages['member list'], pages['5-СП draft']]);
const measured = new Date().toISOString().slice(0, 16).replace('T', ' ');
const table = [
  `Measured ${measured} UTC by \`npm run page-weight\` against ${base} as \`${args.user}\`. Bytes on the wire: headers and`,
  'the body as sent (brotli), 1 KB = 1024 bytes; "after the first visit" = the assets are in the browser cache.',
  '',
  '| what | transferred | budget | result |',
  '| --- | --- | --- | --- |',
  ...rows,
  ...times.map(([url, runs]) => {
    const median = runs[Math.floor(runs.length / 2)]!;
    const range = `${seconds(runs[0]!)}–${seconds(runs.at(-1)!)}`;
    return `| \`${url}\` in Chromium, Slow 3G (${SLOW_3G.latency} ms latency, ${kb(SLOW_3G.downloadThroughput)}/s), after the first visit: median of ${RUNS} loads (${range}) | ${seconds(median)} | < 3 s | ${median < SLOW_PAGE_MS ? 'pass' : '**miss**'} |`;
  }),
].join('\n');
console.log(table);
if (args.write) writeSection(table);

/** The chair's own passport, member list, a member card and the latest 5-СП draft, found by following links. */
async function chairPages(cookie: string) {
  const html = async (url: string) => (await get(`${base}${url}`, { cookie })).body.toString();
  const inpo = /href="\/orgs\/(\d+)"/.exec(await html('/'))?.[1];
  if (!inpo) throw new Error('the home page links no organization');
  const memberId = /href="\/members\/(\d+)"/.exec(await html(`/orgs/${inpo}/members`))?.[1];
  const draft = new RegExp(`href="(/reports/5-SP/${inpo}/\\d{4}-\\d{2}-\\d{2})"`).exec(
    await html(`/orgs/${inpo}/reports`),
  )?.[1];
  if (!memberId || !draft) throw new Error(`organization ${inpo} has no member or no 5-СП date`);
  return {
    home: '/',
    passport: `/orgs/${inpo}`,
    'member list': `/orgs/${inpo}/members`,
    'member card': `/members/${memberId}`,
    '5-СП draft': draft,
  };
}

async function slowNetworkTimes(cookie: string, urls: string[]): Promise<[string, number[]][]> {
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    await context.addCookies(cookiesFor(base, cookie));
    const page = await context.newPage();
    const times: [string, number[]][] = [];
    for (const url of urls) {
      await page.goto(`${base}${url}`); // the first visit fills the cache
      const unthrottle = await throttle(page);
      const runs: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        const { ms, fetchedAssets } = await loadTime(page, `${base}${url}`);
        if (fetchedAssets.length) throw new Error(`${url} fetched its assets again: ${fetchedAssets.join(', ')}`);
        runs.push(ms);
      }
      times.push([url, runs.sort((a, b) => a - b)]);
      await unthrottle();
    }
    return times;
  } finally {
    await browser.close();
  }
}

function writeSection(table: string) {
  const file = path.join(APP_ROOT, 'docs', 'performance.md');
  const doc = fs.readFileSync(file, 'utf8');
  const start = '<!-- page-weight:start -->';
  const end = '<!-- page-weight:end -->';
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file} lacks the ${start} … ${end} markers`);
  fs.writeFileSync(file, `${doc.slice(0, from + start.length)}\n\n${table}\n\n${doc.slice(to)}`);
}
