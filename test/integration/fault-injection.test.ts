import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { listen, stopListening } from '../support/listen';
import { loggedInAgent, sessionCookie, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser, type TestUser } from '../support/factories';
import { hiddenFields } from '../support/forms';
import { adminQuery } from '../support/urls';

// Chaos as production meets it, all at once: clients dropping downloads midway, the database cutting
// every connection (a restart, a failover), and users writing the same records at the same moment.
// Whatever each request answered, afterwards the app serves pages again at once, and the database holds
// no card that disagrees with its history, no duplicate, and no saved field silently reverted.

const POOL = 4;
const ctx = useTestApp({ DB_POOL_MAX: String(POOL) });
const db = () => ctx.database.ownerDb;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let coordinator: TestUser;
let cookie: string;
let server: http.Server;
let base: string;

beforeAll(async () => {
  tree = await createRegionTree(db(), 18);
  for (let i = 0; i < 8000; i += 4000) await createMembers(db(), tree.primary, 4000, { surname: 'Выгружаемая', joined_on: '2015-01-01' });
  coordinator = await createUser(db(), [{ role: 'coordinator', org: tree.region }]);
  cookie = await sessionCookie(ctx.app, coordinator);
  ({ server, baseUrl: base } = await listen(ctx.app));
});

afterAll(() => stopListening(server));

/** Reads the first 64 KiB of a download and drops the connection, as a browser's "cancel" does. */
function dropMidway(url: string): Promise<void> {
  return new Promise((resolve) => {
    const req = http.get(`${base}${url}`, { headers: { cookie } }, (res) => {
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= 64 * 1024) req.destroy();
      });
      res.once('close', () => resolve());
    });
    req.once('error', () => resolve());
    req.once('close', () => resolve());
  });
}

