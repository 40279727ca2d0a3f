import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeCards } from '../../src/members/card-merge';
import { todayIso } from '../../src/shared/dates';
import { useTestApp } from '../support/app';
import { anonymousAgent, csrfFrom } from '../support/agents';
import { createMembers, createRegionTree, uniq } from '../support/factories';
import { useSmtpCapture } from '../support/smtp';

const env: Record<string, string> = { MAIL_RATE_PER_SECOND: '100', MAIL_RATE_PER_DOMAIN: '100' };
const smtp = useSmtpCapture(env);
const ctx = useTestApp(env);
const db = () => ctx.database.ownerDb;
let ppo: Awaited<ReturnType<typeof createRegionTree>>['primary'];

beforeAll(async () => {
  ppo = (await createRegionTree(db())).primary;
});

/** A member with an active consent to mailings by e-mail, and a letter to them sent with the unsubscribe option. */
async function subscribedMemberWithLetter() {
  const email = `${uniq('member')}@example.ru`;
  const memberId = (await createMembers(db(), ppo, 1, { email }))[0]!;
  await db()('member_consents').insert({
    member_id: memberId,
    kind: 'mailing',
    channel: 'email',
    text_version: 'v1',
    source: 'paper',
    given_on: '2025-01-10',
  });
  await ctx.deps.mail.send({
    to: email,
    subject: 'Новости Профсоюза',
    text: 'Текст рассылки',
    unsubscribeMemberId: memberId,
  });
  const letter = await smtp.lastTo(email);
  const link = /https?:\/\/\S+\/unsubscribe\/[A-Za-z0-9_-]{43}/.exec(letter.text ?? '')?.[0];
  if (!link) throw new Error('no unsubscribe link in the letter');
  return { memberId, email, letter, link, path: new URL(link).pathname };
}

const consentOf = (memberId: number) => db()('member_consents').where({ member_id: memberId, kind: 'mailing' }).first();
const auditOf = (memberId: number) =>
  db()('audit_log').where({ entity: 'member', entity_id: String(memberId), action: 'consent.withdrawn' });
/** A raw header line as sent, unfolded (RFC 5322 folding puts a long value on several lines). */
const headerLine = (letter: { headerLines: ReadonlyArray<{ key: string; line: string }> }, key: string) =>
  letter.headerLines.find((h) => h.key === key)?.line.replace(/\r?\n[ \t]+/g, ' ');

describe('one-click unsubscribe', () => {
  it('when a letter is sent with the option, then it carries both RFC 8058 headers and the link, and the outbox forgets the link once sent', async () => {
    const { email, letter, link } = await subscribedMemberWithLetter();
    expect(headerLine(letter, 'list-unsubscribe')).toBe(`List-Unsubscribe: <${link}>`);
    expect(headerLine(letter, 'list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(letter.text).toMatch(/^Текст рассылки\s+--\s+Чтобы больше не получать рассылки Профсоюза/);
    const outbox = () => db()('mail_outbox').where({ to_address: email }).first();
    await expect.poll(async () => (await outbox())?.status).toBe('sent');
    expect(await outbox()).toMatchObject({ body: null, list_unsubscribe: null });
  });

  it('when the link is opened (GET), then the page names the organization and offers a button, and nothing changes', async () => {
    const { memberId, path } = await subscribedMemberWithLetter();
    const page = await request(ctx.app).get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain(ppo.name);
    expect(page.text).toContain('Отписаться от рассылок');
    expect(page.text).toContain('name="List-Unsubscribe" value="One-Click"');
    expect((await consentOf(memberId)).withdrawn_on).toBeNull();
    expect(await auditOf(memberId)).toEqual([]);
  });

  it('when a mail client posts the one-click request (no cookie, no CSRF token, another Origin), then the consent is withdrawn as the member own act; a second post changes nothing', async () => {
    const { memberId, path } = await subscribedMemberWithLetter();
    const first = await request(ctx.app)
      .post(path)
      .set('Origin', 'https://mail.example')
      .type('form')
      .send('List-Unsubscribe=One-Click');
    expect(first.status).toBe(200);
    expect(first.text).toContain('Вы отписались');
    expect((await consentOf(memberId)).withdrawn_on).toBe(todayIso());
    const rows = await auditOf(memberId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ actor_user_id: null, organization_id: ppo.id });
    expect(rows[0].new_values).toMatchObject({
      on: todayIso(),
      channel: 'email',
      actor: 'member',
      note: 'по ссылке отписки из письма',
    });
    // RFC 8058 prefers multipart/form-data: the same request that way finds the consent already withdrawn
    const second = await request(ctx.app).post(path).field('List-Unsubscribe', 'One-Click');
    expect(second.status).toBe(200);
    expect(second.text).toContain('Вы уже отписаны');
    expect(await auditOf(memberId)).toHaveLength(1);
    expect((await request(ctx.app).get(path)).text).toContain('Вы уже отписаны');
  });

  it('when the page button is pressed, then the consent is withdrawn; a POST without the one-click field is refused', async () => {
    const { memberId, path } = await subscribedMemberWithLetter();
    const { agent } = await anonymousAgent(ctx.app);
    expect((await agent.post(path).type('form').send({})).status).toBe(400);
    const csrf = csrfFrom((await agent.get(path)).text);
    const done = await agent.post(path).type('form').send({ _csrf: csrf, 'List-Unsubscribe': 'One-Click' });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Вы отписались');
    expect((await consentOf(memberId)).withdrawn_on).toBe(todayIso());
  });

  it('when the card the letter went to is merged into another afterwards, then the link withdraws the surviving card consent', async () => {
    const { memberId: duplicate, path } = await subscribedMemberWithLetter();
    const survivor = (await createMembers(db(), ppo, 1))[0]!;
    await db()('member_consents').insert({
      member_id: survivor,
      kind: 'mailing',
      channel: 'email',
      text_version: 'v1',
      source: 'paper',
      given_on: '2024-02-01',
    });
    const noAudit = { actorUserId: null, requestId: null, ip: null };
    await mergeCards(db(), noAudit, { id: survivor, organizationId: ppo.id }, duplicate);
    const active = () =>
      db()('member_consents').where({ member_id: survivor, kind: 'mailing' }).whereNull('withdrawn_on');
    expect(await active()).toHaveLength(1);
    const done = await request(ctx.app).post(path).type('form').send('List-Unsubscribe=One-Click');
    expect(done.text).toContain('Вы отписались');
    expect(await active()).toEqual([]);
    expect(await auditOf(survivor)).toHaveLength(1);
  });

  it('when a token is unknown, then 404 in Russian; after 20 misses from one address, 429; other routes still need the CSRF token', async () => {
    const ip = '203.0.113.77';
    const wrong = `/unsubscribe/${'x'.repeat(43)}`;
    const miss = await request(ctx.app).get(wrong).set('X-Forwarded-For', ip);
    expect(miss.status).toBe(404);
    expect(miss.text).toContain('Ссылка отписки не найдена');
    const post = await request(ctx.app)
      .post(wrong)
      .set('X-Forwarded-For', ip)
      .type('form')
      .send('List-Unsubscribe=One-Click');
    expect(post.status).toBe(404);
    for (let i = 2; i < 20; i++) await request(ctx.app).get(wrong).set('X-Forwarded-For', ip).expect(404);
    const throttled = await request(ctx.app).get(wrong).set('X-Forwarded-For', ip);
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('3600');
    // only this path is exempt: another public form posted the same way is refused
    const forgot = await request(ctx.app).post('/forgot-password').type('form').send({ username: 'someone' });
    expect(forgot.status).toBe(403);
  });
});
