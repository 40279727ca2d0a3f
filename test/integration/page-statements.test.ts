import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { loggedInAgent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser } from '../support/factories';
import { cardDetailsOf, findMemberWithCardPage } from '../../src/members/card-page.repo';
import { findMember } from '../../src/members/members.repo';
import { findLineageByInpo } from '../../src/registry/orgs.repo';
import { findPassportPageByInpo } from '../../src/registry/passport-page.repo';
import { headerFiguresOf } from '../../src/registry/passport.repo';

// Pages at 32 clients (issue 15): each statement a page sends costs a round trip and a wake-up of PostgreSQL,
// more than most of them take to run. The card page reads everything it shows in one statement and writes its
// read-audit row in another (written with the concurrent views'); the passport reads its
// organization with its ancestors and its header in one statement (its loader's), the member list its total
// with them when unfiltered; all beside the session store's read.

// the principal kept with the session, as configured outside the tests: a page then reads no grants
const ctx = useTestApp({ PRINCIPAL_CACHE_SECONDS: '60' });

/** The statements the app's pool sends while `work` runs. */
async function statementsDuring(work: () => Promise<unknown>): Promise<string[]> {
  const sql: string[] = [];
  const listener = (query: { sql: string }) => sql.push(query.sql);
  ctx.deps.db.on('query', listener);
  try {
    await work();
  } finally {
    ctx.deps.db.off('query', listener);
  }
  return sql;
}

