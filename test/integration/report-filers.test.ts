import { beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../support/agents';
import { loggedInAgent } from '../support/agents';
import { useTestApp } from '../support/app';
import { createUser } from '../support/factories';
import { D, buildReportFixture, insertPeople, type ReportFixture } from '../support/report-fixture';
import { todayIso } from '../../src/shared/dates';

// What the chair who files a report needs to see (issue 16, items 11–14): the coordinator's comment on a
// returned report, deadlines on the report list, a filing button that says why it is closed, and a
// warning on a report whose date has not come yet.

const ctx = useTestApp();
let fx: ReportFixture;
const as: Record<'chairA' | 'coordT', { agent: Agent; csrf: string }> = {} as never;
const url = (inpo: string, rest = '', date = D) => `/reports/5-SP/${inpo}/${date}${rest}`;
const post = (who: keyof typeof as, path: string, body: Record<string, string> = {}) =>
  as[who].agent
    .post(path)
    .type('form')
    .send({ _csrf: as[who].csrf, ...body });

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  fx = await buildReportFixture(db);
  as.chairA = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'chair', org: fx.orgs.A }]));
  as.coordT = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'coordinator', org: fx.orgs.T }]));
});

describe('the report list of a chair', () => {
  it('shows each date with its deadline and marks the unfiled past ones overdue; the next reporting date comes first', async () => {
    const page = (await as.chairA.agent.get(`/orgs/${fx.orgs.A.inpo}/reports`).expect(200)).text;
    expect(page).toContain('Срок сдачи');
    const rows = [...page.matchAll(/<tr data-date="(\d{4}-\d{2}-\d{2})"[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => ({
      date: m[1]!,
      html: m[2]!,
    }));
    const fiveSp = rows.filter((r) => r.html.includes('/reports/5-SP/'));
    expect(fiveSp[0]!.date > todayIso()).toBe(true);
    expect(fiveSp[0]!.html).toContain('следующая отчётная дата');
    const april = fiveSp.find((r) => r.date === D)!;
    expect(april.html).toContain('05.04.2026');
    expect(april.html).toContain('просрочен');
  });
});

describe('filing refused by a failed control', () => {
  it('the button is disabled with the reason, and the headcount control links to the passport’s «Численность» tab', async () => {
    const page = (await as.chairA.agent.get(url(fx.orgs.A.inpo)).expect(200)).text;
    expect(page).toMatch(/<button[^>]*disabled[^>]*>Сдать отчёт<\/button>/);
    expect(page).toContain('Сдать отчёт нельзя, пока не исправлены ошибки проверок');
    const control = /data-control="ped-members-le-ped-staff"[\s\S]*?<\/li>/.exec(page)![0];
    expect(control).toContain(`href="/orgs/${fx.orgs.A.inpo}/headcount"`);
    // a control between members' cards alone does not send the chair to the passport
    expect(page).not.toMatch(/data-control="members-total"[\s\S]*?\/headcount"[\s\S]*?<\/li>/);
  });
});

describe('a report whose date has not come', () => {
  it('says the date is in the future', async () => {
    const tomorrow = new Date(Date.parse(`${todayIso()}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const page = (await as.chairA.agent.get(url(fx.orgs.A.inpo, '', tomorrow)).expect(200)).text;
    expect(page).toContain('Дата отчёта ещё не наступила');
    const past = (await as.chairA.agent.get(url(fx.orgs.A.inpo)).expect(200)).text;
    expect(past).not.toContain('Дата отчёта ещё не наступила');
  });
});

describe('a returned report', () => {
  it('an empty comment keeps the coordinator on the report with the field error; the comment then shows on the report and the chair’s home page', async () => {
    await post('chairA', `/orgs/${fx.orgs.A.inpo}/headcount`, {
      asOf: '2026-03-01',
      employeesTotal: '42',
      employeesPedagogical: '12',
      studentsTotal: '0',
    }).expect(303);
    await post('chairA', url(fx.orgs.A.inpo, '/file')).expect(303);

    const empty = await post('coordT', url(fx.orgs.A.inpo, '/return'), { comment: '  ' }).expect(422);
    expect(empty.text).toContain('Напишите, что нужно исправить');
    expect(empty.text).toContain('href="#return-comment"');
    expect(empty.text).toMatch(/<textarea[^>]*id="return-comment"[^>]*aria-invalid="true"/);
    const tooLong = 'а'.repeat(2001);
    expect((await post('coordT', url(fx.orgs.A.inpo, '/return'), { comment: tooLong }).expect(422)).text).toContain(
      tooLong,
    );
    expect(empty.text).toContain('id="report-status">сдан, на проверке<');

    await post('coordT', url(fx.orgs.A.inpo, '/return'), { comment: 'Уточните число педагогов' }).expect(303);
    const report = (await as.chairA.agent.get(url(fx.orgs.A.inpo)).expect(200)).text;
    expect(report).toMatch(/id="returned-comment"[\s\S]*Уточните число педагогов/);
    const home = (await as.chairA.agent.get('/').expect(200)).text;
    expect(home).toContain('Уточните число педагогов');
    expect(home).toContain(`href="${url(fx.orgs.A.inpo)}"`);
  });
});

describe('the cards behind a failed control', () => {
  beforeAll(async () => {
    // 22 more teachers on record in B, next to the two the fixture has: 24 cards behind the control
    const extra = Array.from({ length: 22 }, (_, i) => ({
      surname: `Учителева${String(i).padStart(2, '0')}`,
      sex: 'f' as const,
      birth: '1990-01-01',
      periods: [{ org: 'B' as const, category: 'working' as const, ped: true, from: '2020-09-01' }],
    }));
    await insertPeople(ctx.database.ownerDb, fx.orgs, extra);
  });

  it('the first 20 are listed and «и ещё 4» opens the rest, without a script', async () => {
    const page = (await as.coordT.agent.get(url(fx.orgs.B.inpo)).expect(200)).text;
    const control = /data-control="ped-members-le-ped-staff"[\s\S]*?<\/li>/.exec(page)![0];
    const [shown, more] = control.split('<details');
    expect(shown!.match(/href="\/members\/\d+"/g)).toHaveLength(20);
    expect(more).toMatch(/^[^>]*>\s*<summary>и ещё 4<\/summary>/);
    expect(more!.match(/href="\/members\/\d+"/g)).toHaveLength(4);
  });
});
