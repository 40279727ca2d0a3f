import { beforeAll, describe, expect, it } from 'vitest';
import type { OrgRow } from '../../src/registry/orgs.repo';
import { useTestApp } from '../support/app';
import { useBrowser, wcagViolations } from '../support/browser';
import { createMembers, createRegionTree, createUser, type TestUser } from '../support/factories';

// A coordinator keeps an officer's personnel file in the browser: the file from the passport's list, a training
// added through its form and shown in the file; the pages pass the accessibility check.

const ctx = useTestApp();
const web = useBrowser(ctx);
let coordinator: TestUser;
let primary: OrgRow;
let postId: number;

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  const tree = await createRegionTree(db, 16);
  primary = tree.primary;
  coordinator = await createUser(db, [{ role: 'coordinator', org: tree.region }]);
  const [memberId] = (await createMembers(db, primary, 1, { surname: 'Соколова', name: 'Анна' })) as [number];
  [{ id: postId }] = await db('org_officers')
    .insert({
      organization_id: primary.id,
      post: 'chair',
      surname: 'Соколова',
      name: 'Анна',
      member_id: memberId,
      elected_on: '2019-01-10',
    })
    .returning('id');
});

describe("an officer's personnel file in the browser", () => {
  it('when the coordinator opens the file from the passport and adds a training, then the file shows it', async () => {
    const page = await web.loggedInPage(coordinator);
    await page.goto(`${web.baseUrl}/orgs/${primary.inpo}/officers`);
    await page.getByRole('link', { name: 'Соколова Анна Ивановна' }).click();
    await page.waitForURL(`**/orgs/${primary.inpo}/officers/${postId}`);
    expect(await wcagViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Добавить обучение' }).click();
    await page.getByLabel('Программа (курс)').fill('Школа профсоюзного лидера');
    await page.getByLabel('Начало').fill('2025-03-10');
    await page.getByLabel('Часов').fill('36');
    expect(await wcagViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await page.waitForURL(`**/orgs/${primary.inpo}/officers/${postId}#trainings`);
    expect(await page.locator('#trainings').innerText()).toContain('Школа профсоюзного лидера');
  });
});
