// A read-only user (the curator, the statistician) walks every page of their subtree reachable from home
// and meets no control they cannot use: every link they are shown opens, and every POST form they are shown
// is one the authorization matrix lets them send. The matrix is the truth of what a route allows, so a page
// that shows an edit button its route refuses fails here.
import { beforeAll, describe, expect, it } from 'vitest';
import { AUTHZ_MATRIX, type MatrixEntry } from '../authz-matrix';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser, type TestUser } from '../support/factories';

const ctx = useTestApp();

/** Downloads are not pages: their links are checked to open, their bodies are not parsed. */
const DOWNLOAD = /\.(xlsx|csv|pdf|json)(\?|$)/;
/** Each page (see pageKey) is visited at most this often: a report's tenth date shows no control its first did not. */
const VISITS_PER_PAGE = 3;
/** One page of one object, whatever its date and query: a report's every date and a list's every sort are the same controls. */
const pageKey = (url: string) => url.split('?')[0]!.replace(/\d{4}-\d{2}-\d{2}/g, 'DATE');
/** What the matrix answers a user who may not do it: 403 inside the subtree, 404 where the thing does not exist for them. */
const REFUSED = new Set([403, 404]);

function entryFor(method: 'GET' | 'POST', url: string): MatrixEntry | undefined {
  const path = url.split('?')[0]!;
  const matches = AUTHZ_MATRIX.filter(
    (e) => e.method === method && new RegExp(`^${e.path.replace(/:\w+/g, '[^/]+')}$`).test(path),
  );
  // the most literal pattern wins (/orgs/:inpo/officers/new over /orgs/:inpo/officers/:officerId)
  const params = (e: MatrixEntry) => e.path.match(/:/g)?.length ?? 0;
  return matches.sort((a, b) => params(a) - params(b))[0];
}

const decode = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&#34;|&quot;/g, '"')
    .replace(/&#39;/g, "'");

function linksOf(html: string): string[] {
  return [...html.matchAll(/<a\b[^>]*\bhref="([^"]+)"/g)]
    .map((m) => decode(m[1]!))
    .filter((href) => href.startsWith('/') && !href.startsWith('//'));
}

function postActionsOf(html: string, page: string): string[] {
  return [...html.matchAll(/<form\b[^>]*>/g)]
    .map((m) => m[0])
    .filter((tag) => /\bmethod="post"/i.test(tag))
    .map((tag) => decode(/\baction="([^"]*)"/.exec(tag)?.[1] ?? page.split('?')[0]!));
}

interface Finding {
  page: string;
  problem: string;
}

async function crawl(
  agent: Agent,
  subject: 'curator' | 'statistician',
  starts: string[],
): Promise<{ findings: Finding[]; visited: string[] }> {
  const findings: Finding[] = [];
  const seen = new Set<string>(starts);
  const perPage = new Map<string, number>();
  const queue = starts.map((url) => ({ url, from: 'start' }));
  const visited: string[] = [];
  while (queue.length) {
    const { url, from } = queue.shift()!;
    const key = pageKey(url);
    if ((perPage.get(key) ?? 0) >= VISITS_PER_PAGE) continue;
    perPage.set(key, (perPage.get(key) ?? 0) + 1);
    const res = await agent.get(url);
    visited.push(url);
    if (res.status >= 400) {
      findings.push({ page: from, problem: `link to ${url} answers ${res.status}` });
      continue;
    }
    const location = res.headers.location as string | undefined;
    // a link that redirects (a report «open» to its dated page) is followed to where it leads
    if (res.status >= 300 && res.status < 400 && location?.startsWith('/') && !seen.has(location)) {
      seen.add(location);
      queue.push({ url: location, from: url });
    }
    if (res.status !== 200 || DOWNLOAD.test(url) || !/text\/html/.test(String(res.headers['content-type']))) continue;
    for (const action of postActionsOf(res.text, url)) {
      const entry = entryFor('POST', action);
      if (!entry) findings.push({ page: url, problem: `form posts to ${action}, a route the matrix does not know` });
      else if (REFUSED.has(entry.inside[subject])) {
        findings.push({ page: url, problem: `form posts to ${action} (${entry.path}), refused to this user` });
      }
    }
    for (const link of linksOf(res.text)) {
      if (link === '/logout' || seen.has(link)) continue;
      seen.add(link);
      queue.push({ url: link, from: url });
    }
  }
  return { findings, visited };
}

describe('read-only users see no control they cannot use', () => {
  const users = {} as Record<'curator' | 'statistician', TestUser>;
  let filedReport = '';

  beforeAll(async () => {
    const db = ctx.database.ownerDb;
    const tree = await createRegionTree(db, 16);
    const subdivision = await createOrg(db, tree.primary, 'subdivision');
    await createMembers(db, tree.primary, 2);
    await createMembers(db, subdivision, 1);
    await db('org_officers').insert({
      organization_id: tree.primary.id,
      post: 'deputy',
      surname: 'Петрова',
      name: 'Мария',
      elected_on: '2024-01-10',
    });
    // a report the ППО filed: its page is where a coordinator of the territory above would accept or return it
    const chair = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'chair', org: tree.primary }]));
    filedReport = `/reports/5-SP/${tree.primary.inpo}/2026-04-01`;
    await chair.agent.post(`${filedReport}/file`).type('form').send({ _csrf: chair.csrf }).expect(303);
    expect(await db('report_versions').count({ n: '*' }).first()).toEqual({ n: 1 });
    users.curator = await createUser(db, [{ role: 'curator', org: tree.region }]);
    users.statistician = await createUser(db, [{ role: 'statistician', org: tree.region }]);
  });

  for (const subject of ['curator', 'statistician'] as const) {
    it(`when a ${subject} walks every page from home, then every link opens and no form posts where they are refused`, async () => {
      const { agent } = await loggedInAgent(ctx.app, users[subject]);
      // the filed report is a start too: the walk from home reaches it only through many dates of its form
      const { findings, visited } = await crawl(agent, subject, ['/', filedReport]);
      // the walk reached the tree, not just the home page
      expect(visited.some((u) => /^\/orgs\/\d+\/structure$/.test(u))).toBe(true);
      expect(visited.some((u) => /^\/orgs\/\d+\/reports$/.test(u))).toBe(true);
      if (subject === 'curator') expect(visited.some((u) => /^\/members\/\d+$/.test(u))).toBe(true);
      expect(findings).toEqual([]);
    }, 120_000);
  }
});
