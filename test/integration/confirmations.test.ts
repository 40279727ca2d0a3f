import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser } from '../support/factories';
import { hiddenFields as formOf } from '../support/forms';

// Destructive actions take two steps: the first POST shows what will happen and to how many and changes
// nothing; only the same POST with confirmed=1 acts.

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let coordinator: { agent: Agent; csrf: string };

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  coordinator = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: tree.region }]));
});

const post = (path: string, body: Record<string, string | string[]>) =>
  coordinator.agent
    .post(path)
    .type('form')
    .send({ _csrf: coordinator.csrf, ...body });
/** Every hidden field of the page in order (repeated names kept), to see what the confirmation resends. */
const hiddenFields = (html: string) =>
  [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]);

describe('bulk actions on the member list', () => {
  it('when «ко всем найденным» exit is sent, then a page says who leaves and how many and nothing changes until it is confirmed', async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    const students = await createMembers(db(), org, 3, { surname: 'Студентка', category: 'student' });
    const body = {
      scope: 'filter',
      category: 'student',
      status: 'active',
      action: 'exit',
      reason: 'graduated',
      on: '2026-06-30',
    };

    const asked = await post(`/orgs/${org.inpo}/members/bulk`, body);
    expect(asked.status).toBe(200);
    expect(asked.text).toContain('Будет оформлен выход из Профсоюза с 30.06.2026, причина: окончание обучения.');
    expect(asked.text).toContain('data-affected="3"');
    expect(asked.text).toContain('Подтвердить для 3');
    expect(hiddenFields(asked.text)).toEqual(
      expect.arrayContaining([
        ['scope', 'filter'],
        ['category', 'student'],
        ['reason', 'graduated'],
        ['confirmed', '1'],
      ]),
    );
    expect(await db()('members').whereIn('id', students).whereNotNull('left_on')).toHaveLength(0);

    const confirmed = await post(`/orgs/${org.inpo}/members/bulk`, { ...body, confirmed: '1' });
    expect(confirmed.status).toBe(303);
    expect(await db()('members').whereIn('id', students).whereNotNull('left_on')).toHaveLength(3);
  });

  it('when ticked members are to be transferred, then the confirmation carries every ticked id', async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    const ids = (await createMembers(db(), org, 2)).map(String);
    const asked = await post(`/orgs/${org.inpo}/members/bulk`, {
      scope: 'selected',
      ids,
      action: 'transfer',
      toInpo: tree.primary.inpo,
      on: '2026-02-01',
    });
    expect(asked.status).toBe(200);
    expect(asked.text).toContain(`Будет оформлен перевод с 01.02.2026 в организацию с ИНПО ${tree.primary.inpo}.`);
    expect(
      hiddenFields(asked.text)
        .filter(([name]) => name === 'ids')
        .map(([, value]) => value),
    ).toEqual(ids);
    expect((await db()('members').whereIn('id', ids)).every((m) => m.organization_id === org.id)).toBe(true);
  });
});

describe('a single member exit', () => {
  it('when «Оформить выход» is sent, then a page names the person, the date and the reason and the member stays until it is confirmed', async () => {
    const [id] = await createMembers(db(), tree.primary, 1, {
      surname: 'Уходова',
      name: 'Анна',
      patronymic: 'Петровна',
      joined_on: '2015-01-01',
    });
    const url = `/members/${id}/exit`;
    const body = {
      ...formOf((await coordinator.agent.get(`/members/${id}`).expect(200)).text, url),
      reason: 'voluntary',
      on: '2026-03-01',
    };
    const asked = await coordinator.agent.post(url).type('form').send(body);
    expect(asked.status).toBe(200);
    expect(asked.text).toContain(
      'Уходова Анна Петровна: будет оформлен выход из Профсоюза с 01.03.2026, причина: добровольный выход.',
    );
    expect(asked.text).toContain('data-affected="1"');
    expect((await db()('members').where({ id }).first()).left_on).toBeNull();

    const confirmed = await coordinator.agent.post(url).type('form').send(formOf(asked.text, url));
    expect(confirmed.status).toBe(303);
    expect((await db()('members').where({ id }).first()).left_on).not.toBeNull();
  });
});