describe('the statements a page sends', () => {
  it('when a card with a history, union cards, consents, a pending transfer and a post is opened, then one statement reads the card and all it shows; another page reads the parts it shows', async () => {
    const db = ctx.database.ownerDb;
    const tree = await createRegionTree(db, 61);
    const other = await createOrg(db, tree.territory, 'primary', { name: 'Школа № 2' });
    const [memberId] = await createMembers(db, tree.primary, 1);
    const id = memberId!;
    const coordinator = await createUser(db, [{ role: 'coordinator', org: tree.region }]);
    const [older, newer] = await db('union_cards')
      .insert([
        { number: '6100000001', member_id: id, kind: 'plastic', status: 'lost', status_on: '2024-03-01' },
        { number: '6100000002', member_id: id, kind: 'virtual', status: 'issued', status_on: '2025-02-01' },
      ])
      .returning(['id', 'check_token']);
    await db('union_card_events').insert([
      { card_id: older.id, to_status: 'issued', happened_on: '2023-01-10', actor_user_id: coordinator.id },
      { card_id: older.id, to_status: 'lost', happened_on: '2024-03-01', reason: 'утеряна' },
      { card_id: newer.id, to_status: 'issued', happened_on: '2025-02-01' },
    ]);
    const consents = await db('member_consents')
      .insert([
        { member_id: id, kind: 'processing', text_version: '1', source: 'paper', given_on: '2020-01-01' },
        {
          member_id: id,
          kind: 'mailing',
          channel: 'email',
          text_version: '2',
          source: 'online',
          given_on: '2021-05-05',
        },
      ])
      .returning('id');
    const [request] = await db('transfer_requests')
      .insert({
        member_id: id,
        from_organization_id: tree.primary.id,
        to_organization_id: other.id,
        transfer_on: '2026-09-01',
        status: 'pending',
      })
      .returning('id');
    await db('org_officers').insert({
      organization_id: tree.primary.id,
      post: 'chair',
      member_id: id,
      surname: 'Петрова',
      name: 'Мария',
      elected_on: '2024-01-01',
      term_until: '2029-01-01',
    });
    const app = ctx.deps.db;
    let found: Awaited<ReturnType<typeof findMemberWithCardPage>>;
    const statements = await statementsDuring(async () => (found = await findMemberWithCardPage(app, id)));

    expect(statements).toHaveLength(1);
    const { member, details } = found!;
    expect(member).toEqual(await findMember(app, id));
    const event = (on: string, to: string, reason: string | null, actor: string | null, cardId: number) => ({
      cardId,
      to,
      on,
      reason,
      actor,
    });
    expect(details).toEqual({
      timeline: [
        {
          kind: 'admitted',
          on: member.joinedOn,
          category: member.category,
          reason: null,
          documentNumber: null,
          documentDate: null,
          fromName: null,
          toName: tree.primary.name,
          actor: null,
        },
      ],
      // newest first, each with its events in order
      cards: [
        {
          id: newer.id,
          number: '6100000002',
          memberId: id,
          kind: 'virtual',
          status: 'issued',
          statusOn: '2025-02-01',
          checkToken: newer.check_token,
          events: [event('2025-02-01', 'issued', null, null, newer.id)],
        },
        {
          id: older.id,
          number: '6100000001',
          memberId: id,
          kind: 'plastic',
          status: 'lost',
          statusOn: '2024-03-01',
          checkToken: older.check_token,
          events: [
            event('2023-01-10', 'issued', null, 'Тестова Анна Ивановна', older.id),
            event('2024-03-01', 'lost', 'утеряна', null, older.id),
          ],
        },
      ],
      pendingTransfer: { id: request.id, on: '2026-09-01', toName: 'Школа № 2' },
      // newest first
      consents: [
        {
          id: consents[1].id,
          kind: 'mailing',
          channel: 'email',
          textVersion: '2',
          source: 'online',
          givenOn: '2021-05-05',
          withdrawnOn: null,
        },
        {
          id: consents[0].id,
          kind: 'processing',
          channel: null,
          textVersion: '1',
          source: 'paper',
          givenOn: '2020-01-01',
          withdrawnOn: null,
        },
      ],
      posts: [
        {
          post: 'chair',
          organizationName: tree.primary.name,
          organizationInpo: tree.primary.inpo,
          termUntil: '2029-01-01',
        },
      ],
    });
    expect(await findMemberWithCardPage(app, id + 1000)).toBeUndefined();

    // the account and the API read the parts they show, the same, in one statement; none for an id without a card
    let parts: Awaited<ReturnType<typeof cardDetailsOf<'consents' | 'pendingTransfer'>>>;
    const partStatements = await statementsDuring(
      async () => (parts = await cardDetailsOf(app, id, ['consents', 'pendingTransfer'])),
    );
    expect(partStatements).toHaveLength(1);
    expect(parts!).toEqual({ consents: details.consents, pendingTransfer: details.pendingTransfer });
    expect(await cardDetailsOf(app, id + 1000, ['timeline', 'cards', 'pendingTransfer'])).toEqual({
      timeline: [],
      cards: [],
      pendingTransfer: undefined,
    });
  });

  it('when the card page is opened, then the app sends the card with its page (the loader) and the read-audit row, committed before the answer', async () => {
    const db = ctx.database.ownerDb;
    const tree = await createRegionTree(db, 62);
    const [id] = await createMembers(db, tree.primary, 1);
    const user = await createUser(db, [{ role: 'chair', org: tree.primary }]);
    const chair = await loggedInAgent(ctx.app, user);
    await chair.agent.get(`/members/${id}`).expect(200);
    const before = await db('audit_log')
      .where({ action: 'member.viewed', entity_id: String(id) })
      .count('* as n');
    const statements = await statementsDuring(() => chair.agent.get(`/members/${id}`).expect(200));
    expect(statements).toHaveLength(2);
    const after = await db('audit_log')
      .where({ action: 'member.viewed', entity_id: String(id) })
      .count('* as n');
    expect(Number(after[0]!.n) - Number(before[0]!.n)).toBe(1);
    expect(
      await db('audit_log')
        .where({ action: 'member.viewed', entity_id: String(id) })
        .orderBy('id', 'desc')
        .first('entity', 'organization_id', 'actor_user_id', 'ip'),
    ).toEqual({ entity: 'member', organization_id: tree.primary.id, actor_user_id: user.id, ip: '127.0.0.1' });
  });

  it('when many cards are viewed at once, then every view has its audit row (written together)', async () => {
    const db = ctx.database.ownerDb;
    const tree = await createRegionTree(db, 64);
    const ids = await createMembers(db, tree.primary, 12);
    const chair = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'chair', org: tree.primary }]));
    await Promise.all(ids.map((id) => chair.agent.get(`/members/${id}`).expect(200)));
    const rows = await db('audit_log')
      .where({ action: 'member.viewed' })
      .whereIn('entity_id', ids.map(String))
      .pluck('entity_id');
    expect(rows.sort()).toEqual(ids.map(String).sort());
  });

  it('when a ППО passport is opened, then one statement reads the organization with its ancestors and the header', async () => {
    const db = ctx.database.ownerDb;
    const tree = await createRegionTree(db, 63);
    await createMembers(db, tree.primary, 2);
    const chair = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'chair', org: tree.primary }]));
    await chair.agent.get(`/orgs/${tree.primary.inpo}`).expect(200);
    const statements = await statementsDuring(() => chair.agent.get(`/orgs/${tree.primary.inpo}`).expect(200));
    expect(statements).toHaveLength(1);
  });

  it('when a ППО member list without a filter is opened, then the app sends the organization with its members on record and the page', async () => {
    const db = ctx.database.ownerDb;
    const tree = await createRegionTree(db, 66);
    await createMembers(db, tree.primary, 3);
    const chair = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'chair', org: tree.primary }]));
    await chair.agent.get(`/orgs/${tree.primary.inpo}/members`).expect(200);
    const statements = await statementsDuring(() => chair.agent.get(`/orgs/${tree.primary.inpo}/members`).expect(200));
    expect(statements).toHaveLength(2);
    const filtered = await statementsDuring(() =>
      chair.agent.get(`/orgs/${tree.primary.inpo}/members?sex=f`).expect(200),
    );
    expect(filtered).toHaveLength(3);
  });

  it("when a region's list is filtered by what the counters count, then its total comes with the page's plan: the organization, the plan and the page", async () => {
    const db = ctx.database.ownerDb;
    const tree = await createRegionTree(db, 67);
    await createMembers(db, tree.primary, 3, { sex: 'f', category: 'working' });
    await createMembers(db, tree.primary, 2, { sex: 'm', category: 'working' });
    await createMembers(db, tree.primary, 1, { sex: 'f', category: 'pensioner' });
    const coordinator = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'coordinator', org: tree.region }]));
    const url = `/orgs/${tree.region.inpo}/members?category=working&sex=f&sort=birth`;
    await coordinator.agent.get(url).expect(200);
    let html = '';
    const statements = await statementsDuring(async () => (html = (await coordinator.agent.get(url).expect(200)).text));
    expect(statements).toHaveLength(3);
    expect(html).toContain('Найдено: <strong>3</strong>');
    expect(html.match(/href="\/members\/\d+"/g)).toHaveLength(3);
    const none = await coordinator.agent.get(`/orgs/${tree.region.inpo}/members?category=student`).expect(200);
    expect(none.text).toContain('Найдено: <strong>0</strong>');
  });

  it("when a region's members are searched by a surname fragment, then the matches are counted and the page read in one statement beside the organization's", async () => {
    const db = ctx.database.ownerDb;
    const tree = await createRegionTree(db, 68);
    await createMembers(db, tree.primary, 2, { surname: 'Семёнова' });
    await createMembers(db, tree.primary, 1, { surname: 'Семенов', sex: 'm' });
    await createMembers(db, tree.primary, 2, { surname: 'Петрова' });
    const coordinator = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'coordinator', org: tree.region }]));
    const url = `/orgs/${tree.region.inpo}/members?q=${encodeURIComponent('семен')}`;
    await coordinator.agent.get(url).expect(200);
    let html = '';
    const statements = await statementsDuring(async () => (html = (await coordinator.agent.get(url).expect(200)).text));
    expect(statements).toHaveLength(2);
    expect(html).toContain('Найдено: <strong>3</strong>');
    expect(html.match(/>Семенов|>Семёнова/g)).toEqual(['>Семенов', '>Семёнова', '>Семёнова']);
    const none = await coordinator.agent.get(`/orgs/${tree.region.inpo}/members?q=${encodeURIComponent('щщщ')}`);
    expect(none.text).toContain('Найдено: <strong>0</strong>');
  });

  it('when the passport page is read in one statement, then it holds the lineage and the header figures read apart, at every level', async () => {
    const db = ctx.database.ownerDb;
    const tree = await createRegionTree(db, 65);
    const other = await createOrg(db, tree.territory, 'primary');
    await createOrg(db, tree.primary, 'subdivision');
    await createMembers(db, tree.primary, 3);
    await createMembers(db, other, 2);
    await db('org_officers').insert({
      organization_id: tree.primary.id,
      post: 'chair',
      surname: 'Петрова',
      name: 'Мария',
      elected_on: '2020-01-01',
      term_until: '2021-01-01',
    });
    await db('organizations').where({ id: other.id }).update({ email: 'ppo@example.org' });
    const app = ctx.deps.db;
    for (const org of [tree.union, tree.region, tree.territory, tree.primary, other]) {
      const page = await findPassportPageByInpo(app, org.inpo);
      expect(page!.figures).toEqual(await headerFiguresOf(app, org));
      expect(page!.lineage).toEqual(await findLineageByInpo(app, org.inpo));
    }
    const primary = await findPassportPageByInpo(app, tree.primary.inpo);
    expect(primary!.figures.gaps).toMatchObject({ noChair: false, chairTermExpired: true });
    expect(primary!.figures.activeMembers).toBe(3);
    expect((await findPassportPageByInpo(app, tree.territory.inpo))!.figures.incompleteBelow.total).toBe(3);
    expect(await findPassportPageByInpo(app, '9999999999')).toBeUndefined();
  });
});
