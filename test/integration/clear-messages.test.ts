import { beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/shared/event-dates';
import { formatDate } from '../../src/shared/format';
import { todayIso } from '../../src/shared/dates';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createRegionTree, createUser } from '../support/factories';
import { submitForm } from '../support/forms';

// Messages that say what is wrong and what would be right; defaults that the form itself accepts.

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let chair: { agent: Agent; csrf: string };

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  chair = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: tree.primary }]));
});

const admit = (extra: Record<string, string>) =>
  chair.agent
    .post(`/orgs/${tree.primary.inpo}/members`)
    .type('form')
    .send({
      _csrf: chair.csrf,
      surname: 'Старейшина',
      name: 'Анна',
      sex: 'f',
      birthDate: '1980-01-01',
      category: 'working',
      organizationInpo: tree.primary.inpo,
      joinedOn: '2015-09-01',
      notDuplicate: 'on',
      ...extra,
    });

/** The value the page's form field with this id is rendered with. */
const fieldValue = (html: string, id: string) => new RegExp(`id="${id}"[^>]*value="([^"]*)"`).exec(html)?.[1];

describe('a birth date out of range', () => {
  it('when 01.01.1890 is typed, then the message gives the plausible range, not the format', async () => {
    const year = Number(todayIso().slice(0, 4));
    for (const birthDate of ['01.01.1890', '1890-01-01', `01.01.${year - 5}`]) {
      const res = await admit({ birthDate });
      expect(res.status, birthDate).toBe(422);
      expect(res.text, birthDate).toContain(
        `Проверьте дату рождения: от 14 до 100 лет, то есть с 01.01.${year - 100} по 31.12.${year - 14}`,
      );
      expect(res.text, birthDate).not.toContain('в формате ДД.ММ.ГГГГ');
    }
    expect((await admit({ birthDate: '1.1.80' })).text).toContain('Введите дату в формате ДД.ММ.ГГГГ');
  });
});

describe('readmission', () => {
  it('when a member left today, then the form offers tomorrow, and sending it as offered readmits', async () => {
    const today = todayIso();
    const [id] = await createMembers(db(), tree.primary, 1, {
      surname: 'Вернувшаяся',
      joined_on: '2010-09-01',
      left_on: today,
    });
    const card = (await chair.agent.get(`/members/${id}`).expect(200)).text;
    expect(fieldValue(card, 'readmit-on')).toBe(addDays(today, 1));
    const res = await submitForm(chair.agent, `/members/${id}`, `/members/${id}/readmit`, {
      organizationInpo: tree.primary.inpo,
      category: 'working',
      on: addDays(today, 1),
    });
    expect(res.status, res.text.slice(0, 300)).toBe(303);
  });

  it('when a member left long ago, then the form offers today; the exit day itself is refused with the first day allowed', async () => {
    const [id] = await createMembers(db(), tree.primary, 1, {
      surname: 'Давняя',
      joined_on: '2010-09-01',
      left_on: '2020-05-31',
    });
    expect(fieldValue((await chair.agent.get(`/members/${id}`).expect(200)).text, 'readmit-on')).toBe(todayIso());
    const res = await submitForm(chair.agent, `/members/${id}`, `/members/${id}/readmit`, {
      organizationInpo: tree.primary.inpo,
      category: 'working',
      on: '2020-05-31',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain(
      `Повторный приём — не раньше ${formatDate('2020-06-01')}, следующего дня после выхода (31.05.2020)`,
    );
  });
});

describe('a category without working-only ticks', () => {
  it('when «Временно не работающий» is sent with «Педагогическая должность» ticked, then the message says to untick it', async () => {
    const [id] = await createMembers(db(), tree.primary, 1, { surname: 'Учительница', is_pedagogical: true });
    const res = await submitForm(chair.agent, `/members/${id}`, `/members/${id}/category`, {
      category: 'unemployed',
      isPedagogical: 'on',
      on: todayIso(),
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain(
      '«Педагогическая должность» отмечается только у работающих: для категории «Временно не работающий» снимите эту отметку',
    );
    // the select tells the page which ticks to clear when another category is chosen
    expect(res.text).toContain('data-working-only="category-isPedagogical category-onParentalLeave"');
  });
});
