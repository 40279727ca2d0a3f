import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { useBrowser, wcagViolations } from '../support/browser';
import { createMembers, createRegionTree, createUser, type TestUser } from '../support/factories';

const ctx = useTestApp();
const web = useBrowser(ctx);
let chair: TestUser;
let tree: Awaited<ReturnType<typeof createRegionTree>>;

beforeAll(async () => {
  tree = await createRegionTree(ctx.database.ownerDb, 16);
  await createMembers(ctx.database.ownerDb, tree.primary, 12);
  chair = await createUser(ctx.database.ownerDb, [{ role: 'chair', org: tree.primary }]);
});

describe('in a real browser', () => {
  it('when a chair logs in, sees the home page with their organization and logs out, then every page is WCAG 2.1 AA clean', async () => {
    const page = await web.browser.newPage();
    page.setDefaultTimeout(25_000);
    const cspErrors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') cspErrors.push(msg.text());
    });

    await page.goto(`${web.baseUrl}/`);
    await expect.poll(() => page.url()).toContain('/login');
    expect(await page.title()).toContain('Вход');
    expect(await wcagViolations(page)).toEqual([]);

    // A wrong password first: the error summary and the field stay accessible.
    await page.getByLabel('Имя пользователя').fill(chair.username);
    await page.getByLabel('Пароль').fill('не тот пароль');
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.getByText('Неверное имя пользователя или пароль').waitFor();
    expect(await wcagViolations(page)).toEqual([]);

    await page.getByLabel('Пароль').fill(chair.password);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.getByRole('heading', { name: /Добро пожаловать/ }).waitFor();
    expect(await page.textContent('main')).toContain(tree.primary.name);
    expect(await page.textContent('header')).toContain('Тестова Анна Ивановна');
    expect(await wcagViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'Открыть организацию' }).click();
    await page.getByRole('heading', { name: tree.primary.name }).waitFor();
    expect(await wcagViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Выйти' }).click();
    await page.getByText('Вы вышли из системы').waitFor();
    expect(page.url()).toBe(`${web.baseUrl}/login`);
    await page.goto(`${web.baseUrl}/`);
    await expect.poll(() => page.url()).toContain('/login');

    expect(cspErrors.filter((e) => /Content Security Policy|Refused/.test(e))).toEqual([]);
    await page.close();
  }, 120_000);
});
