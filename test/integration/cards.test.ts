import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser } from '../support/factories';
import { submitForm } from '../support/forms';
import { blockLiveCards } from '../../src/cards/cards.repo';

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let chair: { agent: Agent; csrf: string };
let coordinator: { agent: Agent; csrf: string };

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  chair = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: tree.primary }]));
  coordinator = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: tree.region }]));
});

const post = (who: { agent: Agent; csrf: string }, path: string, body: Record<string, string | number>) =>
  who.agent
    .post(path)
    .type('form')
    .send({ _csrf: who.csrf, ...body });
const cardOf = (memberId: number) => db()('union_cards').where({ member_id: memberId }).orderBy('id', 'desc').first();

describe('the union card lifecycle', () => {
  it('when a card is requested and moved along the line, then each step is dated and audited and «Выдана» ends the line', async () => {
    const [memberId] = await createMembers(db(), tree.primary, 1);
    expect((await post(chair, `/members/${memberId}/cards`, { kind: 'plastic', on: '2026-01-10' })).status).toBe(303);
    const again = await post(chair, `/members/${memberId}/cards`, { kind: 'virtual', on: '2026-01-11' });
    expect(again.status).toBe(422);
    expect(again.text).toContain('уже есть действующая карта');
    const card = await cardOf(memberId!);
    expect(card.number).toMatch(/^16\d{8}$/);
    const steps = ['sent_to_production', 'produced', 'delivered_to_region', 'handed_to_organization', 'issued'];
    for (const [i, to] of steps.entries()) {
      expect(
        (await post(chair, `/members/${memberId}/cards/move`, { cardId: card.id, to, on: `2026-02-1${i}` })).status,
      ).toBe(303);
    }
    const page = await chair.agent.get(`/members/${memberId}`).expect(200);
    expect(page.text).toContain('Выдана</span> с 14.02.2026');
    const wrong = await post(chair, `/members/${memberId}/cards/move`, {
      cardId: card.id,
      to: 'produced',
      on: '2026-03-01',
    });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('нельзя перейти');
    expect(await db()('union_card_events').where({ card_id: card.id })).toHaveLength(6);
    expect(await db()('audit_log').where({ action: 'card.moved', entity_id: String(memberId) })).toHaveLength(5);
  });

  it('when a card is refused without a reason, then the form asks for one; a lost card is reissued under a new number', async () => {
    const [memberId] = await createMembers(db(), tree.primary, 1);
    await post(chair, `/members/${memberId}/cards`, { kind: 'plastic', on: '2026-01-10' });
    const first = await cardOf(memberId!);
    const noReason = await post(chair, `/members/${memberId}/cards/move`, {
      cardId: first.id,
      to: 'refused',
      on: '2026-01-12',
    });
    expect(noReason.status).toBe(422);
    expect(noReason.text).toContain('Укажите причину отказа');
    for (const to of ['sent_to_production', 'produced', 'lost'])
      await post(chair, `/members/${memberId}/cards/move`, { cardId: first.id, to, on: '2026-01-20' });
    expect((await post(chair, `/members/${memberId}/cards`, { kind: 'plastic', on: '2026-02-01' })).status).toBe(303);
    const second = await cardOf(memberId!);
    expect(second.id).not.toBe(first.id);
    expect(second.number).not.toBe(first.number);
    expect(second.replaces_card_id).toBe(first.id);
    expect((await db()('union_cards').where({ id: first.id }).first()).status).toBe('lost');
  });

  it('when a member leaves, then their live card is blocked', async () => {
    const [memberId] = await createMembers(db(), tree.primary, 1);
    await post(chair, `/members/${memberId}/cards`, { kind: 'virtual', on: '2026-01-10' });
    expect(
      (
        await submitForm(chair.agent, `/members/${memberId}`, `/members/${memberId}/exit`, {
          reason: 'voluntary',
          on: '2026-03-01',
          confirmed: '1',
        })
      ).status,
    ).toBe(303);
    const card = await cardOf(memberId!);
    expect(card).toMatchObject({ status: 'blocked', status_on: '2026-03-01' });
  });

  // The card's row on the member (members.live_card_*) is written by a trigger: a card change locks the member too,
  // so every card change takes the member first, as an exit does (member, then its cards), or the two deadlock.
  it('when a card moves while the member is leaving, then the move waits for the exit instead of deadlocking', async () => {
    const [memberId] = await createMembers(db(), tree.primary, 1);
    await post(chair, `/members/${memberId}/cards`, { kind: 'plastic', on: '2026-01-10' });
    const card = await cardOf(memberId!);
    let move: Promise<number> | undefined;
    await db().transaction(async (exit) => {
      await exit('members').where({ id: memberId }).forNoKeyUpdate().first('id');
      move = post(chair, `/members/${memberId}/cards/move`, {
        cardId: card.id,
        to: 'sent_to_production',
        on: '2026-02-01',
      }).then((res) => res.status);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await blockLiveCards(exit, [memberId!], '2026-01-20', null);
    });
    // the move saw the card the exit left: blocked, so refused as a move from «Заблокирована» (not a deadlock's 500)
    expect(await move).toBe(422);
    expect(await cardOf(memberId!)).toMatchObject({ status: 'blocked' });
  });

  it('when a region moves a box of cards at once, then exactly its cards in that status move and the counts follow', async () => {
    const other = await createRegionTree(db(), 39);
    const box = await createMembers(db(), await createOrg(db(), tree.territory, 'primary'), 5);
    const [foreign] = await createMembers(db(), other.primary, 1);
    const [stillProducing] = await createMembers(db(), tree.primary, 1);
    const seqStart = 9_000_000;
    const insertCard = async (memberId: number, status: string, n: number) => {
      const [card] = await db()('union_cards')
        .insert({ number: String(seqStart + n), member_id: memberId, status, status_on: '2026-01-05' })
        .returning('id');
      await db()('union_card_events').insert({ card_id: card.id, to_status: status, happened_on: '2026-01-05' });
    };
    for (const [i, id] of box.entries()) await insertCard(id, 'delivered_to_region', i);
    await insertCard(foreign!, 'delivered_to_region', 10);
    await insertCard(stillProducing!, 'produced', 11);

    const before = await coordinator.agent.get(`/orgs/${tree.region.inpo}/cards`).expect(200);
    expect(before.text).toMatch(/Доставлена в регион<\/td><td class="text-end">5</);
    const res = await post(coordinator, `/orgs/${tree.region.inpo}/cards/batch`, {
      from: 'delivered_to_region',
      to: 'handed_to_organization',
      on: '2026-01-20',
      confirmed: '1',
    });
    expect(res.status).toBe(303);
    const after = await coordinator.agent.get(`/orgs/${tree.region.inpo}/cards`).expect(200);
    expect(after.text).toContain('Состояние изменено у карт: 5');
    expect(after.text).toMatch(/Передана в организацию<\/td><td class="text-end">5</);
    expect(after.text).toMatch(/Доставлена в регион<\/td><td class="text-end">0</);
    expect((await db()('union_cards').where({ member_id: foreign }).first()).status).toBe('delivered_to_region');
    expect((await db()('union_cards').where({ member_id: stillProducing }).first()).status).toBe('produced');
    const wrong = await post(coordinator, `/orgs/${tree.region.inpo}/cards/batch`, {
      from: 'produced',
      to: 'issued',
      on: '2026-01-20',
    });
    expect(wrong.status).toBe(422);
    // A chair cannot move cards of the whole region, nor see another region's cards.
    expect(
      (
        await post(chair, `/orgs/${tree.region.inpo}/cards/batch`, {
          from: 'produced',
          to: 'delivered_to_region',
          on: '2026-01-20',
          confirmed: '1',
        })
      ).status,
    ).toBe(404);
    expect((await coordinator.agent.get(`/orgs/${other.region.inpo}/cards`)).status).toBe(404);
  });
});

