import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser } from '../support/factories';
import { hiddenFields } from '../support/forms';

// Two users open the same form; the first saves; the second saves from the page they opened before.
// The second save must not silently revert the first: 409, a Russian message naming what the other
// user changed with its new value, the second user's input kept in the form, and nothing overwritten.

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let first: Agent;
let second: Agent;

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  const coordinator = await createUser(db(), [{ role: 'coordinator', org: tree.region }]);
  first = (await loggedInAgent(ctx.app, coordinator)).agent;
  second = (await loggedInAgent(ctx.app, coordinator)).agent;
});

/** Both users open the page with the form at the same time. */
const openTwice = (url: string) => Promise.all([first.get(url).expect(200), second.get(url).expect(200)]);

describe('a stale save', () => {
  it('when two users edit one member card, then the later save from the older page answers 409 with the other change and does not revert it', async () => {
    const [id] = await createMembers(db(), tree.primary, 1, {
      surname: 'Версионная',
      phone: '+79000000000',
      email: 'old@example.ru',
    });
    const url = `/members/${id}/edit`;
    const [pageA, pageB] = await openTwice(url);
    const person = {
      surname: 'Версионная',
      name: 'Мария',
      patronymic: 'Ивановна',
      sex: 'f',
      birthDate: '1985-05-05',
      phone: '+79000000000',
      email: 'old@example.ru',
    };
    const saved = await first
      .post(url)
      .type('form')
      .send({ ...hiddenFields(pageA.text, url), ...person, phone: '+7 917 111-22-33' });
    expect(saved.status).toBe(303);
    const stale = await second
      .post(url)
      .type('form')
      .send({ ...hiddenFields(pageB.text, url), ...person, email: 'new@example.ru' });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('изменил другой пользователь');
    expect(stale.text).toContain('Телефон: +79171112233');
    expect(stale.text).toContain('value="new@example.ru"');
    expect(await db()('members').where({ id }).first()).toMatchObject({
      phone: '+79171112233',
      email: 'old@example.ru',
    });
    expect(await db()('audit_log').where({ action: 'member.updated', entity_id: String(id) })).toHaveLength(1);

    // The form comes back with the other user's change taken in: saving it again keeps both.
    const again = await second
      .post(url)
      .type('form')
      .send({ ...hiddenFields(stale.text, url), ...person, phone: '+79171112233', email: 'new@example.ru' });
    expect(again.status).toBe(303);
    expect(await db()('members').where({ id }).first()).toMatchObject({
      phone: '+79171112233',
      email: 'new@example.ru',
    });
  });

  it('when two users edit the general data of one passport, then the stale save answers 409 and keeps the first', async () => {
    const org = await createOrg(db(), tree.territory, 'primary', { name: 'ППО Школы № 1' });
    const url = `/orgs/${org.inpo}/edit`;
    const [pageA, pageB] = await openTwice(url);
    const general = { name: 'ППО Школы № 1', employerKind: 'school' };
    expect(
      (
        await first
          .post(url)
          .type('form')
          .send({ ...hiddenFields(pageA.text, url), ...general, name: 'ППО Гимназии № 1' })
      ).status,
    ).toBe(303);
    const stale = await second
      .post(url)
      .type('form')
      .send({ ...hiddenFields(pageB.text, url), ...general, address: 'г. Казань, ул. Пушкина, 1' });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('Полное наименование: ППО Гимназии № 1');
    expect(await db()('organizations').where({ id: org.id }).first()).toMatchObject({
      name: 'ППО Гимназии № 1',
      address: null,
    });
  });

  it('when two users fill in the collective agreement at once, then the second gets 409 instead of replacing the first', async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    const url = `/orgs/${org.inpo}/agreement`;
    const [pageA, pageB] = await openTwice(`${url}/edit`);
    expect(
      (
        await first
          .post(url)
          .type('form')
          .send({ ...hiddenFields(pageA.text, url), status: 'negotiating' })
      ).status,
    ).toBe(303);
    const stale = await second
      .post(url)
      .type('form')
      .send({ ...hiddenFields(pageB.text, url), status: 'none', noneReason: 'Работодатель отказался' });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('Состояние: Ведутся переговоры');
    expect((await db()('collective_agreements').where({ organization_id: org.id }).first()).status).toBe('negotiating');
  });

  it('when two users enter the headcount for one date, then the one who did not see the other figure gets 409; a correction seen on the page is saved', async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    const url = `/orgs/${org.inpo}/headcount`;
    const [pageA, pageB] = await openTwice(url);
    const figure = { asOf: '2026-09-01', employeesTotal: '50', employeesPedagogical: '30' };
    expect(
      (
        await first
          .post(url)
          .type('form')
          .send({ ...hiddenFields(pageA.text, url), ...figure })
      ).status,
    ).toBe(303);
    const stale = await second
      .post(url)
      .type('form')
      .send({ ...hiddenFields(pageB.text, url), ...figure, employeesTotal: '70' });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('Работников всего: 50');
    expect((await db()('org_headcounts').where({ organization_id: org.id }).first()).employees_total).toBe(50);
    // The page now shows the figure: a correction from it is intended.
    const fresh = await second.get(url).expect(200);
    expect(
      (
        await second
          .post(url)
          .type('form')
          .send({ ...hiddenFields(fresh.text, url), ...figure, employeesTotal: '70' })
      ).status,
    ).toBe(303);
    expect((await db()('org_headcounts').where({ organization_id: org.id }).first()).employees_total).toBe(70);
  });
});
