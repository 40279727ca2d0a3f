import { beforeAll, describe, expect, it, vi } from 'vitest';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { chairRow, createMembers, createOrg, createRegionTree, createUser } from '../support/factories';
import { todayIso } from '../../src/shared/dates';
import { currentReportingDate } from '../../src/reports/periods';
import { ensureMemberStateCache } from '../../src/reports/indicators/member-state-cache';
import type { OrgRow } from '../../src/registry/org-row';
import { createMonitoringService, type OnlineAdmissions } from '../../src/monitoring/monitoring.service';
import { createReportsService } from '../../src/reports/reports.service';
import { primaryReads } from '../../src/db/replica';

// A region of 13 territories: territory i (0–11) has one ППО with i + 1 members and declared figures of 20
// (coverage 5 %, 10 %, … 60 %); the 13th has neither. Every expected figure is counted again from the tables.
const ctx = useTestApp();
const db = () => ctx.database.ownerDb;
const TODAY = todayIso();
const QUARTER = ['01-01', '04-01', '07-01', '10-01'];
const REPORTING_DATE = currentReportingDate({ reportingDates: QUARTER } as never, TODAY);
let region: OrgRow, territories: OrgRow[], ppos: OrgRow[], otherRegion: OrgRow, otherPpo: OrgRow;
let coordinator: Agent, admin: Agent, chair: Agent, otherCoordinator: Agent;
let pendingIds: number[];

/** The dashboard section of an organization on a home page. */
const section = (html: string, inpo: string) => {
  const start = html.indexOf(`data-dashboard="${inpo}"`);
  expect(start).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</section>', start));
};
const figure = (html: string, key: string) =>
  new RegExp(`data-figure="${key}"[^>]*>(?:<strong>)?([^<]*)`).exec(html)?.[1]?.trim();
const figureValue = (html: string, key: string) =>
  new RegExp(`data-figure="${key}" data-value="([^"]*)"`).exec(html)?.[1];
const task = (html: string, key: string) => {
  const m = new RegExp(`data-task="${key}" data-count="(\\d+)">(?:<a href="([^"]+)")?`).exec(html);
  return m && { count: Number(m[1]), href: m[2]?.replace(/&amp;/g, '&') };
};
const boardInpos = (html: string) => [...html.matchAll(/<tr data-inpo="(\d+)"/g)].map((m) => m[1]).sort();

/** Members on record now under an organization, counted from the cards. */
async function membersUnder(org: OrgRow): Promise<number> {
  const { rows } = await db().raw(
    `SELECT count(*)::int AS n FROM members m JOIN organizations o ON o.id = m.organization_id
      WHERE o.path <@ ?::ltree AND m.left_on IS NULL AND m.merged_into_id IS NULL`,
    [org.path],
  );
  return rows[0].n;
}

