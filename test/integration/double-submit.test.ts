import { beforeAll, describe, expect, it } from 'vitest';
import type { Response } from 'supertest';
import { MEMBER_COLUMNS } from '../../src/members/import/member-sheet';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser } from '../support/factories';
import { hiddenFields } from '../support/forms';

// A double click, a retried request, two tabs: the same write arrives several times at once. Each
// write happens once; the repeats lead to the first one's result or get a Russian message — never a
// second record and never a 500.

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let coordinator: { agent: Agent; csrf: string };

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  coordinator = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: tree.region }]));
});

const times = <T>(n: number, make: () => Promise<T>) => Promise.all(Array.from({ length: n }, make));
const expectNo500 = (responses: Response[]) => {
  for (const r of responses) expect([303, 409, 422], `${r.status}: ${r.text.slice(0, 300)}`).toContain(r.status);
};
const person = (surname: string) => ({
  surname,
  name: 'Алсу',
  patronymic: 'Рашидовна',
  sex: 'f',
  birthDate: '1991-05-17',
  category: 'working',
  organizationInpo: tree.primary.inpo,
  joinedOn: '2020-09-01',
});

describe('the same write sent several times at once', () => {
  it('when one admission form is submitted five times at once, then one card is created and every answer leads to it', async () => {
    const url = `/orgs/${tree.primary.inpo}/members`;
    const form = await coordinator.agent.get(`${url}/new`).expect(200);
    const body = { ...hiddenFields(form.text, url), ...person('Двойнаяклик') };
    const responses = await times(5, () => coordinator.agent.post(url).type('form').send(body));
    expect(responses.map((r) => r.status)).toEqual([303, 303, 303, 303, 303]);
    const cards = await db()('members').where({ surname: 'Двойнаяклик' }).pluck('id');
    expect(cards).toHaveLength(1);
    expect(new Set(responses.map((r) => r.headers.location))).toEqual(new Set([`/members/${cards[0]}`]));
  });

  it('when five identical admissions arrive at once without a form token, then one card is created and the others find it as a duplicate', async () => {
    const url = `/orgs/${tree.primary.inpo}/members`;
    const responses = await times(5, () =>
      coordinator.agent
        .post(url)
        .type('form')
        .send({ _csrf: coordinator.csrf, ...person('Гонкина') }),
    );
    expectNo500(responses);
    expect(await db()('members').where({ surname: 'Гонкина' })).toHaveLength(1);
    expect(
      responses
        .filter((r) => r.status === 409)
        .every((r) => r.text.includes('Возможно, этот человек уже есть в реестре')),
    ).toBe(true);
  });

  it('when one exit form is submitted four times at once, then the member leaves once with one audit row', async () => {
    const [id] = await createMembers(db(), tree.primary, 1, { joined_on: '2015-01-01' });
    const url = `/members/${id}/exit`;
    const card = await coordinator.agent.get(`/members/${id}`).expect(200);
    const body = { ...hiddenFields(card.text, url), reason: 'voluntary', on: '2026-11-01', confirmed: '1' };
    const responses = await times(4, () => coordinator.agent.post(url).type('form').send(body));
    expect(responses.map((r) => r.status)).toEqual([303, 303, 303, 303]);
    expect(await db()('audit_log').where({ action: 'member.left', entity_id: String(id) })).toHaveLength(1);
    expect(await db()('membership_events').where({ member_id: id, kind: 'left' })).toHaveLength(1);
  });

  it('when the same consent is registered three times at once, then one consent is active and nothing fails', async () => {
    const [id] = await createMembers(db(), tree.primary, 1);
    const body = {
      _csrf: coordinator.csrf,
      kind: 'mailing',
      channel: 'email',
      textVersion: '2025-1',
      source: 'paper',
      on: '2026-01-10',
    };
    const responses = await times(3, () => coordinator.agent.post(`/members/${id}/consents`).type('form').send(body));
    expectNo500(responses);
    expect(await db()('member_consents').where({ member_id: id })).toHaveLength(1);
  });

  it('when the same card is requested three times at once, then one card is made and nothing fails', async () => {
    const [id] = await createMembers(db(), tree.primary, 1);
    const responses = await times(3, () =>
      coordinator.agent
        .post(`/members/${id}/cards`)
        .type('form')
        .send({ _csrf: coordinator.csrf, kind: 'plastic', on: '2026-01-10' }),
    );
    expectNo500(responses);
    expect(await db()('union_cards').where({ member_id: id })).toHaveLength(1);
  });

  it('when a transfer out of the subtree is requested three times at once, then one request waits and nothing fails', async () => {
    const other = await createRegionTree(db(), 39);
    const chair = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: tree.primary }]));
    const [id] = await createMembers(db(), tree.primary, 1, { joined_on: '2015-01-01' });
    const url = `/members/${id}/transfer`;
    // the card's form without its one-time token: three tabs, not one double click
    const { formToken: _token, ...fields } = hiddenFields(
      (await chair.agent.get(`/members/${id}`).expect(200)).text,
      url,
    );
    const responses = await times(3, () =>
      chair.agent
        .post(url)
        .type('form')
        .send({ ...fields, toInpo: other.primary.inpo, on: '2026-11-01' }),
    );
    expectNo500(responses);
    expect(await db()('transfer_requests').where({ member_id: id })).toHaveLength(1);
  });

  it('when one member file is imported twice at once, then its people are created once and nothing fails', async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    const rows = Array.from({ length: 40 }, (_, i) =>
      [
        org.inpo,
        'Загрузкина',
        'Анна',
        '',
        'ж',
        `${String((i % 28) + 1).padStart(2, '0')}.0${(i % 9) + 1}.1980`,
        'Работающий',
        'нет',
        '',
        '',
        '',
        '',
        '01.09.2015',
      ].join(';'),
    );
    const csv = Buffer.from([MEMBER_COLUMNS.map((c) => c.header).join(';'), ...rows].join('\r\n'));
    const url = `/orgs/${org.inpo}/members/import?_csrf=${encodeURIComponent(coordinator.csrf)}`;
    const responses = await times(2, () =>
      coordinator.agent.post(url).field('mode', 'commit').attach('file', csv, 'members.csv'),
    );
    expectNo500(responses);
    expect(await db()('members').where({ organization_id: org.id })).toHaveLength(40);
  });

  it('when a report is filed four times at once, then one version is frozen', async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    await createMembers(db(), org, 10);
    await db()('org_headcounts').insert({
      organization_id: org.id,
      as_of: '2025-09-01',
      employees_total: 50,
      employees_pedagogical: 30,
    });
    const base = `/reports/5-SP/${org.inpo}/2026-10-01`;
    const page = await coordinator.agent.get(base).expect(200);
    const body = hiddenFields(page.text, `${base}/file`);
    const responses = await times(4, () => coordinator.agent.post(`${base}/file`).type('form').send(body));
    expectNo500(responses);
    const report = await db()('reports').where({ organization_id: org.id, form_code: '5-SP' }).first();
    expect(await db()('report_versions').where({ report_id: report.id })).toHaveLength(1);
    expect(await db()('audit_log').where({ action: 'report.filed', entity_id: String(report.id) })).toHaveLength(1);
  });

  it('when a filed report is filed again without any change, then no second identical version is made', async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    await createMembers(db(), org, 5);
    await db()('org_headcounts').insert({
      organization_id: org.id,
      as_of: '2025-09-01',
      employees_total: 50,
      employees_pedagogical: 30,
    });
    const base = `/reports/5-SP/${org.inpo}/2026-10-01`;
    for (let i = 0; i < 2; i++) {
      const page = await coordinator.agent.get(`${base}?source=live`).expect(200);
      expect(
        (
          await coordinator.agent
            .post(`${base}/file`)
            .type('form')
            .send(hiddenFields(page.text, `${base}/file`))
        ).status,
      ).toBe(303);
    }
    const report = await db()('reports').where({ organization_id: org.id, form_code: '5-SP' }).first();
    expect(await db()('report_versions').where({ report_id: report.id })).toHaveLength(1);
  });
});
