import { beforeAll, describe, expect, it } from 'vitest';
import type { Response } from 'supertest';
import { MEMBER_COLUMNS } from '../../src/members/import/member-sheet';
import { formatDate } from '../../src/shared/format';
import { todayIso } from '../../src/shared/dates';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser, unionRoot } from '../support/factories';
import { hiddenFields } from '../support/forms';

// Every event date lies between the person's 14th birthday (or the organization's creation) and a
// near future (here EVENT_DATE_MAX_FUTURE_DAYS = 10), and not before the previous event. Refusals are
// Russian, next to the field, with the allowed range in ДД.ММ.ГГГГ.

const ctx = useTestApp({ EVENT_DATE_MAX_FUTURE_DAYS: '10' });
const db = () => ctx.database.ownerDb;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let admin: { agent: Agent; csrf: string };

const plusDays = (iso: string, days: number) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const latest = () => formatDate(plusDays(todayIso(), 10));
const tooLate = () => plusDays(todayIso(), 11);
const yesterday = () => plusDays(todayIso(), -1);

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  admin = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'admin', org: await unionRoot(db()) }]));
});

const post = async (url: string, body: Record<string, string | string[]>, formPage?: string) => {
  const hidden = formPage
    ? hiddenFields((await admin.agent.get(formPage).expect(200)).text, url)
    : { _csrf: admin.csrf };
  return admin.agent
    .post(url)
    .type('form')
    .send({ ...hidden, ...body });
};
const expectRefused = (res: Response, ...texts: string[]) => {
  expect(res.status, res.text.slice(0, 300)).toBe(422);
  for (const text of texts) expect(res.text).toContain(text);
};

describe('member event dates', () => {
  it('when a transfer is dated 2100-12-31, then it is refused with the allowed range and the card stays', async () => {
    const other = await createOrg(db(), tree.territory, 'primary');
    const [id] = await createMembers(db(), tree.primary, 1, { joined_on: '2015-01-01' });
    const res = await post(`/members/${id}/transfer`, { toInpo: other.inpo, on: '2100-12-31' }, `/members/${id}`);
    expectRefused(res, 'с 01.01.2015 по ' + latest());
    expect((await db()('members').where({ id }).first()).organization_id).toBe(tree.primary.id);
  });

  it('when a person born in 1990 is admitted in 1901 or eleven days from today, then the admission is refused', async () => {
    const body = {
      surname: 'Ранняя',
      name: 'Анна',
      sex: 'f',
      birthDate: '1990-03-15',
      category: 'working',
      organizationInpo: tree.primary.inpo,
      notDuplicate: 'on',
    };
    expectRefused(
      await post(`/orgs/${tree.primary.inpo}/members`, { ...body, joinedOn: '1901-01-01' }),
      'с 15.03.2004 по ' + latest(),
      'id="joinedOn-error"',
    );
    expectRefused(await post(`/orgs/${tree.primary.inpo}/members`, { ...body, joinedOn: tooLate() }), 'по ' + latest());
    expect(await db()('members').where({ surname: 'Ранняя' })).toHaveLength(0);
  });

  it('when an exit, a category change or a readmission is dated too late or before the last event, then each is refused', async () => {
    const [id] = await createMembers(db(), tree.primary, 1, { joined_on: '2015-01-01' });
    expectRefused(
      await post(`/members/${id}/exit`, { reason: 'voluntary', on: tooLate(), confirmed: '1' }, `/members/${id}`),
      latest(),
    );
    expectRefused(
      await post(`/members/${id}/category`, { category: 'pensioner', on: '2014-12-31' }, `/members/${id}`),
      'с 01.01.2015',
    );
    const [left] = await createMembers(db(), tree.primary, 1, { joined_on: '2015-01-01', left_on: '2020-01-01' });
    expectRefused(
      await post(
        `/members/${left}/readmit`,
        { organizationInpo: tree.primary.inpo, category: 'working', on: tooLate() },
        `/members/${left}`,
      ),
      latest(),
    );
  });

  it('when bulk actions, card moves and consents are dated beyond the near future, then they are refused', async () => {
    const ids = await createMembers(db(), tree.primary, 2, { joined_on: '2015-01-01' });
    const bulk = await post(`/orgs/${tree.primary.inpo}/members/bulk`, {
      action: 'exit',
      reason: 'voluntary',
      on: tooLate(),
      scope: 'selected',
      ids: ids.map(String),
      confirmed: '1',
    });
    expect(bulk.status).toBe(303);
    expect((await admin.agent.get(bulk.headers.location!)).text).toContain(latest());
    expect(await db()('members').whereIn('id', ids).whereNotNull('left_on')).toHaveLength(0);
    expectRefused(await post(`/members/${ids[0]}/cards`, { kind: 'plastic', on: tooLate() }), latest());
    expectRefused(
      await post(`/members/${ids[0]}/consents`, {
        kind: 'processing',
        textVersion: '2025-1',
        source: 'paper',
        on: tooLate(),
      }),
      latest(),
    );
    expectRefused(
      await post(`/members/${ids[0]}/consents`, {
        kind: 'processing',
        textVersion: '2025-1',
        source: 'paper',
        on: '1995-01-01',
      }),
      '05.05.1999',
    );
  });

  it('when an imported row is dated before the person turned 14 or beyond the near future, then the row is reported and nothing is written', async () => {
    const row = (surname: string, joinedOn: string) =>
      [tree.primary.inpo, surname, 'Анна', '', 'ж', '15.03.1990', 'Работающий', 'нет', '', '', '', '', joinedOn].join(
        ';',
      );
    const csv = [
      MEMBER_COLUMNS.map((c) => c.header).join(';'),
      row('Раннева', '01.01.1995'),
      row('Будущева', formatDate(tooLate())),
    ].join('\r\n');
    const res = await admin.agent
      .post(`/orgs/${tree.primary.inpo}/members/import?_csrf=${encodeURIComponent(admin.csrf)}`)
      .field('mode', 'commit')
      .attach('file', Buffer.from(csv), 'members.csv');
    expectRefused(res);
    expect(res.text.split(`с 15.03.2004 по ${latest()}`)).toHaveLength(3); // both rows
    expect(await db()('members').whereIn('surname', ['Раннева', 'Будущева'])).toHaveLength(0);
  });
});

