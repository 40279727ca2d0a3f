import { beforeAll, describe, expect, it } from 'vitest';
import { readDefaultForms } from '../../src/reports/forms/default-forms';
import type { OrgRow } from '../../src/registry/orgs.repo';
import { loggedInAgent, type Agent } from '../support/agents';
import { useTestApp } from '../support/app';
import { createOrg, createUser, unionRoot } from '../support/factories';
import { insertPeople } from '../support/report-fixture';

// A list form (КДКО) names its columns in its definition; the page printed the header from the form but
// its cells in a fixed order of its own, so a version with other columns showed values under the wrong
// headers. The cells now follow the form's columns, as the XLSX and the PDF already did.

const ctx = useTestApp();
let admin: { agent: Agent };
let orgs: Record<'T' | 'A' | 'B' | 'C', OrgRow>;
const DATE = '2026-04-01';

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  const union = await unionRoot(db);
  const R = await createOrg(db, union, 'regional', { regionCode: 34, name: 'Региональная (список)' });
  const T = await createOrg(db, R, 'territorial', { name: 'Территориальная (список)' });
  const A = await createOrg(db, T, 'primary', { name: 'ППО А с договором' });
  const B = await createOrg(db, T, 'primary', { name: 'ППО Б без сведений', employerKind: 'kindergarten' });
  const C = await createOrg(db, T, 'primary', { name: 'ППО В без численности' });
  orgs = { T, A, B, C };
  await insertPeople(
    db,
    { A, B },
    ['Абрамова', 'Бочкова', 'Воронова'].map((surname, i) => ({
      surname,
      sex: 'f' as const,
      birth: '1980-01-01',
      periods: [{ org: i ? ('A' as const) : ('B' as const), category: 'working', from: '2020-01-01' }],
    })),
  );
  await db('org_headcounts').insert({
    organization_id: A.id,
    as_of: '2025-09-01',
    employees_total: 1234,
    employees_pedagogical: 10,
    students_total: 0,
  });
  for (const org of [A, C])
    await db('collective_agreements').insert({
      organization_id: org.id,
      status: 'active',
      signed_on: '2025-01-10',
      valid_from: '2025-01-10',
      valid_to: '2027-12-31',
    });
  admin = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'admin', org: union }]));
});

/** The rows of the list table: each cell's inner HTML. */
async function pageTable() {
  const html = (await admin.agent.get(`/reports/KDKO/${orgs.T.inpo}/${DATE}`).expect(200)).text;
  const table = html.slice(html.indexOf('<thead>'), html.indexOf('</tbody>'));
  const cells = (tr: string) => [...tr.matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((m) => m[1]!);
  const [head, ...rows] = [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]!);
  return { html, header: cells(head!), rows: rows.map(cells) };
}

describe('the page of a list form', () => {
  it('prints the shipped КДКО as before: the name linked to the agreement tab, dates, figures right-aligned, «—» for an absent headcount', async () => {
    const { html, header } = await pageTable();
    expect(header).toEqual([
      'Первичная профсоюзная организация',
      'ИНПО',
      'Тип работодателя',
      'Действующий договор',
      'Подписан',
      'Действует с',
      'Действует по',
      'Охвачено работников',
      'Охвачено членов Профсоюза',
      'Состояние',
    ]);
    expect(html).toContain(
      `<tr><td><a href="/orgs/${orgs.A.inpo}/agreement">ППО А с договором</a></td><td>${orgs.A.inpo}</td><td>Общеобразовательная организация</td><td>да</td>` +
        '<td>10.01.2025</td><td>10.01.2025</td><td>31.12.2027</td><td class="text-end">1\u00a0234</td><td class="text-end">2</td><td>',
    );
    expect(html).toContain(
      `<tr><td><a href="/orgs/${orgs.B.inpo}/agreement">ППО Б без сведений</a></td><td>${orgs.B.inpo}</td><td>Дошкольная образовательная организация</td><td>нет</td>` +
        '<td></td><td></td><td></td><td class="text-end">0</td><td class="text-end">0</td><td>нет сведений</td></tr>',
    );
    expect(html).toContain(
      `<td>31.12.2027</td><td class="text-end">—</td><td class="text-end">0</td><td>Действует</td></tr>`,
    );
  });

  it('when a version names other columns in another order, the cells follow its columns', async () => {
    const shipped = readDefaultForms().find((f) => f.file === 'form-KDKO.json')!.definition as {
      version: number;
      listColumns: { key: string; label: string }[];
    };
    const columns = ['members_covered', 'inpo', 'status', 'name'].map((key) =>
      shipped.listColumns.find((c) => c.key === key)!,
    );
    const db = ctx.database.ownerDb;
    await db('form_versions').where({ code: 'KDKO', status: 'active' }).update({ status: 'retired' });
    await db('form_versions').insert({
      code: 'KDKO',
      version: shipped.version + 1,
      title: 'КДКО, короткая',
      status: 'active',
      activated_at: db.fn.now(),
      definition: JSON.stringify({ ...shipped, version: shipped.version + 1, listColumns: columns }),
    });
    const { header, rows } = await pageTable();
    expect(header).toEqual(columns.map((c) => c.label));
    expect(rows).toEqual([
      ['2', orgs.A.inpo, 'Действует', `<a href="/orgs/${orgs.A.inpo}/agreement">ППО А с договором</a>`],
      ['0', orgs.B.inpo, 'нет сведений', `<a href="/orgs/${orgs.B.inpo}/agreement">ППО Б без сведений</a>`],
      ['0', orgs.C.inpo, 'Действует', `<a href="/orgs/${orgs.C.inpo}/agreement">ППО В без численности</a>`],
    ]);
  });
});
