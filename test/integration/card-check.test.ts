// The union card check (issue 18, item 4): /card/{token} tells anyone whether a card is valid with its
// number, the holder's initials and the organization, and nothing more; /orgs/{inpo}/card-check checks many
// numbers for a meeting and names only the holders inside the reader's subtree.
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECK_LIMIT } from '../../src/cards/card-check-throttle';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createRegionTree, createUser } from '../support/factories';

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let chair: { agent: Agent; csrf: string };

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  chair = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: tree.primary }]));
});

const post = (path: string, body: Record<string, string | number>) =>
  chair.agent
    .post(path)
    .type('form')
    .send({ _csrf: chair.csrf, ...body });
/** Anyone, from an address of the test's own (each address has its own limit). */
const publicGet = (path: string, ip: string) => request(ctx.app).get(path).set('X-Forwarded-For', ip);

const PERSON = {
  surname: 'Вишнякова',
  name: 'Елена',
  patronymic: 'Сергеевна',
  birth_date: '1987-03-14',
  phone: '+79171234567',
  email: 'vishnyakova@example.ru',
  snils: '11223344595',
};
/** Everything of the person but the initials, as the registry stores and prints it. */
const PERSONAL = [
  'Вишнякова',
  'Елена',
  'Сергеевна',
  '14.03.1987',
  '1987-03-14',
  '79171234567',
  '(917) 123-45-67',
  'vishnyakova',
  '11223344595',
  '112-233-445 95',
];

describe('the public card check', () => {
  it('when a card is issued, then /card/{token} says valid with initials and organization only; once blocked, invalid', async () => {
    const [memberId] = await createMembers(db(), tree.primary, 1, PERSON);
    expect((await post(`/members/${memberId}/cards`, { kind: 'plastic', on: '2026-01-10' })).status).toBe(303);
    const card = await db()('union_cards').where({ member_id: memberId }).first();
    for (const [i, to] of ['sent_to_production', 'produced', 'delivered_to_region', 'issued'].entries())
      expect(
        (await post(`/members/${memberId}/cards/move`, { cardId: card.id, to, on: `2026-02-0${i + 1}` })).status,
      ).toBe(303);

    // the card page shows the QR code of the check address, with the address printed beside it
    const url = `${ctx.config.publicUrl}/card/${card.check_token}`;
    const cardPage = await chair.agent.get(`/members/${memberId}`).expect(200);
    // as an image of its own, public (nothing but the address drawn) and kept by the browser, not by a shared cache
    const image = `/card/${card.check_token}/qr.svg`;
    expect(cardPage.text).toContain(`<img src="${image}" width="148" height="148"`);
    const qr = await publicGet(image, '10.1.0.3').expect(200);
    expect(qr.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(qr.headers['cache-control']).toBe('private, max-age=86400');
    expect(qr.body.toString()).toContain('<svg');
    expect(qr.body.toString()).toContain('<path');
    expect(cardPage.text).toContain(`>${url}</a>`);

    const valid = await publicGet(new URL(url).pathname, '10.1.0.1').expect(200);
    expect(valid.text).toContain('билет действителен');
    expect(valid.text).not.toContain('недействителен');
    for (const shown of [card.number, 'Е. С. В.', tree.primary.name]) expect(valid.text).toContain(shown);
    for (const hidden of PERSONAL) expect(valid.text).not.toContain(hidden);
    expect(valid.text).not.toContain(`/members/${memberId}`);

    // blocked through the card's own lifecycle form
    expect(
      (await post(`/members/${memberId}/cards/move`, { cardId: card.id, to: 'blocked', on: '2026-03-01' })).status,
    ).toBe(303);
    const blocked = await publicGet(new URL(url).pathname, '10.1.0.1').expect(200);
    expect(blocked.text).toContain('билет недействителен');
    for (const shown of [card.number, 'Е. С. В.']) expect(blocked.text).toContain(shown);
    for (const hidden of PERSONAL) expect(blocked.text).not.toContain(hidden);
    // an ended card's QR code is no longer offered for printing
    expect((await chair.agent.get(`/members/${memberId}`).expect(200)).text).not.toContain('/qr.svg');
  });

  it('when a token names no card, then the page is missing; past the limit an address gets 429 with the wait', async () => {
    await publicGet(`/card/${randomUUID()}`, '10.1.0.2').expect(404);
    await publicGet('/card/not-a-token', '10.1.0.2').expect(404);
    await publicGet('/card/not-a-token/qr.svg', '10.1.0.2').expect(404);
    // the two checks above counted (an image is no check); fill the address up to the limit
    expect(await db()('card_check_requests').where({ ip: '10.1.0.2' }).count('* as n').first()).toEqual({ n: 2 });
    await db()('card_check_requests').insert(Array.from({ length: CHECK_LIMIT - 2 }, () => ({ ip: '10.1.0.2' })));
    const refused = await publicGet(`/card/${randomUUID()}`, '10.1.0.2').expect(429);
    expect(refused.text).toContain('Слишком много проверок карт');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(500);
    expect(await db()('card_check_requests').where({ ip: '10.1.0.2' }).count('* as n').first()).toEqual({
      n: CHECK_LIMIT,
    });
    // another address is not held back
    await publicGet(`/card/${randomUUID()}`, '10.1.0.3').expect(404);
  });
});

describe('checking many numbers at a meeting', () => {
  it('when a chair checks numbers, then each gets its status in order and only holders of the subtree are named and audited', async () => {
    const [issued, requested] = await createMembers(db(), tree.primary, 2);
    const elsewhere = await createRegionTree(db(), 17);
    const [outside] = await createMembers(db(), elsewhere.primary, 1, { surname: 'Соколова' });
    const cards = [
      { number: '1690000001', member_id: issued, status: 'issued' },
      { number: '1690000002', member_id: requested, status: 'requested' },
      { number: '1790000003', member_id: outside, status: 'issued' },
    ];
    await db()('union_cards').insert(cards.map((c) => ({ ...c, status_on: '2026-01-10' })));

    const empty = await post(`/orgs/${tree.primary.inpo}/card-check`, { numbers: ' \n ' });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Введите хотя бы один номер карты');

    const res = await post(`/orgs/${tree.primary.inpo}/card-check`, {
      numbers: '1790000003\n1690000001\r\n 1690000002 ,0000000000\n1690000001',
    });
    expect(res.status).toBe(200);
    const rows = [
      ...res.text.matchAll(/<tr>\s*<td>(\d+)<\/td>\s*<td>(.*?)<\/td>\s*<td>(.*?)<\/td>\s*<td>(.*?)<\/td>/gs),
    ].map((m) => [m[1], m[2]!.replace(/<[^>]+>/g, ''), m[3]!.replace(/<[^>]+>/g, ''), m[4]]);
    expect(rows).toEqual([
      ['1790000003', 'Действителен', 'вне вашей структуры', ''],
      ['1690000001', 'Действителен', 'Петрова Мария Ивановна', tree.primary.name],
      ['1690000002', 'Недействителен', 'Петрова Мария Ивановна', tree.primary.name],
      ['0000000000', 'Не найден', '', ''],
    ]);
    expect(res.text).not.toContain('Соколова');
    expect(res.text).not.toContain(elsewhere.primary.name);
    const audited = await db()('audit_log').where({ action: 'card.checked' }).orderBy('entity_id').pluck('entity_id');
    expect(audited).toEqual([String(issued), String(requested)].sort());
  });
});
