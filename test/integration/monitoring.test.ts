import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import {
  chairRow,
  createMembers,
  createOrg,
  createRegionTree,
  createUser,
  uniq,
  withoutTermRule,
} from '../support/factories';
import { binaryParser, buildWorkbook, readSheet } from '../support/xlsx';
import { parseSvg } from '../support/svg';
import { todayIso } from '../../src/shared/dates';
import type { OrgRow } from '../../src/registry/org-row';

// A region with two territories: T1 (ППО P1 and P2) and T2 (P3 with one member, P4 with none). Every expected
// figure below is counted by hand from what this fixture creates.
const ctx = useTestApp();
const db = () => ctx.database.ownerDb;
const PAST = '2025-01-01';
let region: OrgRow, t1: OrgRow, t2: OrgRow, p1: OrgRow, p2: OrgRow, p3: OrgRow, p4: OrgRow;
let coordinator: { agent: Agent; csrf: string };
let otherRegionPrimary: OrgRow;
let otherCoordinator: { agent: Agent; csrf: string };
let ids: { p1Working: number[]; p1Students: number[]; p2Pensioners: number[]; p2New: number[]; p3: number[] };
// Online admission: applications of P1, P2 and P3 in every state; the period of a date is 1 January of its year to
// it (last year's, so that the date is never in the future).
const YEAR = Number(todayIso().slice(0, 4)) - 1;
const MID_YEAR = `${YEAR}-06-30`;
type Application = { org: () => OrgRow; status: string; decided?: string; id?: number };
const applications: Application[] = [
  { org: () => p1, status: 'accepted', decided: `${YEAR}-01-01 12:00` },
  { org: () => p1, status: 'accepted', decided: `${MID_YEAR} 12:00` },
  { org: () => p1, status: 'accepted', decided: `${YEAR - 1}-12-31 12:00` },
  { org: () => p1, status: 'confirmed' },
  { org: () => p1, status: 'confirmed' },
  { org: () => p1, status: 'rejected', decided: `${YEAR}-02-01 12:00` },
  { org: () => p2, status: 'accepted', decided: `${YEAR}-07-01 12:00` },
  { org: () => p3, status: 'accepted', decided: `${YEAR}-03-01 12:00` },
  { org: () => p3, status: 'confirmed' },
  { org: () => p3, status: 'unconfirmed' },
];
/** Members whose address bounced: a student of P1, the member of P3 and a pensioner of P2 who left (not counted). */
let invalidAddress: { id: number; org: () => OrgRow; left: boolean }[];

/** The page's figures: data-value of each cell by the row's ИНПО ('total' for the totals) and column key. */
function figures(html: string): Map<string, Map<string, string>> {
  const rows = new Map<string, Map<string, string>>();
  for (const tr of html.split('<tr').slice(1)) {
    const inpo = /data-inpo="(\d+)"/.exec(tr)?.[1] ?? (tr.startsWith(' class="fw-bold"') ? 'total' : null);
    if (!inpo) continue;
    const cells = new Map<string, string>();
    for (const m of tr.matchAll(/<td[^>]*data-column="([^"]+)" data-value="([^"]*)"/g)) cells.set(m[1]!, m[2]!);
    rows.set(inpo, cells);
  }
  return rows;
}
const cellOf = (html: string, inpo: string, column: string) => {
  const tr = html.split('<tr').find((t) => t.includes(`data-inpo="${inpo}"`))!;
  return tr.split('<td').find((t) => t.includes(`data-column="${column}"`))!;
};
const hrefOf = (html: string, inpo: string, column: string) =>
  /href="([^"]+)"/.exec(cellOf(html, inpo, column))![1]!.replace(/&amp;/g, '&');
const memberIdsOf = (html: string) => [...html.matchAll(/href="\/members\/(\d+)"/g)].map((m) => Number(m[1])).sort();
const sorted = (xs: number[]) => [...xs].sort();

