import { beforeAll, describe, expect, it } from 'vitest';
import { createFormStamps } from '../../src/join/form-stamp';
import { useTestApp } from '../support/app';
import { useBrowser, wcagViolations } from '../support/browser';
import { createRegionTree, createUser, type TestUser } from '../support/factories';

// Online admission from a phone (issue 18): apply → confirm by the e-mailed link → the chair accepts →
// the new member signs in. No SMTP_URL: the letters are kept in the outbox, where the test reads them.
const ctx = useTestApp();
const web = useBrowser(ctx);
let chair: TestUser;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
const db = () => ctx.database.ownerDb;

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  await db()('organizations').where({ id: tree.primary.id }).update({ name: 'ППО Педагогического колледжа № 1' });
  chair = await createUser(db(), [{ role: 'chair', org: tree.primary }]);
});

/** The app's link of the last letter kept for `to` whose text has `path` in it. */
async function linkFromOutbox(to: string, path: string): Promise<string> {
  const row = await db()('mail_outbox')
    .where({ to_address: to })
    .whereLike('body', `%${path}%`)
    .orderBy('id', 'desc')
    .first('body');
  return new URL(new RegExp(`https?://\\S+${path}[A-Za-z0-9_-]+`).exec(row.body)![0]).pathname;
}

describe('online admission in a real browser', () => {
  it('when a student applies from a phone and confirms the e-mail, and the chair accepts, then the student signs in and sees the QR code of their union card', async () => {
    const email = 'student.e2e@example.ru';
    const phone = await web.browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true });
    const page = await phone.newPage();
    page.setDefaultTimeout(25_000);
    await page.goto(`${web.baseUrl}/join`);
    await page.getByLabel('Название организации или ИНПО').fill('колледж 1');
    await page.getByRole('button', { name: 'Найти' }).click();
    await page.getByRole('link', { name: 'ППО Педагогического колледжа № 1' }).click();
    expect(await wcagViolations(page)).toEqual([]);
    await page.getByLabel('Фамилия').fill('Гарипова');
    await page.locator('#name').fill('Диляра');
    await page.locator('#sex').selectOption('f');
    await page.locator('#birthDate').fill('2006-09-01');
    await page.locator('#email').fill(email);
    await page.locator('#category').selectOption('student');
    await page.getByLabel('Место работы или учёбы').fill('Педагогический колледж № 1');
    await page.getByLabel('Даю согласие на обработку персональных данных').check();
    // a person takes longer than the minimum fill time; the test stands in for those seconds with the
    // stamp of a form shown 10 s ago instead of sleeping
    const stamp = createFormStamps(ctx.config.sessionSecret!).issue(Date.now() - 10_000);
    await page.locator('input[name="formStamp"]').evaluate((el, value) => {
      (el as HTMLInputElement).value = value;
    }, stamp);
    await page.getByRole('button', { name: 'Отправить заявление' }).click();
    await page.getByRole('heading', { name: 'Заявление отправлено' }).waitFor();

    await page.goto(`${web.baseUrl}${await linkFromOutbox(email, '/join/confirm/')}`);
    await page.getByRole('button', { name: 'Подтвердить заявление' }).click();
    await page.getByText('Спасибо! Заявление подтверждено.').waitFor();
    await phone.close();

    const desk = await web.loggedInPage(chair);
    await desk.getByRole('link', { name: /Заявления о вступлении ждут решения: 1/ }).click();
    await desk.getByRole('link', { name: /Гарипова Диляра/ }).click();
    expect(await wcagViolations(desk)).toEqual([]);
    await desk.getByRole('button', { name: 'Принять в Профсоюз' }).click();
    await desk.waitForURL(/\/members\/\d+$/);
    expect(await desk.textContent('main')).toContain('Гарипова');

    const member = await web.browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true });
    const own = await member.newPage();
    own.setDefaultTimeout(25_000);
    await own.goto(`${web.baseUrl}${await linkFromOutbox(email, '/invite/')}`);
    const username = (await own.textContent('main'))!.match(/member-\d+/)![0];
    const password = 'первый курс колледжа';
    await own.getByLabel('Новый пароль').fill(password);
    await own.getByLabel('Повторите пароль').fill(password);
    await own.getByRole('button', { name: 'Задать пароль' }).click();
    await own.getByText('Пароль задан').waitFor();
    await own.getByLabel('Имя пользователя').fill(username);
    await own.getByLabel('Пароль', { exact: true }).fill(password);
    await own.getByRole('button', { name: 'Войти' }).click();
    // a member's home is the personal account: their card, and the QR code of the union card just requested
    await own.getByRole('heading', { name: /Гарипова Диляра/ }).waitFor();
    const qr = own.getByRole('img', { name: /QR-код проверки билета/ });
    await qr.waitFor();
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await member.close();
  });
});
