import { beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { useTestApp } from '../support/app';
import { useBrowser, wcagViolations } from '../support/browser';
import { createUser, type TestUser } from '../support/factories';
import { D, buildReportFixture, type ReportFixture } from '../support/report-fixture';

// The reporting journey in a real browser: the chair opens the 5-СП draft, follows the failed
// control to a card, fixes the card as of the reporting date, files; the coordinator accepts and
// downloads the consolidated 2-СП.

const ctx = useTestApp();
const web = useBrowser(ctx);
let fx: ReportFixture;
let chair: TestUser;
let coordinator: TestUser;

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  fx = await buildReportFixture(db);
  // three pedagogical employees in the passport, four members marked as pedagogical: one card is wrong
  await db('org_headcounts')
    .where({ organization_id: fx.orgs.A.id, as_of: '2025-09-01' })
    .update({ employees_pedagogical: 3 });
  chair = await createUser(db, [{ role: 'chair', org: fx.orgs.A }]);
  coordinator = await createUser(db, [{ role: 'coordinator', org: fx.orgs.T }]);
});

describe('statistical reporting in a real browser', () => {
  it('a chair fixes a card behind a failed control and files 5-СП; the coordinator accepts and downloads 2-СП', async () => {
    const page = await web.loggedInPage(chair);
    await page.getByRole('link', { name: 'Отчёты' }).first().click();
    await page.getByRole('heading', { name: 'Статистические отчёты' }).waitFor();
    await page.goto(`${web.baseUrl}/reports/5-SP/${fx.orgs.A.inpo}/${D}`);
    const control = page.locator('[data-control="ped-members-le-ped-staff"]');
    await expect(control.textContent()).resolves.toContain('4 против 3');
    expect(await wcagViolations(page)).toEqual([]);

    // Борисова moved to a non-pedagogical post in March: the card said otherwise
    await control.getByRole('link', { name: /Борисова/ }).click();
    await page
      .getByRole('heading', { name: /Борисова/ })
      .first()
      .waitFor();
    await page.locator('#category-isPedagogical').uncheck();
    await page.locator('#category-on').fill('2026-03-01');
    await page.getByRole('button', { name: 'Изменить категорию' }).click();
    await page.getByText('Категория изменена').waitFor();

    await page.goto(`${web.baseUrl}/reports/5-SP/${fx.orgs.A.inpo}/${D}`);
    expect(await page.locator('[data-control="ped-members-le-ped-staff"]').count()).toBe(0);
    await expect(page.locator('tr[data-line="04"] td[data-column="total"]').textContent()).resolves.toBe('3');
    await page.getByRole('button', { name: 'Сдать отчёт' }).click();
    await page.getByText('Отчёт сдан (версия 1)').waitFor();
    await expect(page.locator('#report-status').textContent()).resolves.toBe('сдан, на проверке');

    const coord = await web.loggedInPage(coordinator);
    await coord.goto(`${web.baseUrl}/orgs/${fx.orgs.T.inpo}/reports/board?form=2-SP&date=${D}`);
    expect(await wcagViolations(coord)).toEqual([]);
    await coord.locator(`tr[data-inpo="${fx.orgs.A.inpo}"]`).getByRole('link', { name: '5-СП' }).click();
    await coord.getByRole('button', { name: 'Принять отчёт' }).click();
    await coord.getByText('Отчёт принят').waitFor();
    await expect(coord.locator('#report-status').textContent()).resolves.toBe('принят');

    await coord.goto(`${web.baseUrl}/reports/2-SP/${fx.orgs.T.inpo}/${D}`);
    expect(await wcagViolations(coord)).toEqual([]);
    const line09 = Number(await coord.locator('tr[data-line="09"] td[data-column="total"]').textContent());
    const [download] = await Promise.all([
      coord.waitForEvent('download'),
      coord.getByRole('link', { name: 'Скачать Excel' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`2-SP_${fx.orgs.T.inpo}_${D}.xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile((await download.path())!);
    const rows = workbook.worksheets[0]!.getSheetValues().filter(Array.isArray) as unknown[][];
    expect(rows.find((r) => r[1] === '09')?.[3]).toBe(line09);
    expect(rows.flat()).toContain('Сводный статистический отчёт территориальной организации');
  }, 120_000);
});
