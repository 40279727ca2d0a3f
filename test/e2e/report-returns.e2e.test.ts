import { beforeAll, describe, expect, it } from 'vitest';
import { loggedInAgent } from '../support/agents';
import { useTestApp } from '../support/app';
import { useBrowser, wcagViolations } from '../support/browser';
import { createUser, type TestUser } from '../support/factories';
import { D, buildReportFixture, type ReportFixture } from '../support/report-fixture';

// A report returned for rework, as the two people see it (issue 16, item 11): the coordinator who forgets
// the comment stays on the report with the field marked; the chair finds the comment on the home page
// and at the top of the report.

const ctx = useTestApp();
const web = useBrowser(ctx);
let fx: ReportFixture;
let chair: TestUser;
let coordinator: TestUser;

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  fx = await buildReportFixture(db);
  chair = await createUser(db, [{ role: 'chair', org: fx.orgs.A }]);
  coordinator = await createUser(db, [{ role: 'coordinator', org: fx.orgs.T }]);
  // the chair has fixed the passport and filed 5-СП
  const { agent, csrf } = await loggedInAgent(ctx.app, chair);
  await agent
    .post(`/orgs/${fx.orgs.A.inpo}/headcount`)
    .type('form')
    .send({ _csrf: csrf, asOf: '2026-03-01', employeesTotal: '42', employeesPedagogical: '12', studentsTotal: '0' })
    .expect(303);
  await agent.post(`/reports/5-SP/${fx.orgs.A.inpo}/${D}/file`).type('form').send({ _csrf: csrf }).expect(303);
});

describe('a returned report in a real browser', () => {
  it('the coordinator returns it with a comment after an empty try; the chair sees the comment at home and on the report', async () => {
    const reportUrl = `${web.baseUrl}/reports/5-SP/${fx.orgs.A.inpo}/${D}`;
    const coord = await web.loggedInPage(coordinator);
    await coord.goto(reportUrl);
    await coord.getByRole('button', { name: 'Вернуть на доработку' }).click();
    await coord.getByText('Напишите, что нужно исправить').first().waitFor();
    expect(coord.url()).toBe(`${reportUrl}/return`);
    await expect(coord.locator('#report-status').textContent()).resolves.toBe('сдан, на проверке');
    await expect(coord.locator('#return-comment').getAttribute('aria-invalid')).resolves.toBe('true');
    expect(await wcagViolations(coord)).toEqual([]);
    await coord.getByLabel('Что исправить').fill('Педагогов в паспорте 12, а в карточках отмечено больше — проверьте');
    await coord.getByRole('button', { name: 'Вернуть на доработку' }).click();
    await coord.getByText('Отчёт возвращён на доработку').first().waitFor();

    const page = await web.loggedInPage(chair);
    // the returned reports' panel (the notifications list beside it links the same report under a longer name)
    const onHome = page.getByRole('link', { name: '5-СП на 01.04.2026', exact: true });
    await onHome.waitFor();
    await expect(
      page.getByRole('status').filter({ hasText: 'Возвращены на доработку' }).textContent(),
    ).resolves.toContain('Педагогов в паспорте 12');
    expect(await wcagViolations(page)).toEqual([]);
    await onHome.click();
    await expect(page.locator('#returned-comment').textContent()).resolves.toContain(
      'Педагогов в паспорте 12, а в карточках отмечено больше — проверьте',
    );
    await expect(page.locator('#report-status').textContent()).resolves.toBe('возвращён на доработку');
    expect(await wcagViolations(page)).toEqual([]);

    // on a phone the comment is there too, and the page does not scroll sideways
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of ['/', `/reports/5-SP/${fx.orgs.A.inpo}/${D}`]) {
      await page.goto(`${web.baseUrl}${path}`);
      await page.getByText('Педагогов в паспорте 12').first().waitFor();
      expect(await wcagViolations(page)).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    }
  }, 120_000);
});