async function terminateEveryBackend(): Promise<void> {
  await adminQuery(ctx.database.url, 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function agents(n: number): Promise<Agent[]> {
  const list: Agent[] = [];
  for (let i = 0; i < n; i++) list.push((await loggedInAgent(ctx.app, coordinator)).agent);
  return list;
}

/** Posts the form of `page` that is sent to `action`, with its hidden fields (CSRF, form token, version) and `body`. */
async function post(agent: Agent, page: string, action: string, body: Record<string, unknown>) {
  const html = (await agent.get(page).expect(200)).text;
  return () => agent.post(action).type('form').send({ ...hiddenFields(html, action), ...body });
}

/** Cards anywhere in the database that disagree with their history (on record ⇔ one open period in the card's organization and category). */
async function cardsDisagreeingWithHistory(): Promise<number[]> {
  const { rows } = await db().raw(
    `SELECT m.id FROM members m
      WHERE (m.left_on IS NULL OR m.merged_into_id IS NOT NULL) IS DISTINCT FROM false
        AND (SELECT count(*) FROM member_periods p WHERE p.member_id = m.id AND p.valid_to IS NULL) <> CASE WHEN m.left_on IS NULL AND m.merged_into_id IS NULL THEN 1 ELSE 0 END
     UNION
     SELECT m.id FROM members m JOIN member_periods p ON p.member_id = m.id AND p.valid_to IS NULL
      WHERE p.organization_id <> m.organization_id OR p.category <> m.category`,
  );
  return rows.map((r: { id: string }) => Number(r.id));
}

const NEWCOMER = {
  surname: 'Новикова', name: 'Дарья', patronymic: 'Олеговна', sex: 'f', birthDate: '14.02.1991', phone: '+7 917 555-01-02', email: 'daria.novikova@example.ru',
  snils: '', position: 'Воспитатель', professionalGroup: '', studyForm: '', studyYear: '', category: 'working', isPedagogical: 'on', joinedOn: '2026-11-02',
  documentNumber: '', documentDate: '',
};

describe('faults at once', () => {
  it('when downloads are dropped, every connection is cut twice and users write the same records at once, then the app answers 200 afterwards and nothing is lost, doubled or inconsistent', async () => {
    const [moving, edited] = (await createMembers(db(), tree.primary, 2, { joined_on: '2016-03-01' })) as [number, number];
    const x = await createOrg(db(), tree.territory, 'primary');
    const y = await createOrg(db(), tree.territory, 'primary');
    const writers = await agents(6);
    const on = '2026-11-03';
    const original = await db()('members').where({ id: edited }).first();

    // Every form is opened before the storm, as users would have them open on their screens.
    const admissions = await Promise.all(writers.slice(0, 5).map((a) => post(a, `/orgs/${tree.primary.inpo}/members/new`, `/orgs/${tree.primary.inpo}/members`, { ...NEWCOMER, organizationInpo: tree.primary.inpo })));
    const changes = await Promise.all(([
      ['transfer', { toInpo: x.inpo, on }], ['transfer', { toInpo: y.inpo, on }], ['exit', { reason: 'voluntary', on, confirmed: '1' }],
      ['category', { category: 'pensioner', on }], ['exit', { reason: 'dismissed', on, confirmed: '1' }], ['category', { category: 'unemployed', on }],
    ] as const).map(([action, body], i) => post(writers[i]!, `/members/${moving}`, `/members/${moving}/${action}`, body)));
    const person = { surname: original.surname, name: original.name, patronymic: original.patronymic ?? '', sex: original.sex, birthDate: original.birth_date, snils: original.snils ?? '', professionalGroup: '', studyForm: '', studyYear: '' };
    const edits = [{ phone: '+7 917 000-00-01', email: original.email ?? '', position: original.position ?? '' }, { phone: original.phone ?? '', email: 'edited@example.ru', position: original.position ?? '' }, { phone: original.phone ?? '', email: original.email ?? '', position: 'Завуч' }];
    const cardEdits = await Promise.all(edits.map((fields, i) => post(writers[i]!, `/members/${edited}/edit`, `/members/${edited}/edit`, { ...person, ...fields })));

    const downloads = Array.from({ length: 3 * POOL }, (_, i) => dropMidway(`/orgs/${tree.primary.inpo}/members/export.${i % 2 ? 'xlsx' : 'csv'}`));
    const writes = [...admissions, ...changes, ...cardEdits].map((send) => send());
    const cuts = (async () => {
      await sleep(30);
      await terminateEveryBackend();
      await sleep(150);
      await terminateEveryBackend();
    })();
    const [answers] = await Promise.all([Promise.all(writes), Promise.all(downloads), cuts]);

    // Each write answered as a user can act on it: done, refused with a reason, or "the database is unavailable, repeat".
    for (const a of answers) expect([303, 409, 422, 503], `${a.status}: ${a.text.replace(/[\s\S]*<main[^>]*>/, '').slice(0, 300)}`).toContain(a.status);
    const unavailable = answers.filter((a) => a.status === 503);
    for (const a of unavailable) expect(a.text).toContain('База данных временно недоступна');

    // The app is itself again at once.
    const started = performance.now();
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/orgs/${tree.primary.inpo}/members`, { headers: { cookie } })).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(1000);

    // Nothing doubled: one card of the newcomer however many admissions got through; at most one change of the moving member.
    expect(Number((await db()('members').where({ surname: NEWCOMER.surname, birth_date: '1991-02-14' }).count('* as n').first())!.n)).toBeLessThanOrEqual(1);
    expect((await db()('membership_events').where({ member_id: moving }).whereNot({ kind: 'admitted' })).length).toBeLessThanOrEqual(1);
    // Nothing lost: the edited card is the original with exactly one user's edit, never a mixture or a revert of a saved one.
    const card = await db()('members').where({ id: edited }).first();
    const saved = answers.slice(11).map((a, i) => (a.status === 303 ? i : -1)).filter((i) => i >= 0);
    expect(saved.length).toBeLessThanOrEqual(1);
    const expectedCard = saved.length ? { ...original, ...{ 0: { phone: '+79170000001' }, 1: { email: 'edited@example.ru' }, 2: { position: 'Завуч' } }[saved[0]!] } : original;
    expect({ phone: card.phone, email: card.email, position: card.position }).toEqual({ phone: expectedCard.phone, email: expectedCard.email, position: expectedCard.position });
    // Nothing inconsistent anywhere.
    expect(await cardsDisagreeingWithHistory()).toEqual([]);

    // And the refused or cut-off admission, repeated now, is made exactly once.
    const again = await (await post(writers[0]!, `/orgs/${tree.primary.inpo}/members/new`, `/orgs/${tree.primary.inpo}/members`, { ...NEWCOMER, organizationInpo: tree.primary.inpo }))();
    expect([303, 409]).toContain(again.status);
    expect(Number((await db()('members').where({ surname: NEWCOMER.surname, birth_date: '1991-02-14' }).count('* as n').first())!.n)).toBe(1);
  });
});
