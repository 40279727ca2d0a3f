import { beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { useTestApp } from '../support/app';
import { useBrowser, wcagViolations } from '../support/browser';
import { createMembers, createOrg, createRegionTree, createUser, type TestUser } from '../support/factories';
import { readSheet } from '../support/xlsx';

// The coordinator of a region opens its monitoring, follows the number of a territory's students to the
// list behind it, and downloads the table.

const ctx = useTestApp();
const web = useBrowser(ctx);
let coordinator: TestUser;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let students: number[];

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  tree = await createRegionTree(db, 31);
  await createOrg(db, tree.region, 'territorial');
  await createMembers(db, tree.primary, 3);
  students = await createMembers(db, tree.primary, 2, { category: 'student', surname: 'Студентова' });
  await db('declared_figures').insert({
    organization_id: tree.territory.id,
    on_date: '2024-01-01',
    members_total: 6,
    source: 'entered',
  });
  coordinator = await createUser(db, [{ role: 'coordinator', org: tree.region }]);
});

describe('the monitoring of a region', () => {
  it('the coordinator opens it, follows a number to its list and downloads the XLSX; axe finds nothing', async () => {
    const page = await web.loggedInPage(coordinator);
    await page.goto(`${web.baseUrl}/orgs/${tree.region.inpo}`);
    await page.getByRole('link', { name: 'Мониторинг', exact: true }).first().click();
    await page.getByRole('heading', { name: /Мониторинг реестра на/ }).waitFor();
    const row = page.locator(`tr[data-inpo="${tree.territory.inpo}"]`);
    expect(await row.locator('td[data-column="coverage"]').innerText()).toContain('более 70 %');
    expect(await wcagViolations(page)).toEqual([]);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Скачать в Excel' }).click(),
    ]);
    const sheet = await readSheet(fs.readFileSync((await download.path())!));
    const territory = sheet.find((r) => r[1] === tree.territory.inpo)!;
    const labels = sheet.find((r) => r[0] === 'Организация')!;
    expect([territory[labels.indexOf('На учёте')], territory[labels.indexOf('На учёте к отчёту, %')]]).toEqual([
      '5',
      '83.3',
    ]);

    await row.locator('td[data-column="members-student"] a').click();
    await page
      .getByRole('heading', { name: /Члены Профсоюза/ })
      .first()
      .waitFor();
    const listed = await page
      .locator('tbody a[href^="/members/"]')
      .evaluateAll((links) => links.map((a) => Number(a.getAttribute('href')!.split('/')[2])));
    expect(listed.sort()).toEqual([...students].sort());
    await page.close();
  }, 90_000);
});
