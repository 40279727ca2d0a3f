import { beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { transferMembers } from '../../src/membership/membership';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser, type TestUser } from '../support/factories';
import { hiddenFields } from '../support/forms';

// Races on one member's membership: several users change the same card at the same moment. The app
// locks the card and re-checks what the user saw; the database refuses a card that disagrees with its
// open history period whatever the code does.

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let coordinator: TestUser;

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  coordinator = await createUser(db(), [{ role: 'coordinator', org: tree.region }]);
});

/** Every card of the ids agrees with its history: on record ⇔ one open period, in the card's organization and category. */
async function disagreements(knex: Knex, ids: number[]) {
  const { rows } = await knex.raw(
    `SELECT m.id FROM members m LEFT JOIN member_periods p ON p.member_id = m.id AND p.valid_to IS NULL
      WHERE m.id = ANY(?::bigint[])
        AND CASE WHEN m.left_on IS NULL THEN p.id IS NULL OR p.organization_id <> m.organization_id OR p.category <> m.category ELSE p.id IS NOT NULL END`,
    [ids],
  );
  return rows.map((r: { id: string }) => Number(r.id));
}

const sessions = async (n: number): Promise<Agent[]> => {
  const agents: Agent[] = [];
  for (let i = 0; i < n; i++) agents.push((await loggedInAgent(ctx.app, coordinator)).agent);
  return agents;
};

describe('simultaneous changes of one member', () => {
  it('when six users transfer, exit and recategorise one member at once, then exactly one change is made, the others get a Russian 409, and card and history agree', async () => {
    const x = await createOrg(db(), tree.territory, 'primary');
    const y = await createOrg(db(), tree.territory, 'primary');
    const [id] = (await createMembers(db(), tree.primary, 1, { joined_on: '2015-01-01' })) as [number];
    const agents = await sessions(6);
    const pages = await Promise.all(agents.map((agent) => agent.get(`/members/${id}`).expect(200)));
    const on = '2026-11-01';
    const actions: [string, Record<string, string>][] = [
      ['transfer', { toInpo: x.inpo, on }],
      ['transfer', { toInpo: y.inpo, on }],
      ['exit', { reason: 'voluntary', on, confirmed: '1' }],
      ['exit', { reason: 'dismissed', on, confirmed: '1' }],
      ['category', { category: 'pensioner', on }],
      ['category', { category: 'unemployed', on }],
    ];
    const responses = await Promise.all(
      actions.map(([action, body], i) => {
        const url = `/members/${id}/${action}`;
        return agents[i]!.post(url)
          .type('form')
          .send({ ...hiddenFields(pages[i]!.text, url), ...body });
      }),
    );

    const statuses = responses.map((r) => r.status);
    expect(
      statuses.filter((s) => s === 303),
      statuses.join(),
    ).toHaveLength(1);
    for (const refused of responses.filter((r) => r.status !== 303)) {
      expect(refused.status, refused.text.replace(/[\s\S]*<main[^>]*>/, '').slice(0, 1500)).toBe(409);
      expect(refused.text).toContain('изменил другой пользователь');
    }
    expect(await db()('membership_events').where({ member_id: id })).toHaveLength(2);
    expect(await disagreements(db(), [id])).toEqual([]);
  });

  it('when a bulk transfer races with single exits and category changes of the same members, then nothing fails with 500 and every card agrees with its history', async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    const target = await createOrg(db(), tree.territory, 'primary');
    const ids = await createMembers(db(), org, 30, { joined_on: '2015-01-01' });
    const [bulkAgent, ...single] = await sessions(5);
    const list = await bulkAgent!.get(`/orgs/${org.inpo}/members`).expect(200);
    const cards = await Promise.all(single.map((agent, i) => agent.get(`/members/${ids[i]}`).expect(200)));
    const on = '2026-11-02';
    const bulkUrl = `/orgs/${org.inpo}/members/bulk`;
    const responses = await Promise.all([
      bulkAgent!
        .post(bulkUrl)
        .type('form')
        .send({
          ...hiddenFields(list.text, bulkUrl),
          action: 'transfer',
          toInpo: target.inpo,
          on,
          scope: 'selected',
          ids,
          confirmed: '1',
        }),
      ...single.map((agent, i) => {
        const [action, body] =
          i % 2 ? ['category', { category: 'pensioner', on }] : ['exit', { reason: 'voluntary', on, confirmed: '1' }];
        const url = `/members/${ids[i]}/${action}`;
        return agent
          .post(url)
          .type('form')
          .send({ ...hiddenFields(cards[i]!.text, url), ...body });
      }),
    ]);
    for (const r of responses) expect([303, 409, 422], r.text.slice(0, 300)).toContain(r.status);
    expect(await disagreements(db(), ids)).toEqual([]);
  });
});

describe('the database guard of card and history', () => {
  it('when a transaction leaves a card and its open period disagreeing, then the commit is refused; a consistent change commits', async () => {
    const other = await createOrg(db(), tree.territory, 'primary');
    const [active] = (await createMembers(db(), tree.primary, 1, { joined_on: '2015-01-01' })) as [number];
    const [left] = (await createMembers(db(), tree.primary, 1, { joined_on: '2015-01-01', left_on: '2020-01-01' })) as [
      number,
    ];
    const refusal = (work: (trx: Knex.Transaction) => Promise<unknown>) =>
      db()
        .transaction(work)
        .then(
          () => 'committed',
          (err: { code?: string; constraint?: string }) => `${err.code} ${err.constraint}`,
        );
    const guard = '23514 member_card_matches_open_period';

    expect(await refusal((trx) => trx('members').where({ id: active }).update({ organization_id: other.id }))).toBe(
      guard,
    );
    expect(await refusal((trx) => trx('members').where({ id: active }).update({ category: 'student' }))).toBe(guard);
    expect(
      await refusal((trx) =>
        trx('member_periods').where({ member_id: active }).whereNull('valid_to').update({ valid_to: '2025-01-01' }),
      ),
    ).toBe(guard);
    expect(await refusal((trx) => trx('members').where({ id: left }).update({ left_on: null }))).toBe(guard);
    expect(
      await refusal((trx) =>
        trx('member_periods').insert({
          member_id: left,
          organization_id: tree.primary.id,
          category: 'working',
          valid_from: '2021-01-01',
        }),
      ),
    ).toBe(guard);
    // In between statements the two may disagree; only the state at commit counts.
    expect(
      await refusal((trx) => transferMembers(trx, [active], other.id, { on: '2026-01-01', actorUserId: null })),
    ).toBe('committed');
    expect(await disagreements(db(), [active, left])).toEqual([]);
  });
});
