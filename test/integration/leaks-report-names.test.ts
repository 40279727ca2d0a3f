import { beforeAll, describe, expect, it } from 'vitest';
import { createMembersService } from '../../src/members/members.service';
import { loadPrincipal } from '../../src/auth/users.repo';
import { fileReport } from '../../src/reports/filing';
import { createReportsService } from '../../src/reports/reports.service';
import { loggedInAgent, type Agent } from '../support/agents';
import { useTestApp } from '../support/app';
import { createUser, unionRoot } from '../support/factories';
import { pdfText } from '../support/pdf';
import { D, buildReportFixture, type ReportFixture } from '../support/report-fixture';
import { binaryParser, readSheet } from '../support/xlsx';

// Item 2 of issue 11: the cards behind a failed control of a report are named only to those who may
// open them; anyone else (the statistician, or a chair after the person moved away) gets the count.

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;
let fx: ReportFixture;
let stat: { agent: Agent; csrf: string };
let chairA: { agent: Agent; csrf: string };
const BEHIND = ['Алексеева', 'Борисова', 'Давыдова', 'Жукова'];
const url = (rest = '') => `/reports/5-SP/${fx.orgs.A.inpo}/${D}${rest}`;

beforeAll(async () => {
  fx = await buildReportFixture(db());
  stat = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'statistician', org: fx.orgs.R }]));
  chairA = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: fx.orgs.A }]));
});

const expectNoNames = (text: string) => {
  for (const surname of BEHIND) expect(text).not.toContain(`${surname} Тест`);
  expect(text).not.toMatch(/href="\/members\/\d+"/);
};
const pedControl = (body: { controls: { id: string; cards: number[]; cardsTotal: number }[] }) =>
  body.controls.find((c) => c.id === 'ped-members-le-ped-staff')!;

describe('cards behind the controls of a report', () => {
  it('when a statistician opens a draft with a failed control, then the page gives the number of cards and no name or card link', async () => {
    const page = await stat.agent.get(url()).expect(200);
    expect(page.text).toContain('Членов Профсоюза на педагогических должностях (стр. 04) больше');
    expectNoNames(page.text);
    expect(page.text).toContain('Карточек за этой проверкой: 4');
    const json = (await stat.agent.get(url('.json')).expect(200)).body;
    expect(pedControl(json)).toMatchObject({ cards: [], cardsTotal: 4 });
  });

  it('when a statistician downloads the report, then no file names a member', async () => {
    const xlsx = await stat.agent.get(url('.xlsx?children=1')).buffer(true).parse(binaryParser).expect(200);
    expectNoNames((await readSheet(xlsx.body)).flat().join('|'));
    const pdf = await stat.agent.get(url('.pdf')).buffer(true).parse(binaryParser).expect(200);
    expectNoNames(await pdfText(pdf.body));
  });

  it('when a filed version froze the cards, then a statistician still sees only their number', async () => {
    const reports = createReportsService(ctx.deps.db);
    const form = (await reports.formsOf(fx.orgs.A)).find((f) => f.code === '5-SP')!;
    const draft = await reports.draft({ org: fx.orgs.A, form, date: D });
    // filed with the control as a warning (a form version may make it one): the version keeps the cards
    const number = await fileReport(ctx.deps.db, { actorUserId: null, requestId: 'test', ip: null }, fx.orgs.A.id, {
      ...draft,
      controls: draft.controls.map((c) => ({ ...c, severity: 'warning' as const })),
    });
    const version = await stat.agent.get(url(`?version=${number}`)).expect(200);
    expect(version.text).toContain('Карточек за этой проверкой: 4');
    expectNoNames(version.text);
    const mine = await chairA.agent.get(url(`?version=${number}`)).expect(200);
    expect(mine.text).toContain(`href="/members/${fx.members['Алексеева']}"`);
  });

  it("when a card behind the control has since moved out of the chair's subtree, then the chair sees the other names and only a count for it", async () => {
    const admin = (await loadPrincipal(
      db(),
      (await createUser(db(), [{ role: 'admin', org: await unionRoot(db()) }])).id,
    ))!;
    await createMembersService(ctx.deps.db).transfer(
      admin,
      { actorUserId: null, requestId: 'test', ip: null },
      fx.members['Давыдова']!,
      {
        toInpo: fx.orgs.P2.inpo,
        on: '2026-05-01',
        reason: null,
        documentNumber: null,
        documentDate: null,
      },
    );
    const page = await chairA.agent.get(url('?source=live')).expect(200);
    expect(page.text).toContain(`href="/members/${fx.members['Алексеева']}"`);
    expect(page.text).not.toContain('Давыдова Тест');
    expect(page.text).not.toContain(`/members/${fx.members['Давыдова']}"`);
    expect(page.text).toContain('и ещё 1');
    const json = (await chairA.agent.get(url('.json?source=live')).expect(200)).body;
    expect(pedControl(json).cards).not.toContain(fx.members['Давыдова']);
    expect(pedControl(json).cards).toHaveLength(3);
  });
});
