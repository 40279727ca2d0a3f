import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useTestApp } from '../support/app';
import { useBrowser, wcagViolations } from '../support/browser';
import { createMembers, createOrg, createRegionTree, createUser, type TestUser } from '../support/factories';

// Issue 16, item 5 in a browser: what people type without «ё» finds the names written with it, shown as written.

const ctx = useTestApp();
const web = useBrowser(ctx);
let coordinator: TestUser;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let semenova: number;

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  tree = await createRegionTree(db, 16);
  const school = await createOrg(db, tree.territory, 'primary', { name: 'ППО детского сада «Центр развития ребёнка»' });
  semenova = (await createMembers(db, school, 1, { surname: 'Семёнова', name: 'Ирина' }))[0]!;
  await createMembers(db, school, 1, { surname: 'Семенихина' });
  coordinator = await createUser(db, [{ role: 'coordinator', org: tree.region }]);
});

/** No WCAG violations on a desktop and on a phone (390 px, nothing wider than the screen). */
async function accessibleOnBothScreens(page: Page) {
  expect(await wcagViolations(page)).toEqual([]);
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await wcagViolations(page)).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await page.setViewportSize({ width: 1366, height: 900 });
}

describe('searching names in a real browser', () => {
  it('when a coordinator types "семенова" and "ребенка", then «Семёнова» and the kindergarten «…ребёнка» are found as written', async () => {
    const page = await web.loggedInPage(coordinator);
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.goto(`${web.baseUrl}/orgs/${tree.region.inpo}/members`);
    await page.getByLabel('Фамилия (часть)').fill('семенова');
    await page.getByLabel('Фамилия (часть)').press('Enter');
    const found = page.getByRole('link', { name: /Семёнова Ирина/ });
    await found.waitFor();
    expect(await found.getAttribute('href')).toBe(`/members/${semenova}`);
    expect(await page.getByText('Семенихина').count()).toBe(0);
    await accessibleOnBothScreens(page);

    await page.goto(`${web.baseUrl}/orgs/${tree.region.inpo}/search`);
    await page.getByLabel('Название (часть) или ИНПО').fill('развития ребенка');
    await page.getByLabel('Название (часть) или ИНПО').press('Enter');
    await page.getByRole('link', { name: /Центр развития ребёнка/ }).waitFor();
    await accessibleOnBothScreens(page);
    await page.close();
  }, 120_000);
});
