import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { useBrowser, wcagViolations } from '../support/browser';
import { createUser, type TestUser } from '../support/factories';
import { D, buildReportFixture, type ReportFixture } from '../support/report-fixture';

// Help where it is needed, in a real browser: the «?» of a report line opens its explanation without a
// script, the help page is one click from the header, and axe finds nothing on either, wide or narrow.

const ctx = useTestApp({ HELP_CONTACTS: 'Отдел организационной работы регионального комитета Профсоюза' });
const web = useBrowser(ctx);
let fx: ReportFixture;
let chair: TestUser;

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  fx = await buildReportFixture(db);
  chair = await createUser(db, [{ role: 'chair', org: fx.orgs.A }]);
});

const SCREENS = [
  { width: 1366, height: 900 },
  { width: 390, height: 844 },
];

describe('help in a real browser', () => {
  it('when a chair presses «?» beside a report line, then its explanation shows; the help page is one click away; axe finds nothing', async () => {
    const page = await web.loggedInPage(chair);
    for (const screen of SCREENS) {
      await page.setViewportSize(screen);
      await page.goto(`${web.baseUrl}/reports/5-SP/${fx.orgs.A.inpo}/${D}`);
      const hint = page.locator('tr[data-line="02"] .line-hint-text');
      expect(await hint.isVisible()).toBe(false);
      await page.locator('tr[data-line="02"] summary').click();
      await hint.waitFor({ state: 'visible' });
      await expect(hint.textContent()).resolves.toContain('Работающие члены Профсоюза');
      expect(await wcagViolations(page), `report at ${screen.width}`).toEqual([]);
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
        `report at ${screen.width}`,
      ).toBe(true);

      if (screen.width < 992) await page.getByRole('button', { name: 'Меню' }).click();
      await page.getByRole('link', { name: 'Помощь' }).click();
      await page.getByRole('heading', { name: 'Помощь' }).waitFor();
      await page.getByText('Отдел организационной работы регионального комитета Профсоюза').waitFor();
      expect(await wcagViolations(page), `help at ${screen.width}`).toEqual([]);

      await page.goto(`${web.baseUrl}/orgs/${fx.orgs.A.inpo}/members/new`);
      expect(await wcagViolations(page), `new card at ${screen.width}`).toEqual([]);
    }
    await page.close();
  }, 120_000);
});