describe('officers', () => {
  const officersOf = (orgId: number) => db()('org_officers').where({ organization_id: orgId }).orderBy('id');

  it('when «Прекратить» is sent, then a page names the officer and the date and the powers last until it is confirmed', async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    const [officer] = await db()('org_officers')
      .insert({
        organization_id: org.id,
        post: 'deputy',
        surname: 'Лебедева',
        name: 'Ольга',
        patronymic: 'Игоревна',
        elected_on: '2022-01-10',
      })
      .returning('id');
    const url = `/orgs/${org.inpo}/officers/${officer.id}/end`;
    const asked = await post(url, { endedOn: '2026-02-01' });
    expect(asked.status).toBe(200);
    expect(asked.text).toContain('Полномочия будут прекращены с 01.02.2026: Заместитель председателя Лебедева О. И.');
    expect((await officersOf(org.id))[0].ended_on).toBeNull();

    expect((await post(url, { endedOn: '2026-02-01', confirmed: '1' })).status).toBe(303);
    expect((await officersOf(org.id))[0].ended_on).not.toBeNull();
  });

  it('when a new «Председатель» is added while one holds the post, then the page says whose powers end and when, and the message after says it again', async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    await db()('org_officers').insert({
      organization_id: org.id,
      post: 'chair',
      surname: 'Волкова',
      name: 'Елена',
      patronymic: 'Сергеевна',
      elected_on: '2021-03-01',
    });
    const chair = {
      post: 'chair',
      personKind: 'nonmember',
      snils: '112-233-445 95',
      surname: 'Новикова',
      name: 'Анна',
      sex: 'f',
      birthDate: '1980-01-01',
      electedOn: '2026-03-01',
    };
    const asked = await post(`/orgs/${org.inpo}/officers`, chair);
    expect(asked.status).toBe(200);
    expect(asked.text).toContain('Полномочия будут прекращены с 01.03.2026: Председатель Волкова Е. С.');
    expect(await officersOf(org.id)).toHaveLength(1);

    const saved = await post(`/orgs/${org.inpo}/officers`, { ...chair, confirmed: '1' });
    expect(saved.status).toBe(303);
    expect((await officersOf(org.id)).map((o) => [o.surname, o.ended_on === null])).toEqual([
      ['Волкова', false],
      ['Новикова', true],
    ]);
    expect((await coordinator.agent.get(saved.headers.location!).expect(200)).text).toContain(
      'Выборное лицо добавлено. Полномочия прекращены с 01.03.2026: Председатель Волкова Е. С.',
    );
  });

  it("when a deputy or the first chair is added, then it is saved at once: nobody's powers end", async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    const person = {
      personKind: 'nonmember',
      snils: '112-233-445 95',
      surname: 'Первая',
      name: 'Анна',
      sex: 'f',
      birthDate: '1980-01-01',
      electedOn: '2026-03-01',
    };
    expect((await post(`/orgs/${org.inpo}/officers`, { ...person, post: 'chair' })).status).toBe(303);
    expect((await post(`/orgs/${org.inpo}/officers`, { ...person, post: 'deputy' })).status).toBe(303);
    expect(await officersOf(org.id)).toHaveLength(2);
  });
});

describe('the batch move of union cards', () => {
  it('when a box of cards is to be moved, then a page says how many cards and from which state to which, and they move only when confirmed', async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    const ids = await createMembers(db(), org, 2);
    for (const [i, id] of ids.entries())
      await db()('union_cards').insert({
        number: String(9_100_000 + i),
        member_id: id,
        status: 'delivered_to_region',
        status_on: '2026-01-05',
      });
    const body = { from: 'delivered_to_region', to: 'handed_to_organization', on: '2026-01-20' };
    const statuses = async () => (await db()('union_cards').whereIn('member_id', ids)).map((c) => c.status);

    const asked = await post(`/orgs/${org.inpo}/cards/batch`, body);
    expect(asked.status).toBe(200);
    expect(asked.text).toContain(
      'Все карты в состоянии «Доставлена в регион» перейдут в состояние «Передана в организацию» с 20.01.2026.',
    );
    expect(asked.text).toContain('data-affected="2"');
    expect(await statuses()).toEqual(['delivered_to_region', 'delivered_to_region']);

    const wrong = await post(`/orgs/${org.inpo}/cards/batch`, { ...body, to: 'issued', from: 'produced' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('нельзя массово перейти');

    expect((await post(`/orgs/${org.inpo}/cards/batch`, { ...body, confirmed: '1' })).status).toBe(303);
    expect(await statuses()).toEqual(['handed_to_organization', 'handed_to_organization']);
  });
});