beforeAll(async () => {
  const tree = await createRegionTree(db(), 31);
  region = tree.region;
  territories = [tree.territory];
  for (let i = 1; i < 13; i++) territories.push(await createOrg(db(), region, 'territorial'));
  ppos = [tree.primary];
  for (let i = 1; i < 13; i++) ppos.push(await createOrg(db(), territories[i]!, 'primary'));
  for (let i = 0; i < 12; i++) await createMembers(db(), ppos[i]!, i + 1);
  // one who left (not on record) and two admitted after the reporting date (on record now, not then)
  await createMembers(db(), ppos[0]!, 1, { left_on: '2025-06-01' });
  await createMembers(db(), ppos[0]!, 2, { joined_on: TODAY });
  // a liquidated ППО is no ППО on record
  const gone = await createOrg(db(), territories[12]!, 'primary');
  await db()('organizations').where({ id: gone.id }).update({ liquidated_on: '2025-01-01' });
  await db()('declared_figures').insert(
    territories
      .slice(0, 12)
      .map((t) => ({ organization_id: t.id, on_date: '2025-01-01', members_total: 20, source: 'entered' })),
  );
  await db()('org_officers').insert([
    chairRow(ppos[0]!.id, '2024-01-01'),
    chairRow(ppos[1]!.id, '2025-05-01'),
    chairRow(ppos[2]!.id, '2099-01-01'),
  ]);
  // the campaign of 2-СП on the reporting date: T0 accepted, T1 filed, T2 returned; the rest not filed (overdue)
  await db()('reports').insert([
    { organization_id: territories[0]!.id, form_code: '2-SP', report_date: REPORTING_DATE, status: 'accepted' },
    { organization_id: territories[1]!.id, form_code: '2-SP', report_date: REPORTING_DATE, status: 'submitted' },
    { organization_id: territories[2]!.id, form_code: '2-SP', report_date: REPORTING_DATE, status: 'returned' },
  ]);
  // another region, with members, declared figures and a transfer request of its own
  const other = await createRegionTree(db(), 32);
  otherRegion = other.region;
  otherPpo = other.primary;
  await createMembers(db(), otherPpo, 5);
  await db()('declared_figures').insert({
    organization_id: other.territory.id,
    on_date: '2025-01-01',
    members_total: 100,
    source: 'entered',
  });
  const [m1, m2, m3, m4] = await createMembers(db(), otherPpo, 4);
  const request = (member_id: number, to: OrgRow, status = 'pending') => ({
    member_id,
    from_organization_id: otherPpo.id,
    to_organization_id: to.id,
    transfer_on: '2026-01-10',
    status,
    ...(status === 'pending' ? {} : { decided_at: new Date(), decline_reason: 'нет мест' }),
  });
  const rows = await db()('transfer_requests')
    .insert([
      request(m1!, ppos[0]!),
      request(m2!, ppos[5]!),
      request(m3!, ppos[1]!, 'declined'),
      request(m4!, other.territory),
    ])
    .returning(['id', 'to_organization_id', 'status']);
  pendingIds = rows
    .filter((r) => r.status === 'pending' && r.to_organization_id !== other.territory.id)
    .map((r) => r.id)
    .sort();
  const agents = await Promise.all(
    [
      [{ role: 'coordinator' as const, org: region }],
      [{ role: 'admin' as const, org: tree.union }],
      [{ role: 'chair' as const, org: ppos[0]! }],
      [{ role: 'coordinator' as const, org: otherRegion }],
    ].map(async (grants) => (await loggedInAgent(ctx.app, await createUser(db(), grants))).agent),
  );
  [coordinator, admin, chair, otherCoordinator] = agents as [Agent, Agent, Agent, Agent];
});