describe('consents', () => {
  it('when consents are given and withdrawn, then each is its own dated record and the list filters by the active ones', async () => {
    const org = await createOrg(db(), tree.territory, 'primary');
    const [withMailing, withoutMailing] = await createMembers(db(), org, 2);
    const give = (id: number, body: Record<string, string>) =>
      post(coordinator, `/members/${id}/consents`, {
        textVersion: '2025-1',
        source: 'paper',
        on: '2025-09-01',
        ...body,
      });
    expect((await give(withMailing!, { kind: 'processing' })).status).toBe(303);
    expect((await give(withMailing!, { kind: 'mailing', channel: 'email' })).status).toBe(303);
    const noChannel = await give(withMailing!, { kind: 'mailing' });
    expect(noChannel.status).toBe(422);
    expect(noChannel.text).toContain('Для рассылок укажите канал');
    const twice = await give(withMailing!, { kind: 'processing' });
    expect(twice.text).toContain('Такое согласие уже действует');
    expect((await give(withoutMailing!, { kind: 'mailing', channel: 'sms' })).status).toBe(303);
    const sms = await db()('member_consents').where({ member_id: withoutMailing, channel: 'sms' }).first();
    expect(
      (await post(coordinator, `/members/${withoutMailing}/consents/withdraw`, { consentId: sms.id, on: '2025-12-01' }))
        .status,
    ).toBe(303);
    expect(
      (await give(withoutMailing!, { kind: 'mailing', channel: 'sms', on: '2026-02-01', textVersion: '2026-1' }))
        .status,
    ).toBe(303);
    expect(
      (await post(coordinator, `/members/${withoutMailing}/consents/withdraw`, { consentId: sms.id, on: '2026-03-01' }))
        .status,
    ).toBe(422);
    const latest = await db()('member_consents').where({ member_id: withoutMailing }).orderBy('id');
    expect(latest.map((c) => [c.text_version, c.given_on, c.withdrawn_on])).toEqual([
      ['2025-1', '2025-09-01', '2025-12-01'],
      ['2026-1', '2026-02-01', null],
    ]);
    const newest = latest[1];
    await post(coordinator, `/members/${withoutMailing}/consents/withdraw`, { consentId: newest.id, on: '2026-03-01' });

    const mailing = await coordinator.agent.get(`/orgs/${org.inpo}/members`).query({ consent: 'mailing' }).expect(200);
    expect(mailing.text).toContain('Найдено: <strong>1</strong>');
    expect(mailing.text).toContain(`/members/${withMailing}`);
    const noProcessing = await coordinator.agent
      .get(`/orgs/${org.inpo}/members`)
      .query({ consent: 'no_processing' })
      .expect(200);
    expect(noProcessing.text).toContain(`/members/${withoutMailing}`);
    expect(
      await db()('audit_log')
        .where({ entity_id: String(withoutMailing) })
        .whereIn('action', ['consent.given', 'consent.withdrawn']),
    ).toHaveLength(4);
  });
});

