import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { useBrowser, wcagViolations } from '../support/browser';
import { createMembers, createOrg, createRegionTree, createUser, uniq, type TestUser } from '../support/factories';
import { useSmtpCapture } from '../support/smtp';

const env: Record<string, string> = { MAIL_RATE_PER_SECOND: '1000', MAIL_RATE_PER_DOMAIN: '1000' };
const smtp = useSmtpCapture(env);
const ctx = useTestApp(env);
const web = useBrowser(ctx);
let coordinator: TestUser;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
const chairs: string[] = [];

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  tree = await createRegionTree(db, 61);
  coordinator = await createUser(db, [{ role: 'coordinator', org: tree.region }]);
  // three ППО of the region with a chair: two written to at the organization's address, one at their own card's
  for (let i = 0; i < 3; i++) {
    const primary = i ? await createOrg(db, tree.territory, 'primary') : tree.primary;
    const email = `${uniq(`chair${i}-`)}@example.ru`;
    chairs.push(email);
    const [memberId] = i === 2 ? await createMembers(db, primary, 1, { email }) : [null];
    if (memberId)
      await db('member_consents').insert({
        member_id: memberId,
        kind: 'mailing',
        channel: 'email',
        text_version: 'v1',
        source: 'paper',
        given_on: '2024-01-10',
      });
    else await db('organizations').where({ id: primary.id }).update({ email });
    await db('org_officers').insert({
      organization_id: primary.id,
      post: 'chair',
      surname: 'Смирнова',
      name: 'Ольга',
      member_id: memberId,
      elected_on: '2024-01-10',
    });
  }
});

describe('in a real browser', () => {
  it('when a coordinator writes to the chairs of the region, then the preview counts them and the progress bar reaches 100%', async () => {
    const page = await web.loggedInPage(coordinator);
    await page.goto(`${web.baseUrl}/orgs/${tree.region.inpo}`);
    await page.getByRole('link', { name: 'Рассылки' }).click();
    await page.getByRole('link', { name: 'Новая рассылка' }).click();
    const subject = uniq('Совещание председателей ');
    await page.getByLabel('Тема письма').fill(subject);
    await page.getByLabel('Текст письма').fill('Коллеги, совещание **в пятницу** в 10:00.');
    await page.getByLabel(/профактиву/).check();
    await page.getByLabel('Председатель', { exact: true }).check();
    await page.getByLabel('Первичная профсоюзная организация', { exact: true }).check();
    await page.getByRole('button', { name: 'Проверить получателей' }).click();
    expect(await page.locator('#preview-count').innerText()).toBe('Письмо получат: 3 адреса.');
    expect(await wcagViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Разослать (3)' }).click();
    await page.getByText('Рассылка завершена').waitFor({ timeout: 30_000 });
    expect(await page.locator('progress').getAttribute('value')).toBe('100');
    expect(await page.locator('#delivered').innerText()).toBe('3 (100%)');
    expect(await wcagViolations(page)).toEqual([]);
    const to = smtp.messages.filter((m) => m.subject === subject).map((m) => JSON.stringify(m.to));
    expect(chairs.map((c) => to.filter((t) => t.includes(c)).length)).toEqual([1, 1, 1]);
  });
});
