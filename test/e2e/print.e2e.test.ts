import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useTestApp } from '../support/app';
import { useBrowser, wcagViolations } from '../support/browser';
import { createMembers, createRegionTree, createUser, type TestUser } from '../support/factories';
import { pdfPages } from '../support/pdf';

// A chair prints a member card, the member list and a membership application on A4: only the content.

const ctx = useTestApp();
const web = useBrowser(ctx);
let chair: TestUser;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let memberId: number;

const A4 = { width: 595, height: 842 };

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  tree = await createRegionTree(db, 16);
  chair = await createUser(db, [{ role: 'chair', org: tree.primary }]);
  [memberId] = (await createMembers(db, tree.primary, 1, {
    surname: 'Хайруллина',
    name: 'Алсу',
    patronymic: 'Рашидовна',
    phone: '+79171234567',
    position: 'учитель',
  })) as [number];
  await createMembers(db, tree.primary, 60);
});

/** What stays on screen for print: no navigation, no buttons, no forms. */
async function visibleControls(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('header, nav, form, button, .btn')]
      .filter(
        (e) =>
          (e as HTMLElement).offsetParent !== null ||
          (getComputedStyle(e).display !== 'none' && e.getClientRects().length > 0),
      )
      .map((e) => `${e.tagName}.${e.className}`),
  );
}

describe('printing on A4', () => {
  it('when a card, the member list and the application are printed, then only their content goes to A4 pages', async () => {
    const page = await web.loggedInPage(chair);
    const pages = [
      { path: `/members/${memberId}`, text: 'Хайруллина Алсу Рашидовна' },
      { path: `/orgs/${tree.primary.inpo}/members`, text: 'Петрова Мария Ивановна' },
      {
        path: `/members/${memberId}/application`,
        text: 'Прошу принять меня в члены Общероссийского Профсоюза образования',
      },
    ];
    for (const { path, text } of pages) {
      expect((await page.goto(`${web.baseUrl}${path}`))?.status(), path).toBe(200);
      await page.emulateMedia({ media: 'screen' });
      expect(await page.getByRole('button', { name: 'Распечатать' }).isVisible(), path).toBe(true);
      expect(await wcagViolations(page), path).toEqual([]);

      await page.emulateMedia({ media: 'print' });
      expect(await visibleControls(page), path).toEqual([]);
      const pdf = await page.pdf({ preferCSSPageSize: true });
      const printed = await pdfPages(pdf);
      expect(printed.length, path).toBeGreaterThan(0);
      for (const p of printed) expect({ width: Math.round(p.width), height: Math.round(p.height) }, path).toEqual(A4);
      const all = printed.flatMap((p) => p.items).join(' ');
      expect(all, path).toContain(text);
      for (const control of ['Выйти', 'Распечатать', 'Найти']) expect(all, path).not.toContain(control);
    }
    await page.close();
  }, 120_000);

  it("when the application is printed, then it carries the card's data, formatted, on one sheet", async () => {
    const page = await web.loggedInPage(chair);
    await page.goto(`${web.baseUrl}/members/${memberId}/application`);
    await page.emulateMedia({ media: 'print' });
    const printed = await pdfPages(await page.pdf({ preferCSSPageSize: true }));
    expect(printed).toHaveLength(1);
    const text = printed[0]!.items.join(' ');
    expect(text).toContain(tree.primary.name);
    expect(text).toContain('+7 (917) 123-45-67');
    expect(text).toContain('учитель');
    expect(text).toContain('Подпись');
    await page.close();
  }, 60_000);
});
