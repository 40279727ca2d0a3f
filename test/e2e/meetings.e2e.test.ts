// A chair runs a meeting in a real browser (issue 21, item 3): schedules it, opens it, registers the
// attendance by typing card numbers and Enter as a USB scanner does, watches the quorum indicator turn
// green, records a decision, closes the meeting and downloads the minutes generated from the template.
import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { todayIso } from '../../src/shared/dates';
import { useTestApp } from '../support/app';
import { loggedInAgent } from '../support/agents';
import { useBrowser, wcagViolations } from '../support/browser';
import { createMembers, createRegionTree, createUser, type TestUser } from '../support/factories';
import { pdfText } from '../support/pdf';

const ctx = useTestApp();
const web = useBrowser(ctx);
let chair: TestUser;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
/** Five members with issued cards: more than half is 3. */
const cards: string[] = [];

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  tree = await createRegionTree(db, 62);
  chair = await createUser(db, [{ role: 'chair', org: tree.primary }]);
  const members = await createMembers(db, tree.primary, 5);
  cards.push(...members.map((_, i) => `E${i + 1}-${tree.primary.id}`));
  await db('union_cards').insert(
    members.map((memberId, i) => ({
      number: cards[i],
      member_id: memberId,
      status: 'issued',
      status_on: '2024-01-10',
    })),
  );
});

describe('in a real browser', () => {
  it('when a chair registers attendance by typing card numbers and Enter, then the quorum turns green, and the decision is in the downloaded minutes', async () => {
    const page = await web.loggedInPage(chair);
    await page.goto(`${web.baseUrl}/orgs/${tree.primary.inpo}`);
    await page.getByRole('link', { name: 'Собрания' }).click();
    await page.getByRole('link', { name: 'Назначить собрание' }).click();
    await page.getByLabel('Дата').fill(todayIso());
    await page.getByLabel('Место проведения').fill('Учительская');
    await page.getByLabel('Повестка дня').fill('О плане работы профкома на 2027 год');
    await page.getByRole('button', { name: 'Назначить' }).click();
    await page.getByRole('button', { name: 'Открыть собрание и начать регистрацию' }).click();
    expect(await wcagViolations(page)).toEqual([]);

    const field = page.getByLabel('Номер билета или QR-код');
    const quorum = page.locator('#quorum');
    // htmx posts each scan and swaps the answer in: the page is not reloaded
    let reloads = 0;
    page.on('framenavigated', () => reloads++);
    for (const [i, card] of cards.slice(0, 3).entries()) {
      await field.fill(card);
      await field.press('Enter');
      await page.locator('#registered-count', { hasText: String(i + 1) }).waitFor();
      // htmx swapped the answer in: the field is empty and focused for the next card
      expect(await field.inputValue()).toBe('');
      expect(await quorum.getAttribute('data-reached')).toBe(i + 1 >= 3 ? 'true' : 'false');
    }
    expect(await quorum.getAttribute('class')).toContain('alert-success');
    expect(reloads).toBe(0);
    await page.getByText('Зарегистрирован(а): Петрова Мария Ивановна').waitFor();
    // the same card again is refused and not counted
    await field.fill(cards[0]!);
    await field.press('Enter');
    await page.getByText(/уже зарегистрирован/).waitFor();
    expect(await page.locator('#registered-count').innerText()).toBe('3');
    // a second registrar at another entrance: the indicator on this page catches up within its refresh (5 s)
    const other = await loggedInAgent(ctx.app, chair);
    await other.agent
      .post(new URL(page.url()).pathname)
      .set('X-CSRF-Token', other.csrf)
      .type('form')
      .send({ scan: cards[3] })
      .expect(200);
    await page.locator('#registered-count', { hasText: '4' }).waitFor({ timeout: 10_000 });
    expect(await wcagViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'К собранию: повестка, решения, закрытие' }).click();
    await page.getByLabel('Текст решения').fill('Утвердить план работы профкома на 2027 год');
    await page.getByLabel('За', { exact: true }).fill('3');
    await page.getByLabel('Против', { exact: true }).fill('0');
    await page.getByLabel('Воздержались', { exact: true }).fill('0');
    await page.getByRole('button', { name: 'Записать решение' }).click();
    await page.getByText('Решение: Утвердить план работы профкома на 2027 год').waitFor();
    await page.getByLabel('Номер протокола').fill('12');
    await page.getByRole('button', { name: 'Закрыть и сформировать протокол' }).click();
    expect(await page.locator('#meeting-status').innerText()).toBe('Закрыто, протокол № 12');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Скачать протокол (PDF)' }).click(),
    ]);
    const text = (await pdfText(fs.readFileSync((await download.path())!))).replace(/\s+/g, ' ');
    expect(text).toContain('ПРОТОКОЛ № 12');
    expect(text).toContain('Утвердить план работы профкома на 2027 год');
    expect(text).toContain('«за» — 3, «против» — 0, «воздержались» — 0');
    expect(text).toContain('Зарегистрировано 4');
  });
});
