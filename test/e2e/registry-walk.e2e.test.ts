import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useTestApp } from '../support/app';
import { useBrowser, wcagViolations } from '../support/browser';
import { createMembers, createRegionTree, createUser, unionRoot, type TestUser } from '../support/factories';

const ctx = useTestApp();
const web = useBrowser(ctx);
let admin: TestUser;
let tree: Awaited<ReturnType<typeof createRegionTree>>;

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  tree = await createRegionTree(db, 16);
  await createMembers(db, tree.primary, 9);
  await db('org_officers').insert({
    organization_id: tree.primary.id,
    post: 'chair',
    surname: 'Прежняя',
    name: 'Анна',
    elected_on: '2020-01-10',
  });
  admin = await createUser(db, [{ role: 'admin', org: await unionRoot(db) }]);
});

async function openChild(page: Page, name: string) {
  await page.getByRole('link', { name: 'Структура', exact: true }).click();
  await page.getByRole('link', { name }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

describe('registry in a real browser', () => {
  it('when an administrator walks union → region → territory → ППО, then every tab opens, the chair is re-elected and the journal shows it', async () => {
    const page = await web.loggedInPage(admin);
    await page.getByRole('link', { name: 'Открыть организацию' }).click();
    await page.getByRole('heading', { level: 1, name: 'Общероссийский Профсоюз образования' }).waitFor();

    await openChild(page, tree.region.name);
    await openChild(page, tree.territory.name);
    await openChild(page, tree.primary.name);
    expect(await page.textContent('nav[aria-label="Навигационная цепочка"]')).toContain(tree.territory.name);

    for (const tab of [
      'Общие сведения',
      'Председатель и выборные',
      'Численность',
      'Структура',
      'Коллективный договор',
    ]) {
      await page.getByRole('link', { name: tab, exact: true }).click();
      await page.locator('a.nav-link.active', { hasText: tab }).waitFor();
      expect(await wcagViolations(page), tab).toEqual([]);
    }

    await page.getByRole('link', { name: 'Председатель и выборные', exact: true }).click();
    await page.getByRole('link', { name: 'Добавить', exact: true }).click();
    // an officer outside the union's registry, entered by SNILS (the search's label also names «фамилия»: fields by id)
    await page.getByLabel('Не состоит на учёте в Профсоюзе (по СНИЛС)').check();
    await page.locator('#snils').fill('112-233-445 95');
    await page.locator('#surname').fill('Новикова');
    await page.locator('#name').fill('Дарья');
    await page.locator('#patronymic').fill('Игоревна');
    await page.locator('#sex').selectOption('f');
    await page.locator('#birthDate').fill('1988-04-12');
    await page.getByLabel('Дата избрания').fill('2026-11-20');
    expect(await wcagViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Сохранить' }).click();
    // a new chair ends the current one's powers: said before saving, and again after
    await page.getByText('Полномочия будут прекращены с 20.11.2026: Председатель Прежняя А.').waitFor();
    expect(await wcagViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Сохранить и прекратить полномочия' }).click();
    await page
      .getByText('Выборное лицо добавлено. Полномочия прекращены с 20.11.2026: Председатель Прежняя А.')
      .waitFor();
    const current = await page.locator('table').first().textContent();
    expect(current).toContain('Новикова Дарья Игоревна');
    // no term is typed: five years from the election by the ППО chairs' rule
    expect(current).toContain('20.11.2031');
    expect(await page.locator('table').nth(1).textContent()).toContain('Прежняя Анна');

    await page.getByRole('link', { name: 'Журнал изменений' }).click();
    const journal = await page.locator('table').textContent();
    expect(journal).toContain('Добавлено выборное лицо');
    expect(journal).toContain('Новикова');
    expect(journal).toContain('Прекращены полномочия');
    expect(await wcagViolations(page)).toEqual([]);
    await page.close();
  }, 120_000);
});