beforeAll(async () => {
  const tree = await createRegionTree(db(), 23);
  region = tree.region;
  t1 = tree.territory;
  p1 = tree.primary;
  p2 = await createOrg(db(), t1, 'primary');
  t2 = await createOrg(db(), region, 'territorial');
  p3 = await createOrg(db(), t2, 'primary');
  p4 = await createOrg(db(), t2, 'primary');
  ids = {
    p1Working: await createMembers(db(), p1, 4),
    p1Students: await createMembers(db(), p1, 2, { category: 'student' }),
    p2Pensioners: [
      ...(await createMembers(db(), p2, 2, { category: 'pensioner' })),
      ...(await createMembers(db(), p2, 1, { category: 'pensioner', left_on: '2025-06-01' })),
    ],
    p2New: await createMembers(db(), p2, 2, { joined_on: '2026-03-01' }),
    p3: await createMembers(db(), p3, 1),
  };
  const [w1, w2, w3, w4] = ids.p1Working as [number, number, number, number];
  const card = (member_id: number, status: string, kind = 'plastic') => ({
    number: uniq('23'),
    member_id,
    status,
    kind,
    status_on: '2025-10-01',
  });
  await db()('union_cards').insert([
    card(w1, 'issued'),
    card(w2, 'issued', 'virtual'),
    card(w3, 'delivered_to_region'),
    card(w4, 'refused'),
    card(ids.p2New[0]!, 'requested'),
  ]);
  const consent = (member_id: number, kind: string) => ({
    member_id,
    kind,
    channel: kind === 'mailing' ? 'email' : null,
    text_version: '1',
    source: 'paper',
    given_on: '2024-02-01',
  });
  await db()('member_consents').insert([consent(w1, 'processing'), consent(w2, 'processing'), consent(w1, 'mailing')]);
  // p1's chair was elected while the ППО chairs' term had no rule: no term's end
  await withoutTermRule(db(), 'primary', 'chair', () => db()('org_officers').insert(chairRow(p1.id, null)));
  await db()('org_officers').insert(chairRow(p2.id, '2024-01-01'));
  await db()('declared_figures').insert([
    {
      organization_id: t1.id,
      on_date: '2024-01-01',
      members_total: 20,
      working: 12,
      student: 5,
      pensioner: 3,
      primary_orgs: 4,
      source: 'entered',
    },
    { organization_id: t2.id, on_date: '2024-01-01', members_total: 1, primary_orgs: 2, source: 'entered' },
  ]);
  for (const a of applications) {
    const [row] = await db()('join_applications')
      .insert({
        organization_id: a.org().id,
        status: a.status,
        surname: 'Заявкина',
        name: 'Ольга',
        sex: 'f',
        birth_date: '1990-01-01',
        email: `${uniq('a')}@example.org`,
        category: 'working',
        consent_version: '1',
        confirm_token_hash: Buffer.from(uniq('token-')),
        confirmed_at: a.status === 'unconfirmed' ? null : `${YEAR - 1}-12-01 12:00`,
        decided_at: a.decided ?? null,
      })
      .returning('id');
    a.id = Number(row.id);
  }
  invalidAddress = [
    { id: ids.p1Students[0]!, org: () => p1, left: false },
    { id: ids.p3[0]!, org: () => p3, left: false },
    { id: ids.p2Pensioners[2]!, org: () => p2, left: true },
  ];
  // the address first, then its mark (a trigger clears the mark of an edited address)
  for (const m of invalidAddress) {
    await db()('members')
      .where({ id: m.id })
      .update({ email: `${uniq('b')}@example.org` });
    await db()('members').where({ id: m.id }).update({ email_invalid_at: db().fn.now(), email_invalid_reason: '550' });
  }
  coordinator = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: region }]));
  const other = await createRegionTree(db(), 24);
  otherRegionPrimary = other.primary;
  otherCoordinator = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: other.region }]));
});

