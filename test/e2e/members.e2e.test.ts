import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useTestApp } from '../support/app';
import { useBrowser, wcagViolations } from '../support/browser';
import { createOrg, createRegionTree, createUser, type TestUser } from '../support/factories';

const ctx = useTestApp();
const web = useBrowser(ctx);
let coordinator: TestUser;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let neighbour: Awaited<ReturnType<typeof createOrg>>;

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  tree = await createRegionTree(db, 16);
  neighbour = await createOrg(db, tree.territory, 'primary', { name: 'ППО МБОУ «Лицей № 5»' });
  coordinator = await createUser(db, [{ role: 'coordinator', org: tree.region }]);
});

async function fillPerson(page: Page) {
  await page.locator('#surname').fill('Хайруллина');
  await page.locator('#name').fill('Алсу');
  await page.locator('#patronymic').fill('Рашидовна');
  await page.getByLabel('Дата рождения').fill('1991-05-17');
  await page.getByLabel('Телефон').fill('8 917 222-33-44');
}

describe('member cards in a real browser', () => {
  it('when a member is added twice, transferred and handed a card, then the duplicate is caught and the card reads «Выдана»', async () => {
    const page = await web.loggedInPage(coordinator);

    await page.goto(`${web.baseUrl}/orgs/${tree.primary.inpo}/members`);
    expect(await wcagViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Принять в Профсоюз' }).click();
    await fillPerson(page);
    expect(await wcagViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Принять на учёт' }).click();
    await page.getByText('Член Профсоюза принят на учёт').waitFor();
    const cardUrl = page.url();

    // The same person once more: the registry recognises her.
    await page.goto(`${web.baseUrl}/orgs/${tree.primary.inpo}/members/new`);
    await fillPerson(page);
    await page.getByRole('button', { name: 'Принять на учёт' }).click();
    await page.getByText('Возможно, этот человек уже есть в реестре').waitFor();
    expect(await page.locator('.alert-warning').textContent()).toContain('Хайруллина Алсу Рашидовна');
    expect(await wcagViolations(page)).toEqual([]);

    await page.goto(cardUrl);
    await page.getByLabel('ИНПО организации').fill(neighbour.inpo);
    await page.getByRole('button', { name: 'Перевести' }).click();
    await page.getByText('Перевод выполнен').waitFor();
    expect(await page.locator('.timeline').textContent()).toContain(`→ ${neighbour.name}`);

    await page.getByRole('button', { name: 'Оформить заявку на карту' }).click();
    await page.getByText('Заявка на карту оформлена').waitFor();
    for (const status of ['Отправлена в производство', 'Изготовлена', 'Доставлена в регион', 'Выдана']) {
      await page.getByLabel('Новое состояние').selectOption({ label: status });
      await page.getByRole('button', { name: 'Изменить', exact: true }).click();
      // the previous move's flash stays on screen until the next page arrives: wait for the card's new state
      await page.locator('#cards-title + .card .badge', { hasText: status }).waitFor();
      await page.getByText('Состояние карты изменено').waitFor();
    }
    expect(await page.locator('#cards-title + .card').textContent()).toContain('Выдана');
    expect(await wcagViolations(page)).toEqual([]);
    await page.close();
  }, 120_000);
});