describe('bulk actions', () => {
  it('when ticked members are transferred, a filter exits, and cards move in bulk, then exactly those change, with an audit row each', async () => {
    const from = await createOrg(db(), tree.territory, 'primary');
    const to = await createOrg(db(), tree.territory, 'primary');
    const students = await createMembers(db(), from, 4, { surname: 'Студентка', category: 'student' });
    const workers = await createMembers(db(), from, 3, { surname: 'Работница' });
    for (const [i, id] of workers.entries())
      await db()('union_cards').insert({
        number: String(8_000_000 + i),
        member_id: id,
        status: 'delivered_to_region',
        status_on: '2026-01-05',
      });
    const bulk = (body: Record<string, string | string[]>) =>
      coordinator.agent
        .post(`/orgs/${from.inpo}/members/bulk`)
        .type('form')
        .send({ _csrf: coordinator.csrf, confirmed: '1', ...body });

    const moved = await bulk({
      scope: 'selected',
      ids: workers.slice(0, 2).map(String),
      action: 'transfer',
      toInpo: to.inpo,
      on: '2026-02-01',
    });
    expect(moved.status).toBe(303);
    expect((await db()('members').whereIn('id', workers).orderBy('id')).map((m) => m.organization_id)).toEqual([
      to.id,
      to.id,
      from.id,
    ]);

    const graduated = await bulk({
      scope: 'filter',
      category: 'student',
      status: 'active',
      action: 'exit',
      reason: 'graduated',
      on: '2026-06-30',
    });
    expect(graduated.status).toBe(303);
    expect(graduated.headers.location).toContain('category=student');
    const left = await db()('members').whereIn('id', students).whereNotNull('left_on');
    expect(left).toHaveLength(4);
    expect(left.every((m) => m.left_reason === 'graduated')).toBe(true);
    expect(await db()('members').whereIn('id', workers).whereNotNull('left_on')).toHaveLength(0);

    const issued = await coordinator.agent.post(`/orgs/${to.inpo}/members/bulk`).type('form').send({
      _csrf: coordinator.csrf,
      confirmed: '1',
      scope: 'filter',
      status: 'active',
      action: 'card',
      from: 'delivered_to_region',
      to: 'issued',
      on: '2026-07-01',
    });
    expect(issued.status).toBe(303);
    expect((await db()('union_cards').whereIn('member_id', workers).orderBy('member_id')).map((c) => c.status)).toEqual(
      ['issued', 'issued', 'delivered_to_region'],
    );
    expect(
      Number(
        (
          await db()('audit_log')
            .where({ action: 'member.bulk_exit' })
            .whereIn('entity_id', students.map(String))
            .count('* as c')
        )[0]!.c,
      ),
    ).toBe(4);

    // Another organization's member slipped into the ticked ids is not touched.
    const [outsider] = await createMembers(db(), (await createRegionTree(db(), 39)).primary, 1);
    const sneaky = await bulk({
      scope: 'selected',
      ids: [String(outsider)],
      action: 'exit',
      reason: 'expelled',
      on: '2026-08-01',
    });
    expect(sneaky.status).toBe(303);
    expect((await db()('members').where({ id: outsider }).first()).left_on).toBeNull();
    const page = await coordinator.agent.get(sneaky.headers.location!).expect(200);
    expect(page.text).toContain('Массовое действие не выполнено');
  });
});