describe('the monitoring of a region', () => {
  it('when the coordinator opens it today, then every figure of each territory and the totals equals the count of the fixture', async () => {
    const page = await coordinator.agent.get(`/orgs/${region.inpo}/monitoring`).expect(200);
    const rows = figures(page.text);
    const expected = {
      [t1.inpo]: {
        // P1: 4 working + 2 students; P2: 2 pensioners on record (1 left in 2025) + 2 working admitted in 2026
        members: 10,
        'members-working': 6,
        'members-student': 2,
        'members-pensioner': 2,
        'members-unemployed': 0,
        declared: 20,
        coverage: 50,
        primary: 2,
        primaryDeclared: 4,
        primaryPct: 50,
        noChair: 0,
        expiredTerm: 1,
        noTerm: 1,
        noMembers: 0,
        incomplete: 2,
        'card-issued': 2,
        'card-delivered_to_region': 1,
        'card-refused': 1,
        'card-requested': 1,
        'card-none': 6,
        'issued-plastic': 1,
        'issued-virtual': 1,
        'issued-pct': 20,
        'processing-pct': 20,
        'no-processing': 8,
        mailing: 1,
      },
      [t2.inpo]: { members: 1, declared: 1, coverage: 100, primary: 2, noChair: 2, noMembers: 1, 'card-none': 1 },
      total: { members: 11, declared: 21, coverage: 52.4, primary: 4, noChair: 2, noMembers: 1, territorial: 2 },
    };
    for (const [row, columns] of Object.entries(expected))
      for (const [column, value] of Object.entries(columns))
        expect(`${row} ${column} ${rows.get(row)?.get(column)}`).toBe(`${row} ${column} ${value}`);
    // bands: 50 % is not over 50, 100 % is over 90, 11/21 = 52.4 % is over 50 — each told by a word too
    expect(page.text).toMatch(/data-column="coverage" data-value="50">[\s\S]*?более 20 %/);
    expect(page.text).toMatch(/table-success" data-column="coverage" data-value="100">[\s\S]*?более 90 %/);
    expect(page.text).toMatch(/table-warning" data-column="coverage" data-value="52.4">[\s\S]*?более 50 %/);
    // the chart beside the table: valid SVG with a bar label per territory, the table's figures
    const svg = parseSvg(/<svg[\s\S]*?<\/svg>/.exec(page.text)![0]);
    const texts = svg.filter((e) => e.name === 'text').map((e) => e.text.replace(/\s/g, ' '));
    expect(texts).toEqual(expect.arrayContaining(['50,0 %', '100,0 %']));
  });

  it('when a past date is chosen, then the members are those on record on that date', async () => {
    const page = await coordinator.agent.get(`/orgs/${region.inpo}/monitoring?on=${PAST}`).expect(200);
    const t1Row = figures(page.text).get(t1.inpo)!;
    // the one who left in June 2025 still counts; the two admitted in 2026 do not yet
    expect(t1Row.get('members')).toBe('9');
    expect(t1Row.get('members-pensioner')).toBe('3');
    expect(t1Row.get('members-working')).toBe('4');
    const list = await coordinator.agent.get(hrefOf(page.text, t1.inpo, 'members')).expect(200);
    expect(memberIdsOf(list.text)).toEqual(sorted([...ids.p1Working, ...ids.p1Students, ...ids.p2Pensioners]));
  });

  it('when a number is followed, then its list holds exactly the counted cards or organizations', async () => {
    const page = await coordinator.agent.get(`/orgs/${region.inpo}/monitoring`).expect(200);
    const issued = await coordinator.agent.get(hrefOf(page.text, t1.inpo, 'card-issued')).expect(200);
    expect(memberIdsOf(issued.text)).toEqual(sorted(ids.p1Working.slice(0, 2)));
    const virtual = await coordinator.agent.get(hrefOf(page.text, t1.inpo, 'issued-virtual')).expect(200);
    expect(memberIdsOf(virtual.text)).toEqual([ids.p1Working[1]]);
    const students = await coordinator.agent.get(hrefOf(page.text, t1.inpo, 'members-student')).expect(200);
    expect(memberIdsOf(students.text)).toEqual(sorted(ids.p1Students));
    const noChair = await coordinator.agent.get(hrefOf(page.text, t2.inpo, 'noChair')).expect(200);
    const found = [...noChair.text.matchAll(/<td><a href="\/orgs\/(\d+)">/g)].map((m) => m[1]).sort();
    expect(found).toEqual([p3.inpo, p4.inpo].sort());
  });

  it('when a date is chosen, then the online admissions are those accepted from 1 January to it, the waiting and the bounced addresses those of today', async () => {
    const page = await coordinator.agent.get(`/orgs/${region.inpo}/monitoring?on=${MID_YEAR}`).expect(200);
    expect(page.text).toContain(`Принято заявлений с 01.01.${YEAR} по 30.06.${YEAR}`);
    const rows = figures(page.text);
    const under = (territory: OrgRow) => (o: OrgRow) => o.path.startsWith(`${territory.path}.`);
    const count = (inside: (o: OrgRow) => boolean) => ({
      'online-accepted': applications.filter(
        (a) =>
          inside(a.org()) && a.status === 'accepted' && a.decided! >= `${YEAR}-01-01` && a.decided! < `${YEAR}-07-01`,
      ).length,
      'online-waiting': applications.filter((a) => inside(a.org()) && a.status === 'confirmed').length,
      'address-invalid': invalidAddress.filter((m) => inside(m.org()) && !m.left).length,
    });
    const expected = { [t1.inpo]: count(under(t1)), [t2.inpo]: count(under(t2)), total: count(under(region)) };
    expect(expected.total).toEqual({ 'online-accepted': 3, 'online-waiting': 3, 'address-invalid': 2 });
    for (const [row, columns] of Object.entries(expected))
      for (const [column, value] of Object.entries(columns))
        expect(`${row} ${column} ${rows.get(row)?.get(column)}`).toBe(`${row} ${column} ${value}`);
    // the bounced addresses of T1 lead to the member list that holds exactly those cards
    const invalid = await coordinator.agent.get(hrefOf(page.text, t1.inpo, 'address-invalid')).expect(200);
    const t1Invalid = invalidAddress.filter((m) => under(t1)(m.org()) && !m.left).map((m) => m.id);
    expect(memberIdsOf(invalid.text)).toEqual(sorted(t1Invalid));
    // a territory's queue lists only the overdue applications below it: its number is plain; a ППО's leads to its queue
    expect(cellOf(page.text, t1.inpo, 'online-waiting')).not.toContain('href=');
    const territory = await coordinator.agent.get(`/orgs/${t1.inpo}/monitoring?on=${MID_YEAR}`).expect(200);
    expect(figures(territory.text).get(p1.inpo)!.get('online-accepted')).toBe('2');
    const queue = await coordinator.agent.get(hrefOf(territory.text, p1.inpo, 'online-waiting')).expect(200);
    const queued = [...queue.text.matchAll(/href="\/orgs\/\d+\/applications\/(\d+)"/g)].map((m) => Number(m[1]));
    const p1Waiting = applications.filter((a) => a.org() === p1 && a.status === 'confirmed').map((a) => a.id!);
    expect(sorted(queued)).toEqual(sorted(p1Waiting));
  });

  it('when the table is downloaded, then the XLSX parsed back has the page figures under a header with the date and the subtree', async () => {
    const page = await coordinator.agent.get(`/orgs/${region.inpo}/monitoring?on=${PAST}`).expect(200);
    const shown = figures(page.text);
    const res = await coordinator.agent
      .get(`/orgs/${region.inpo}/monitoring.xlsx?on=${PAST}`)
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    const sheet = await readSheet(res.body as Buffer);
    expect(sheet[1]![0]).toBe('На дату: 01.01.2025');
    expect(sheet[3]![0]).toContain(region.name);
    const labels = sheet.find((r) => r[0] === 'Организация')!;
    const keys = [...shown.get(t1.inpo)!.keys()];
    expect(labels).toHaveLength(keys.length + 2);
    for (const [inpo, cells] of shown) {
      const row = inpo === 'total' ? sheet.find((r) => r[0] === 'Итого')! : sheet.find((r) => r[1] === inpo)!;
      // an empty cell (no declared figure) reads back as a hole
      expect(Array.from({ length: keys.length }, (_, i) => row[i + 2] ?? '')).toEqual([...cells.values()]);
    }
  });

  it('when a coordinator of another region asks for it, then it does not exist for them', async () => {
    await otherCoordinator.agent.get(`/orgs/${region.inpo}/monitoring`).expect(404);
    await otherCoordinator.agent.get(`/orgs/${region.inpo}/monitoring.xlsx`).expect(404);
  });
});

describe('declared figures', () => {
  it('when a territory has filed a statistical report since its entered figures, then the filed report is the declared figure from its date on', async () => {
    const form = await db()('form_versions').where({ code: '2-SP', status: 'active' }).first('id');
    const [report] = await db()('reports')
      .insert({ organization_id: t1.id, form_code: '2-SP', report_date: '2024-07-01', status: 'accepted' })
      .returning('id');
    const line = (no: string, total: number) => ({ no, type: 'count', columns: ['total'], values: { total } });
    await db()('report_versions').insert({
      report_id: report.id,
      number: 1,
      form_version_id: form.id,
      result: {
        sections: [
          { lines: [line('02', 20), line('06', 5), line('07', 5), line('08', 0), line('09', 30), line('40', 3)] },
        ],
      },
    });
    const now = await coordinator.agent.get(`/orgs/${region.inpo}/monitoring`).expect(200);
    const row = figures(now.text).get(t1.inpo)!;
    expect([row.get('declared'), row.get('coverage'), row.get('declared-working'), row.get('primaryDeclared')]).toEqual(
      ['30', '33.3', '20', '3'],
    );
    expect(now.text).toContain('отчёт на 01.07.2024, сдан в реестре');
    // before the filed report's date the entered figures of 01.01.2024 still hold
    const before = await coordinator.agent.get(`/orgs/${region.inpo}/monitoring?on=2024-03-01`).expect(200);
    expect(figures(before.text).get(t1.inpo)!.get('declared')).toBe('20');
    await db()('report_versions').where({ report_id: report.id }).delete();
    await db()('reports').where({ id: report.id }).delete();
  });

  it('when entered with a bad number, then the form answers 422 next to the field and keeps the values; a good entry shows in the monitoring', async () => {
    const post = (body: Record<string, string>) =>
      coordinator.agent
        .post(`/orgs/${t2.inpo}/monitoring/declared`)
        .type('form')
        .send({ _csrf: coordinator.csrf, ...body });
    const bad = await post({ onDate: '2025-01-01', membersTotal: 'много', working: '7' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Укажите число членов Профсоюза по отчёту');
    expect(bad.text).toMatch(/name="working" type="text" value="7"/);
    expect(await db()('declared_figures').where({ organization_id: t2.id, on_date: '2025-01-01' })).toHaveLength(0);
    expect((await post({ onDate: '2025-01-01', membersTotal: '4', working: '3' })).status).toBe(303);
    const page = await coordinator.agent.get(`/orgs/${region.inpo}/monitoring?on=${todayIso()}`).expect(200);
    expect(figures(page.text).get(t2.inpo)!.get('coverage')).toBe('25');
    expect(
      await db()('audit_log').where({ action: 'org.declared_figures.saved', entity_id: String(t2.id) }),
    ).toHaveLength(1);
  });

  it('when an XLSX has one bad row, then that row is reported with its line number and nothing is written; the corrected file loads every row', async () => {
    const template = await coordinator.agent
      .get(`/orgs/${region.inpo}/monitoring/import/template.xlsx`)
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    const header = (await readSheet(template.body as Buffer))[0]!;
    const upload = async (rows: (string | number | null)[][]) =>
      coordinator.agent
        .post(`/orgs/${region.inpo}/monitoring/import?_csrf=${encodeURIComponent(coordinator.csrf)}`)
        .attach('file', await buildWorkbook([header, ...rows]), 'cifry.xlsx');
    const good = [p1.inpo, '01.01.2023', 6, 4, 2, null, null, null, 1];
    const bad = await upload([
      good,
      [p2.inpo, '01.01.2023', 'пять', null, null, null, null, null, 1],
      [p3.inpo, '2023-01-01', 1],
    ]);
    expect(bad.status).toBe(422);
    // line 3 of the file (the header is line 1): the one bad row, and no other line
    expect(bad.text).toMatch(
      /<td>3<\/td><td>Членов Профсоюза, всего<\/td><td>Укажите число членов Профсоюза по отчёту<\/td>/,
    );
    expect([...bad.text.matchAll(/<tr><td>(\d+)<\/td>/g)].map((m) => m[1])).toEqual(['3']);
    expect(await db()('declared_figures').where({ on_date: '2023-01-01' })).toHaveLength(0);
    const outside = await upload([[otherRegionPrimary.inpo, '01.01.2023', 1]]);
    expect(outside.status).toBe(422);
    expect(outside.text).toContain('Организации с таким ИНПО нет в вашей структуре');
    expect((await upload([good, [p3.inpo, '2023-01-01', 1]])).status).toBe(303);
    const loaded = await db()('declared_figures').where({ on_date: '2023-01-01' }).orderBy('members_total');
    expect(loaded.map((r) => [r.organization_id, r.members_total, r.working, r.source])).toEqual([
      [p3.id, 1, null, 'imported'],
      [p1.id, 6, 4, 'imported'],
    ]);
  });
});
