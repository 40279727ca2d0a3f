import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { useBrowser, wcagViolations } from '../support/browser';
import { createOrg, createRegionTree, createUser, unionRoot, type TestUser } from '../support/factories';

const ctx = useTestApp();
const web = useBrowser(ctx);
let admin: TestUser;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let other: Awaited<ReturnType<typeof createRegionTree>>;
let target: Awaited<ReturnType<typeof createOrg>>;

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  tree = await createRegionTree(db, 16);
  other = await createRegionTree(db, 39);
  target = await createOrg(db, other.region, 'territorial', { name: 'Заречная территориальная организация' });
  admin = await createUser(db, [{ role: 'admin', org: await unionRoot(db) }]);
});

describe('the organization picker in a real browser', () => {
  it('when an administrator types part of a name in the move form and picks a suggestion, then its ИНПО is filled in and the preview warns of the other region', async () => {
    const page = await web.loggedInPage(admin);
    await page.goto(`${web.baseUrl}/orgs/${tree.primary.inpo}/move`);
    const field = page.getByLabel('Новая вышестоящая организация');
    await field.pressSequentially('заречн', { delay: 30 });
    const suggestion = page.getByRole('button', { name: /Заречная территориальная организация/ });
    await suggestion.waitFor();
    expect(await suggestion.textContent()).toContain(other.region.name);
    expect(await wcagViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await wcagViolations(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.setViewportSize({ width: 1366, height: 900 });

    await suggestion.click();
    expect(await field.inputValue()).toBe(target.inpo);
    expect(await page.getByRole('button', { name: /Заречная/ }).count()).toBe(0);
    await page.getByLabel('Дата').fill('2026-02-01');
    await page.getByRole('button', { name: 'Далее: проверить' }).click();
    await page.getByText(`Организация перейдёт в другой регион: ${other.region.name}`).waitFor();
    expect(await page.textContent('.alert-warning')).toContain('Заречная территориальная организация');
    expect(await wcagViolations(page)).toEqual([]);
    await page.close();
  }, 120_000);
});
