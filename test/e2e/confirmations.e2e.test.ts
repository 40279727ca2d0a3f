import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { useBrowser, wcagViolations } from '../support/browser';
import { createMembers, createOrg, createRegionTree, createUser, type TestUser } from '../support/factories';

// A destructive action in the browser: the first click shows what will happen and to how many, the
// second (on a page the server rendered, there is no script) does it.

const ctx = useTestApp();
const web = useBrowser(ctx);
let coordinator: TestUser;
let org: Awaited<ReturnType<typeof createOrg>>;
let students: number[];

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  const tree = await createRegionTree(db, 16);
  org = await createOrg(db, tree.territory, 'primary');
  students = await createMembers(db, org, 3, { surname: 'Выпускница', category: 'student' });
  await createMembers(db, org, 2, { surname: 'Учительница' });
  coordinator = await createUser(db, [{ role: 'coordinator', org: tree.region }]);
});

describe('confirmations in a real browser', () => {
  it('when «ко всем найденным» exit is chosen, then a page says «Найдено: 3» and only «Подтвердить» lets them leave', async () => {
    const db = ctx.database.ownerDb;
    const page = await web.loggedInPage(coordinator);
    await page.goto(`${web.baseUrl}/orgs/${org.inpo}/members?category=student`);
    await page.getByLabel('ко всем найденным (3)').check();
    await page.locator('#bulk-action').selectOption('exit');
    await page.locator('#bulk-reason').selectOption('graduated');
    await page.locator('#bulk-on').fill('2026-06-30');
    await page.getByRole('button', { name: 'Выполнить' }).click();

    await page.getByText('Будет оформлен выход из Профсоюза с 30.06.2026, причина: окончание обучения.').waitFor();
    expect(await page.locator('[data-affected]').textContent()).toContain('Найдено членов Профсоюза: 3');
    expect(await wcagViolations(page)).toEqual([]);
    // on a phone the page fits the screen and stays accessible
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await wcagViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await db('members').whereIn('id', students).whereNotNull('left_on')).toHaveLength(0);

    await page.getByRole('button', { name: 'Подтвердить для 3' }).click();
    await page.getByText('Выполнено для 3 из 3').waitFor();
    expect(await db('members').whereIn('id', students).whereNotNull('left_on')).toHaveLength(3);
    expect(await db('members').where({ organization_id: org.id }).whereNull('left_on')).toHaveLength(2);
    await page.close();
  }, 60_000);
});
