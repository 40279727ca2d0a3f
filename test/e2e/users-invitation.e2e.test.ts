import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { useBrowser, wcagViolations } from '../support/browser';
import { createRegionTree, createUser, uniq, unionRoot, type TestUser } from '../support/factories';

// No SMTP_URL: the letter is kept in the outbox, where the federal administrator reads it (as in `npm start`).
const ctx = useTestApp();
const web = useBrowser(ctx);
let admin: TestUser;
let tree: Awaited<ReturnType<typeof createRegionTree>>;

beforeAll(async () => {
  tree = await createRegionTree(ctx.database.ownerDb, 76);
  admin = await createUser(ctx.database.ownerDb, [{ role: 'admin', org: await unionRoot(ctx.database.ownerDb) }]);
});

describe('in a real browser', () => {
  it('when the admin creates a user and grants a role, then the new user sets a password through the invitation and signs in', async () => {
    const page = await web.loggedInPage(admin);
    await page.getByRole('link', { name: 'Пользователи' }).click();
    await page.getByRole('link', { name: 'Новый пользователь' }).click();
    expect(await wcagViolations(page)).toEqual([]);

    const username = uniq('e2e-');
    const email = `${username}@example.ru`;
    await page.getByLabel('Фамилия, имя, отчество').fill('Кузнецова Мария Андреевна');
    await page.getByLabel('Имя пользователя (логин)').fill(username);
    await page.getByLabel('Электронная почта').fill(email);
    await page.getByLabel('Роль').selectOption('chair');
    await page.getByLabel('ИНПО организации').fill(tree.primary.inpo);
    await page.getByRole('button', { name: 'Создать и пригласить' }).click();
    await page.getByRole('heading', { name: 'Кузнецова Мария Андреевна' }).waitFor();
    expect(await page.textContent('main')).toContain(`приглашение отправлено на ${email}`);

    // a second role: the statistician's view of the territory
    await page.getByLabel('Роль').selectOption('statistician');
    await page.getByLabel('ИНПО организации').fill(tree.territory.inpo);
    await page.getByRole('button', { name: 'Выдать' }).click();
    await page.getByText('Роль «Статистик» выдана').waitFor();
    expect(await page.locator('#grants-title + .table-responsive table tbody tr').count()).toBe(2);
    expect(await wcagViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'Почта' }).click();
    expect(await wcagViolations(page)).toEqual([]);
    await page
      .getByRole('row', { name: new RegExp(email) })
      .getByRole('link')
      .click();
    const body = await page.locator('#message-body').innerText();
    const link = /https?:\/\/\S+\/invite\/[A-Za-z0-9_-]+/.exec(body)![0];

    const context = await web.browser.newContext();
    const invited = await context.newPage();
    invited.setDefaultTimeout(25_000);
    await invited.goto(`${web.baseUrl}${new URL(link).pathname}`);
    expect(await invited.textContent('main')).toContain(username);
    expect(await wcagViolations(invited)).toEqual([]);
    const password = 'ромашковое поле у реки';
    await invited.getByLabel('Новый пароль').fill(password);
    await invited.getByLabel('Повторите пароль').fill(password);
    await invited.getByRole('button', { name: 'Задать пароль' }).click();
    await invited.getByText('Пароль задан').waitFor();
    await invited.getByLabel('Имя пользователя').fill(username);
    await invited.getByLabel('Пароль', { exact: true }).fill(password);
    await invited.getByRole('button', { name: 'Войти' }).click();
    await invited.getByRole('heading', { name: /Добро пожаловать/ }).waitFor();
    expect(await invited.textContent('main')).toContain(tree.primary.name);
    await context.close();
  });
});
