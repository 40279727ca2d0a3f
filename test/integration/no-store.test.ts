import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runNextExportJob } from '../../src/exports/export-jobs';
import { useTestApp } from '../support/app';
import { anonymousAgent, loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createRegionTree, createUser } from '../support/factories';
import { binaryParser } from '../support/xlsx';

// Item 5 (half) of issue 11: no page or file of a logged-in user is kept by a browser or a proxy cache,
// and opening a card for editing is a read of personal data like opening the card.

const exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reestr-no-store-'));
const ctx = useTestApp({ EXPORT_DIR: exportDir });
const db = () => ctx.database.ownerDb;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let coordinator: { agent: Agent; csrf: string };
let memberId: number;

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  [memberId] = (await createMembers(db(), tree.primary, 1, { phone: '+79001234567', snils: '11223344595' })) as [
    number,
  ];
  coordinator = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: tree.region }]));
});

const expectNoStore = (res: { headers: Record<string, string> }, what: string) =>
  expect(res.headers['cache-control'], what).toMatch(/(^|,\s*)no-store(,|$)/);

describe('caching of personal data', () => {
  it('when a logged-in user opens pages, downloads files or meets an error, then every response says no-store', async () => {
    const a = coordinator.agent;
    const inpo = tree.primary.inpo;
    const responses: [string, { headers: Record<string, string> }][] = [
      ['home', await a.get('/').expect(200)],
      ['member list', await a.get(`/orgs/${inpo}/members`).expect(200)],
      ['member card', await a.get(`/members/${memberId}`).expect(200)],
      ['card edit', await a.get(`/members/${memberId}/edit`).expect(200)],
      ['list CSV', await a.get(`/orgs/${inpo}/members/export.csv`).expect(200)],
      ['list XLSX', await a.get(`/orgs/${inpo}/members/export.xlsx`).buffer(true).parse(binaryParser).expect(200)],
      ['org export', await a.get(`/orgs/${inpo}/export.xlsx`).buffer(true).parse(binaryParser)],
      ['report JSON', await a.get(`/reports/5-SP/${inpo}/2026-01-01.json`).expect(200)],
      ['report PDF', await a.get(`/reports/5-SP/${inpo}/2026-01-01.pdf`).buffer(true).parse(binaryParser).expect(200)],
      ['not found', await a.get('/members/999999999').expect(404)],
    ];
    const queued = await a
      .post(`/orgs/${inpo}/members/export-jobs`)
      .type('form')
      .send({ _csrf: coordinator.csrf, format: 'csv' })
      .expect(303);
    await runNextExportJob(ctx.deps.db, exportDir, ctx.deps.logger);
    responses.push(['background export', await a.get(`${queued.headers.location}/download`).expect(200)]);
    for (const [what, res] of responses) expectNoStore(res, what);
  });

  it('when anyone asks for a static asset, then it stays cacheable', async () => {
    const { agent } = await anonymousAgent(ctx.app);
    const url = /href="(\/assets\/css\/bootstrap\.[^"]+)"/.exec((await agent.get('/login').expect(200)).text)![1]!;
    const css = await agent.get(url).expect(200);
    expect(css.headers['cache-control'] ?? '').not.toContain('no-store');
  });
});

describe('reading a card for editing', () => {
  it('when a user opens the card edit page, then a read-audit row is written like for the card', async () => {
    const before = await db()('audit_log').where({ action: 'member.viewed', entity_id: String(memberId) });
    await coordinator.agent.get(`/members/${memberId}/edit`).expect(200);
    const after = await db()('audit_log').where({ action: 'member.viewed', entity_id: String(memberId) });
    expect(after).toHaveLength(before.length + 1);
    expect(after.at(-1)).toMatchObject({ entity: 'member', organization_id: tree.primary.id });
  });
});
