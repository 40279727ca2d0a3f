import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useTestApp } from '../support/app';
import { useBrowser, wcagViolations } from '../support/browser';
import { createMembers, createUser, type TestUser } from '../support/factories';
import { D, buildReportFixture, type ReportFixture } from '../support/report-fixture';

// A chair on a phone (390 px wide): every everyday page fits the screen, the navigation folds behind a toggler.

const ctx = useTestApp();
const web = useBrowser(ctx);
let fx: ReportFixture;
let chair: TestUser;
let memberId: number;

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  fx = await buildReportFixture(db);
  chair = await createUser(db, [{ role: 'chair', org: fx.orgs.A }]);
  // long contacts stretch the card and the list: the layout must still fit
  [memberId] = (await createMembers(db, fx.orgs.A, 1, {
    surname: 'Константинопольская-Верхнеднепровская',
    email: 'konstantinopolskaya.verkhnedneprovskaya@example.org',
    phone: '+79171234567',
  })) as [number];
});

const PHONE = { width: 390, height: 844 };

/** How wide the page is, and (to name the culprit in a failure) the elements that stick out of the screen. */
async function horizontalOverflow(page: Page) {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    outside: [...document.querySelectorAll('body *')]
      // the content of a box that scrolls by itself does not widen the page
      .filter(
        (e) => e.getBoundingClientRect().left + e.scrollWidth > window.innerWidth && !e.closest('.table-responsive'),
      )
      .slice(0, 5)
      .map((e) => `${e.tagName}.${e.className}: ${(e.textContent ?? '').trim().slice(0, 40)}`),
  }));
}

describe('small screens (390 px)', () => {
  it('when a chair opens the everyday pages on a phone, then no page scrolls sideways and axe finds nothing', async () => {
    const page = await web.loggedInPage(chair);
    await page.setViewportSize(PHONE);
    const a = `/orgs/${fx.orgs.A.inpo}`;
    const paths = [
      '/',
      a,
      `${a}/officers`,
      `${a}/officers/new`,
      `${a}/headcount`,
      `${a}/structure`,
      `${a}/agreement`,
      `${a}/edit`,
      `${a}/members`,
      `${a}/members/new`,
      `${a}/members/import`,
      `/members/${memberId}`,
      `/members/${memberId}/edit`,
      `/members/${memberId}/application`,
      `${a}/reports`,
      `/reports/5-SP/${fx.orgs.A.inpo}/${D}`,
      '/account',
    ];
    for (const path of paths) {
      expect((await page.goto(`${web.baseUrl}${path}`))?.status(), path).toBe(200);
      const { scrollWidth, innerWidth, outside } = await horizontalOverflow(page);
      expect(scrollWidth, `${path}: ${outside.join(' | ')}`).toBeLessThanOrEqual(innerWidth);
      expect(await wcagViolations(page), path).toEqual([]);
    }
    await page.close();
  }, 120_000);

  it('when the menu button is pressed on a phone, then the folded navigation opens', async () => {
    const page = await web.loggedInPage(chair);
    await page.setViewportSize(PHONE);
    await page.goto(`${web.baseUrl}/`);
    const reports = page.getByRole('navigation', { name: 'Основное меню' }).getByRole('link', { name: 'Отчёты' });
    expect(await reports.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Меню' }).click();
    await reports.waitFor({ state: 'visible' });
    expect(await wcagViolations(page)).toEqual([]);
    await page.close();
  }, 60_000);
});
