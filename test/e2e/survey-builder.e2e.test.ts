// Issue 20, item 1 in a real browser: a coordinator builds a questionnaire with the builder's buttons (two sections,
// a choice question and a number question shown only for one of its options), saves and publishes it; a chair
// answers — the conditional question appears only once the option is chosen — and submits; the survey's page
// counts the answer. The builder writes the JSON field the server checks: what it wrote is read back here.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { todayIso } from '../../src/shared/dates';
import { useTestApp } from '../support/app';
import { useBrowser, wcagViolations } from '../support/browser';
import { createRegionTree, createUser, type TestUser } from '../support/factories';

const ctx = useTestApp();
const web = useBrowser(ctx);
let coordinator: TestUser;
let chair: TestUser;
let tree: Awaited<ReturnType<typeof createRegionTree>>;

const ddmmyyyy = (iso: string) => iso.split('-').reverse().join('.');
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  tree = await createRegionTree(db, 62);
  coordinator = await createUser(db, [{ role: 'coordinator', org: tree.region }]);
  chair = await createUser(db, [{ role: 'chair', org: tree.primary }]);
});

const group = (page: Page, name: string) => page.getByRole('group', { name, exact: true });

describe('the questionnaire builder in a real browser', () => {
  let surveyUrl: string;

  it('when a coordinator builds two sections with a conditional number question and publishes, then the server takes what the builder wrote', async () => {
    const page = await web.loggedInPage(coordinator);
    await page.goto(`${web.baseUrl}/orgs/${tree.region.inpo}/surveys/new`);
    await page.getByLabel('Название опроса').fill('Комиссии по трудовым спорам');
    await page.getByLabel('Начало').fill(ddmmyyyy(todayIso()));
    await page.getByLabel(/^Окончание/).fill(ddmmyyyy(inDays(10)));

    // the new survey's field holds the worked example: the builder starts afresh with one section and one question
    await page.getByRole('button', { name: 'Начать анкету заново' }).click();
    // saved empty, the questionnaire comes back with the server's message, and the builder draws what was sent
    await page.getByRole('button', { name: 'Сохранить', exact: true }).click();
    await page.getByText('Ошибка в анкете: Укажите название раздела (раздел 1, title)').waitFor();
    const first = group(page, 'Раздел 1');
    await first.getByLabel('Название раздела').fill('Договор');
    const choice = group(page, 'Вопрос 1');
    await choice.getByLabel('Текст вопроса').fill('Есть ли коллективный договор?');
    await choice.getByLabel('Вариант 1').fill('Да');
    await choice.getByLabel('Вариант 2').fill('Нет');
    await choice.getByRole('button', { name: 'Добавить вариант' }).click();
    await choice.getByLabel('Вариант 3').fill('Готовится');
    await choice.getByLabel('Обязательный вопрос').check();

    await page.getByRole('button', { name: 'Добавить раздел' }).click();
    await group(page, 'Раздел 2').getByLabel('Название раздела').fill('Комиссия');
    const number = group(page, 'Вопрос 2');
    await number.getByLabel('Вид вопроса').selectOption({ label: 'число' });
    await number.getByLabel('Текст вопроса').fill('Сколько человек в комиссии?');
    await number.getByLabel('Наименьшее значение').fill('1');
    await number.getByLabel('Наибольшее значение').fill('20');
    await number.getByLabel('Только целое число').check();
    await number.getByLabel('Обязательный вопрос').check();
    await number.getByLabel('Показывать вопрос').selectOption({ index: 1 });
    await number.getByLabel('Выбран вариант').selectOption('Да');

    // a third question, moved above the first and removed again: the buttons reorder and remove
    await group(page, 'Раздел 2').getByRole('button', { name: 'Добавить вопрос' }).click();
    await group(page, 'Вопрос 3').getByLabel('Текст вопроса').fill('Лишний вопрос');
    await group(page, 'Вопрос 3').getByRole('button', { name: 'Вопрос выше' }).click();
    expect(await group(page, 'Вопрос 2').getByLabel('Текст вопроса').inputValue()).toBe('Лишний вопрос');
    // moved above the number question's condition source? no: still below question 1, so no warning
    await group(page, 'Вопрос 2').getByRole('button', { name: 'Удалить вопрос' }).click();
    expect(await group(page, 'Вопрос 2').getByLabel('Текст вопроса').inputValue()).toBe('Сколько человек в комиссии?');

    const written = JSON.parse(await page.locator('#definition').inputValue());
    expect(written).toEqual({
      sections: [
        {
          title: 'Договор',
          questions: [
            {
              id: 'q1',
              kind: 'single',
              text: 'Есть ли коллективный договор?',
              required: true,
              options: ['Да', 'Нет', 'Готовится'],
            },
          ],
        },
        {
          title: 'Комиссия',
          questions: [
            {
              id: 'q2',
              kind: 'number',
              text: 'Сколько человек в комиссии?',
              required: true,
              showIf: { question: 'q1', answer: 'Да' },
              min: 1,
              max: 20,
              integer: true,
            },
          ],
        },
      ],
    });
    expect(await wcagViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Сохранить', exact: true }).click();
    await page.getByText('Черновик опроса сохранён').waitFor();
    surveyUrl = new URL(page.url()).pathname;
    expect(surveyUrl).toMatch(/\/surveys\/\d+$/);
    await page.getByRole('button', { name: 'Опубликовать' }).click();
    await page.getByText('Опрос опубликован: организаций-адресатов 1').waitFor();

    // published: the builder lets only options be appended (the server refuses the rest all the same)
    await page.getByRole('link', { name: 'Добавить варианты ответа' }).click();
    const locked = group(page, 'Вопрос 1');
    expect(await locked.getByLabel('Текст вопроса').isDisabled()).toBe(true);
    expect(await locked.getByLabel('Вариант 1').isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Добавить раздел' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Удалить вопрос' }).count()).toBe(0);
    expect(await page.locator('#survey-builder').innerText()).not.toMatch(/null|undefined/);
    await locked.getByRole('button', { name: 'Добавить вариант' }).click();
    await locked.getByLabel('Вариант 4').fill('Не знаю');
    expect(await wcagViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Сохранить', exact: true }).click();
    await page.getByText('Варианты ответа добавлены').waitFor();
  });

  it('when a chair answers, then the number question appears only once «Да» is chosen, and the results count the answer', async () => {
    const page = await web.loggedInPage(chair);
    const id = surveyUrl.split('/').pop();
    await page.goto(`${web.baseUrl}/orgs/${tree.primary.inpo}/surveys/${id}/answer`);
    const conditional = page.locator('#question-q2');
    expect(await conditional.isHidden()).toBe(true);
    await page.getByLabel('Нет', { exact: true }).check();
    expect(await conditional.isHidden()).toBe(true);
    await page.getByLabel('Да', { exact: true }).check();
    await conditional.waitFor({ state: 'visible' });
    await page.getByLabel(/Сколько человек в комиссии\?/).fill('7');
    expect(await wcagViolations(page)).toEqual([]);
    await page.getByLabel('Не знаю', { exact: true }).check();
    expect(await conditional.isHidden()).toBe(true);
    await page.getByLabel('Да', { exact: true }).check();
    // the value typed before stays while the question was hidden
    expect(await page.getByLabel(/Сколько человек в комиссии\?/).inputValue()).toBe('7');
    await page.getByRole('button', { name: 'Отправить ответы' }).click();
    await page.getByText('Ответы отправлены. Спасибо!').waitFor();

    const coordinatorPage = await web.loggedInPage(coordinator);
    await coordinatorPage.goto(`${web.baseUrl}${surveyUrl}`);
    expect(await coordinatorPage.locator('#rate-total').innerText()).toMatch(/Ответили 1 из 1 организаций: 100\s%/);
    expect(await coordinatorPage.locator('#results-q2').innerText()).toContain(
      'Сумма: 7; среднее: 7; наименьшее: 7; наибольшее: 7.',
    );
    const options = await coordinatorPage.locator('#results-q1 tbody tr').allInnerTexts();
    expect(options.map((row) => row.split('\t').slice(0, 2).join(' '))).toEqual([
      'Да 1',
      'Нет 0',
      'Готовится 0',
      'Не знаю 0',
    ]);
  });
});
