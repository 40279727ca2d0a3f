import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { useBrowser, wcagViolations } from '../support/browser';
import { createMembers, createRegionTree, createUser, type TestUser } from '../support/factories';
import { appCode } from '../support/second-factor';

// As in production: a coordinator must enrol before doing anything.
const ctx = useTestApp({ TOTP_REQUIRED: 'true' });
const web = useBrowser(ctx);
let coordinator: TestUser;
let memberId: number;

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  const tree = await createRegionTree(db, 16);
  coordinator = await createUser(db, [{ role: 'coordinator', org: tree.region }]);
  [memberId] = (await createMembers(db, tree.primary, 1)) as [number];
});

describe('second factor, account and audit in a real browser', () => {
  it('when a coordinator enrols from the QR page, logs in again with a code and opens the account, the audit and a card journal, then each page works under the CSP and passes axe', async () => {
    const page = await web.loggedInPage(coordinator);
    const blocked: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') blocked.push(m.text());
    });
    await page.waitForURL(/\/account\/second-factor$/);
    const qr = page.getByAltText('QR-код для приложения-аутентификатора');
    await expect
      .poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBeGreaterThan(100);
    expect(await wcagViolations(page)).toEqual([]);
    const secret = (await page.locator('#manual-key').innerText()).replace(/\s/g, '');
    await page.getByLabel('Код из приложения').fill(appCode(secret));
    await page.getByRole('button', { name: 'Подключить' }).click();
    await expect.poll(() => page.locator('#recovery-codes li').count()).toBe(10);
    await page.getByRole('link', { name: 'Я сохранил коды' }).click();
    await page.waitForURL(/\/account$/);
    expect(await page.getByText('этот сеанс').count()).toBe(1);
    expect(await wcagViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Выйти' }).click();
    await page.waitForURL(/\/login$/);
    await page.getByLabel('Имя пользователя').fill(coordinator.username);
    await page.getByLabel('Пароль').fill(coordinator.password);
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.waitForURL(/\/login\/code$/);
    expect(await wcagViolations(page)).toEqual([]);
    await page.getByLabel('Код').fill(appCode(secret, 1));
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.waitForURL((u) => u.pathname === '/');

    await page.goto(`${web.baseUrl}/members/${memberId}`);
    await page.getByRole('link', { name: 'Журнал', exact: true }).click();
    await page.waitForURL(new RegExp(`/members/${memberId}/journal$`));
    expect(await page.locator('td', { hasText: 'Просмотр карточки' }).count()).toBe(1);
    expect(await wcagViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Журнал аудита' }).click();
    await page.waitForURL(/\/admin\/audit$/);
    expect(await page.locator('td', { hasText: 'Просмотр карточки' }).count()).toBe(1);
    expect(await wcagViolations(page)).toEqual([]);
    await page.getByLabel('Действие').selectOption('member.viewed');
    await page.getByRole('button', { name: 'Найти' }).click();
    await page.waitForURL(/action=member\.viewed/);
    expect(await page.locator('td', { hasText: 'Просмотр карточки' }).count()).toBe(1);
    expect(blocked.filter((t) => /Content Security Policy/i.test(t))).toEqual([]);
  }, 120_000);
});