describe('the home page dashboard', () => {
  it('when a coordinator opens the home page, then each headline figure equals an independent count of their subtree', async () => {
    const html = section((await coordinator.get('/').expect(200)).text, region.inpo);
    const members = await membersUnder(region);
    expect(members).toBe(78 + 2);
    expect(figure(html, 'members')).toBe(String(members));
    const { rows } = await db().raw(
      `SELECT count(*)::int AS n FROM organizations WHERE path <@ ?::ltree AND level = 'primary' AND liquidated_on IS NULL`,
      [region.path],
    );
    expect(figure(html, 'primary')).toBe(String(rows[0].n));
    // 80 members of 12 × 20 declared
    expect(figureValue(html, 'coverage')).toBe(String(Math.round((members / 240) * 1000) / 10));
    expect(html).toContain('более 20 %');
    // the campaign: 2 filed (1 accepted) of 13, 1 returned, 11 overdue
    expect(html).toContain('data-campaign="2/13"');
    expect(html).toMatch(/<progress[^>]*value="2" max="13"/);
    expect(html).toContain('Принято: 1 · возвращено: 1 · просрочено: 11');
    // the reporting date's statistics are not built: no figure computed in the request, and the page says so
    expect(figureValue(html, 'change')).toBe('');
    expect(html).toContain('статистика на эту дату ещё не построена');
  });

  it("when the reporting date's member state is built, then the change since it is shown", async () => {
    await ensureMemberStateCache(db(), [REPORTING_DATE]);
    const html = section((await coordinator.get('/').expect(200)).text, region.inpo);
    expect(figureValue(html, 'change')).toBe('2');
  });

  it('when the worst children are listed, then they are the 10 of lowest coverage, lowest first, each with its band and monitoring link', async () => {
    const html = section((await coordinator.get('/').expect(200)).text, region.inpo);
    const worst = [...html.matchAll(/data-worst="(\d+)"/g)].map((m) => m[1]);
    const coverage = await Promise.all(
      territories.slice(0, 12).map(async (t) => ({ t, pct: (await membersUnder(t)) / 20 })),
    );
    coverage.sort((a, b) => a.pct - b.pct || a.t.name.localeCompare(b.t.name, 'ru'));
    expect(worst).toEqual(coverage.slice(0, 10).map((c) => c.t.inpo));
    expect(html).toContain(`href="/orgs/${territories[0]!.inpo}/monitoring"`);
    // T0: 3 on record of 20 = 15 %, the lowest band; T9: 10 of 20 = 50 %, not over 50
    const row = (inpo: string) => html.slice(html.indexOf(`data-worst="${inpo}"`)).split('</tr>')[0]!;
    expect(row(territories[0]!.inpo)).toMatch(/table-dark" data-value="15"/);
    expect(row(territories[9]!.inpo)).toMatch(/table-danger" data-value="50"/);
  });

  it('when the tasks are counted, then each link lists exactly the counted items', async () => {
    const html = section((await coordinator.get('/').expect(200)).text, region.inpo);
    const overdue = task(html, 'overdue')!;
    expect(overdue.count).toBe(11);
    const overdueList = await coordinator.get(overdue.href!).expect(200);
    expect(boardInpos(overdueList.text)).toEqual(
      territories
        .filter((_, i) => i !== 0 && i !== 1)
        .map((t) => t.inpo)
        .sort(),
    );
    const returned = task(html, 'returned')!;
    expect(returned.count).toBe(1);
    expect(boardInpos((await coordinator.get(returned.href!).expect(200)).text)).toEqual([territories[2]!.inpo]);
    const transfers = task(html, 'transfers')!;
    expect(transfers.count).toBe(2);
    const listed = [
      ...(await coordinator.get(transfers.href!).expect(200)).text.matchAll(/\/transfer-requests\/(\d+)\/decide/g),
    ];
    expect(listed.map((m) => Number(m[1])).sort()).toEqual(pendingIds);
    const expired = task(html, 'expired-terms')!;
    expect(expired.count).toBe(2);
    const search = (await coordinator.get(expired.href!).expect(200)).text;
    for (const p of ppos) expect(search.includes(p.inpo), p.inpo).toBe(p === ppos[0] || p === ppos[1]);
  });

  it('when a chair opens the home page, then it shows their ППО: members and change, their reports, their term', async () => {
    const text = (await chair.get('/').expect(200)).text;
    expect(text).not.toContain('data-dashboard=');
    const own = text.slice(text.indexOf(`data-chair="${ppos[0]!.inpo}"`));
    expect(text).toContain(`Членов Профсоюза на учёте: <strong>${await membersUnder(ppos[0]!)}</strong>`);
    // 1 on the reporting date, 3 now
    expect(figureValue(own, 'change')).toBe('1');
    expect(own).toContain('<strong>+2</strong>');
    expect(own).toMatch(/data-report="[^"]+"><a href="\/reports\/[^/]+\/\d+\/\d{4}-\d{2}-\d{2}">[^<]+<\/a>: не начат/);
    expect(figure(own, 'term')).toContain('до 01.01.2024');
    expect(own).toContain('истёк');
  });

  it('when a coordinator of another region or the federal administrator opens theirs, then each sees their own subtree only', async () => {
    const other = section((await otherCoordinator.get('/').expect(200)).text, otherRegion.inpo);
    expect(figure(other, 'members')).toBe(String(await membersUnder(otherRegion)));
    expect(other).not.toContain(region.inpo);
    for (const t of territories) expect(other).not.toContain(t.inpo);
    expect(task(other, 'transfers')!.count).toBe(1);
    const union = await db()('organizations').where({ level: 'union' }).first();
    await db()('declared_figures').insert(
      [region, otherRegion].map((r) => ({
        organization_id: r.id,
        on_date: '2025-01-01',
        members_total: 100,
        source: 'entered',
      })),
    );
    const whole = section((await admin.get('/').expect(200)).text, union.inpo);
    expect(figure(whole, 'members')).toBe(String(await membersUnder(union)));
    const worst = [...whole.matchAll(/data-worst="(\d+)"/g)].map((m) => m[1]);
    // 9 of 100 in the other region, 80 of 100 in this one
    expect(worst).toEqual([otherRegion.inpo, region.inpo]);
  });

  it('when the figures are kept, then later requests read them and a stale one starts a recount in the background', async () => {
    const reports = createReportsService(db());
    const unused = {} as OnlineAdmissions;
    const monitoring = createMonitoringService(db(), primaryReads(db()), reports, unused, { dashboardKeptMs: 60_000 });
    // the clock alone is moved (the timers stay real): a loaded machine must not make the minute pass
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const first = await monitoring.dashboard(region);
      await createMembers(db(), ppos[11]!, 1);
      expect((await monitoring.dashboard(region)).members).toBe(first.members);
      vi.setSystemTime(Date.now() + 61_000);
      // past the minute: the kept figures still answer, the recount runs beside
      expect((await monitoring.dashboard(region)).computedAt).toEqual(first.computedAt);
      await vi.waitFor(async () => expect((await monitoring.dashboard(region)).members).toBe(first.members + 1));
    } finally {
      vi.useRealTimers();
    }
  });
});