describe('organization event dates', () => {
  it('when an organization created yesterday is liquidated in 1900 or moved into the far future, then both are refused', async () => {
    const fresh = await createOrg(db(), tree.territory, 'primary', { createdOn: yesterday() });
    expectRefused(
      await post(`/orgs/${fresh.inpo}/liquidate`, { on: '1900-01-01', confirm: 'yes' }),
      `с ${formatDate(yesterday())} по ${latest()}`,
    );
    const territory = await createOrg(db(), tree.region, 'territorial');
    expectRefused(
      await post(`/orgs/${fresh.inpo}/move`, { target: territory.inpo, on: '2100-01-01', confirm: 'yes' }),
      latest(),
    );
    expect((await db()('organizations').where({ id: fresh.id }).first()).liquidated_on).toBeNull();
  });

  it('when officers and headcounts are dated before the creation or beyond the near future, then they are refused', async () => {
    const fresh = await createOrg(db(), tree.territory, 'primary', { createdOn: '2020-06-01' });
    const officer = {
      post: 'chair',
      personKind: 'nonmember',
      snils: '112-233-445 95',
      surname: 'Датова',
      name: 'Анна',
      sex: 'f',
      birthDate: '1980-01-01',
    };
    expectRefused(await post(`/orgs/${fresh.inpo}/officers`, { ...officer, electedOn: '2019-01-01' }), 'с 01.06.2020');
    expectRefused(await post(`/orgs/${fresh.inpo}/officers`, { ...officer, electedOn: tooLate() }), latest());
    expectRefused(
      await post(
        `/orgs/${fresh.inpo}/headcount`,
        { asOf: tooLate(), employeesTotal: '5', employeesPedagogical: '1' },
        `/orgs/${fresh.inpo}/headcount`,
      ),
      latest(),
    );
  });

  it('when a report is filed for a reporting date still in the future, then filing is refused', async () => {
    const future = `${Number(todayIso().slice(0, 4)) + 1}-01-01`;
    const res = await post(`/reports/5-SP/${tree.primary.inpo}/${future}/file`, {});
    expect(res.status).toBe(422);
    expect(res.text).toContain('ещё не наступила');
    expect(
      await db()('reports').where({ organization_id: tree.primary.id, report_date: future, status: 'submitted' }),
    ).toHaveLength(0);
  });
});
