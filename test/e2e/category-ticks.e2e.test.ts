import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { useBrowser, wcagViolations } from '../support/browser';
import { createMembers, createRegionTree, createUser, type TestUser } from '../support/factories';

// Choosing a category that cannot carry «Педагогическая должность» clears the tick instead of sending the form back.

const ctx = useTestApp();
const web = useBrowser(ctx);
let chair: TestUser;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let memberId: number;

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  tree = await createRegionTree(db, 16);
  chair = await createUser(db, [{ role: 'chair', org: tree.primary }]);
  [memberId] = (await createMembers(db, tree.primary, 1, { surname: 'Учительница', is_pedagogical: true })) as [number];
});

describe('category and the working-only ticks', () => {
  it('when «Временно не работающий» is chosen on the card, then «Педагогическая должность» is unticked and disabled, and the change goes through', async () => {
    const page = await web.loggedInPage(chair);
    await page.goto(`${web.baseUrl}/members/${memberId}`);
    const pedagogical = page.locator('#category-isPedagogical');
    expect(await pedagogical.isChecked()).toBe(true);
    await page.locator('#category-category').selectOption({ label: 'Временно не работающий' });
    expect(await pedagogical.isChecked()).toBe(false);
    expect(await pedagogical.isDisabled()).toBe(true);
    expect(await wcagViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Изменить категорию' }).click();
    await page.getByText('Категория изменена').waitFor();

    // back to working: the tick may be set again
    await page.locator('#category-category').selectOption({ label: 'Работающий' });
    expect(await pedagogical.isDisabled()).toBe(false);
    await page.close();
  }, 60_000);

  it('when a category other than working is chosen on the admission form, then the tick is cleared there too', async () => {
    const page = await web.loggedInPage(chair);
    await page.goto(`${web.baseUrl}/orgs/${tree.primary.inpo}/members/new`);
    await page.locator('#isPedagogical').check();
    await page.getByLabel('Категория').selectOption({ label: 'Обучающийся' });
    expect(await page.locator('#isPedagogical').isChecked()).toBe(false);
    expect(await page.locator('#isPedagogical').isDisabled()).toBe(true);
    await page.close();
  }, 60_000);
});
