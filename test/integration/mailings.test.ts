// Mass mailings (issue #19 items 2 and 3) with a real SMTP server: a mailing reaches exactly the consenting
// recipients of its target, once each, with two app instances working its queue and when the instance
// sending it hangs mid-send and another takes over; a 550 at RCPT marks the card's address invalid (the
// member list shows and filters it, the next mailing skips it, editing the address clears it); a DSN from
// the bounce mailbox does the same for a letter the server had accepted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDeps, type Deps } from '../../src/deps';
import { createLogger } from '../../src/logger';
import { claimRecipients } from '../../src/mailings/mailings.repo';
import { invalidAddressesPerChild } from '../../src/members/email-validity';
import type { OrgRow } from '../../src/registry/org-row';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser, uniq } from '../support/factories';
import { arfComplaint, postfixDsn } from '../support/dsn-sample';
import { useSmtpCapture } from '../support/smtp';

const busyOnce = new Set<string>();
const env: Record<string, string> = {
  MAIL_RATE_PER_SECOND: '1000',
  MAIL_RATE_PER_DOMAIN: '1000',
  MAIL_RETRY_DELAY_SECONDS: '1',
  MAIL_RETRY_LIMIT: '3',
  MAIL_SEND_TIMEOUT_SECONDS: '2',
  JOB_MAINTENANCE_SECONDS: '1',
};
// «nobody…» is refused for good at RCPT, «busy…» asked to try later once, «held…» received but never acknowledged
const smtp = useSmtpCapture(env, {
  refuse(address) {
    if (address.startsWith('nobody')) return 550;
    if (address.startsWith('busy') && !busyOnce.has(address)) {
      busyOnce.add(address);
      return 451;
    }
    return undefined;
  },
  hold: (mail) => mail.to !== undefined && JSON.stringify(mail.to).includes('held'),
});
const ctx = useTestApp(env);
const db = () => ctx.database.ownerDb;

let second: Deps;
let coordinator: { agent: Agent; csrf: string };
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let otherPrimary: OrgRow;
const address = (name: string) => `${name}-${uniq('')}@example.ru`;
const a = { a: address('a'), b: address('b'), nobody: address('nobody'), dup: address('dup'), busy: address('busy') };
const f = address('f');
const ids = {} as Record<'a' | 'b' | 'nobody' | 'dup1' | 'dup2' | 'none' | 'busy' | 'f' | 'left', number>;

async function member(org: OrgRow, email: string | null, consent: boolean, extra: Record<string, unknown> = {}) {
  const [id] = await createMembers(db(), org, 1, { email, ...extra });
  if (consent)
    await db()('member_consents').insert({
      member_id: id,
      kind: 'mailing',
      channel: 'email',
      text_version: 'v1',
      source: 'paper',
      given_on: '2024-01-10',
    });
  return id!;
}

beforeAll(async () => {
  tree = await createRegionTree(db(), 50);
  otherPrimary = await createOrg(db(), await createOrg(db(), tree.region, 'territorial'), 'primary');
  ids.a = await member(tree.primary, a.a, true);
  ids.b = await member(tree.primary, a.b, false);
  ids.nobody = await member(tree.primary, a.nobody, true);
  ids.dup1 = await member(tree.primary, a.dup, true);
  ids.dup2 = await member(tree.primary, a.dup.toUpperCase(), true);
  ids.none = await member(tree.primary, null, true);
  ids.busy = await member(tree.primary, a.busy, true);
  ids.f = await member(otherPrimary, f, true);
  ids.left = await member(otherPrimary, address('left'), true, { left_on: '2020-01-01' });
  const user = await createUser(db(), [{ role: 'coordinator', org: tree.region }]);
  await db()('users').where({ id: user.id }).update({ email: 'coordinator@example.ru' });
  coordinator = await loggedInAgent(ctx.app, user);
  // a second app instance on the same database and queue
  second = buildDeps(ctx.config, ctx.database.appUrl, createLogger('silent'));
  await second.jobs.start();
});
afterAll(async () => {
  smtp.release();
  await second?.jobs.stop();
  await second?.db.destroy();
});

const compose = (subject: string, extra: Record<string, string | string[]> = {}) => ({
  _csrf: coordinator.csrf,
  subject,
  body: 'Уважаемые коллеги!\n\nПриглашаем на **семинар**: https://eseur.ru',
  target: 'members',
  ...extra,
});
const received = (subject: string) =>
  smtp.messages
    .filter((m) => m.subject === subject)
    .map((m) => (Array.isArray(m.to) ? m.to[0] : m.to)!.value[0]!.address!.toLowerCase())
    .sort();
async function sendMailing(org: OrgRow, subject: string, extra: Record<string, string | string[]> = {}) {
  const sent = await coordinator.agent
    .post(`/orgs/${org.inpo}/mailings`)
    .type('form')
    .send({ ...compose(subject, extra), step: 'send' })
    .expect(303);
  const id = Number(/mailings\/(\d+)$/.exec(sent.headers.location!)![1]);
  return id;
}
async function done(id: number) {
  await expect
    .poll(async () => (await db()('mailings').where({ id }).first()).status, { timeout: 30_000, interval: 200 })
    .toBe('done');
  const rows = await db()('mailing_recipients').where({ mailing_id: id }).orderBy('id');
  return Object.fromEntries(rows.map((r) => [r.address.toLowerCase(), r]));
}
const previewCount = (html: string) => /Письмо получат: <strong>([\d\s ]+)<\/strong>/.exec(html)?.[1];

describe('mass mailings', () => {
  it('when a coordinator previews and sends a mailing to members, then exactly the consenting ones get it once; a 550 marks the card, the next mailing skips it, editing clears it', async () => {
    const base = `/orgs/${tree.region.inpo}/mailings`;
    await coordinator.agent.get(`${base}/new`).expect(200);
    const bad = await coordinator.agent
      .post(base)
      .type('form')
      .send({ ...compose(''), step: 'preview' })
      .expect(422);
    expect(bad.text).toContain('Введите тему письма');
    expect(bad.text).toContain('Приглашаем на **семинар**'); // the text typed is kept

    const subject = uniq('Семинар ');
    const preview = await coordinator.agent
      .post(base)
      .type('form')
      .send({ ...compose(subject), step: 'preview' })
      .expect(200);
    // a, nobody, dup (twice), busy, f; b has no consent, «none» no address, «left» is no member now
    expect(previewCount(preview.text)).toBe('5');
    expect(preview.text).toMatch(/Нет согласия на рассылку: 1</);
    expect(preview.text).toMatch(/Нет адреса электронной почты: 1</);
    expect(preview.text).toMatch(/Повторяющиеся адреса \(письмо уйдёт один раз\): 1</);
    expect(preview.text).toContain('<strong>семинар</strong>'); // the Markdown rendered

    // the test letter goes to the coordinator's own address only
    await coordinator.agent
      .post(base)
      .type('form')
      .send({ ...compose(subject), step: 'test' })
      .expect(200);
    expect((await smtp.lastTo('coordinator@example.ru')).subject).toBe(`[Проверка рассылки] ${subject}`);

    const id = await sendMailing(tree.region, subject);
    const rows = await done(id);
    // both instances worked the queue: each address once, the refused one never
    expect(received(subject)).toEqual([a.a, a.busy, a.dup, f].map((x) => x.toLowerCase()).sort());
    expect(rows[a.a]).toMatchObject({ status: 'sent', attempts: 1 });
    expect(rows[a.busy]).toMatchObject({ status: 'sent', attempts: 2 }); // deferred once (451), then sent
    expect(rows[a.nobody]).toMatchObject({ status: 'bounced', bounce: 'hard' });
    expect(rows[a.nobody].reason).toContain('550');
    expect(await db()('mailings').where({ id }).first()).toMatchObject({
      matched: 8,
      no_consent: 1,
      no_address: 1,
      invalid_address: 0,
      duplicates: 1,
    });

    // the letter carries the member's unsubscribe link and names its recipient's token
    const letter = smtp.messages.find((m) => m.subject === subject && JSON.stringify(m.to).includes(a.a))!;
    const header = (key: string) => letter.headerLines.find((h) => h.key === key)?.line.replace(/\r?\n[ \t]+/g, ' ');
    expect(header('list-unsubscribe')).toMatch(/^List-Unsubscribe: <http:\/\/\S+\/unsubscribe\/[A-Za-z0-9_-]{43}>$/);
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(letter.messageId).toBe(`<m-${rows[a.a].token}@reestr.local>`);
    expect(letter.html).toContain('<strong>семинар</strong>');

    // the hard bounce marked the card, audited as the mail server's
    const card = await db()('members').where({ id: ids.nobody }).first();
    expect(card.email_invalid_at).not.toBeNull();
    expect(
      await db()('audit_log').where({ action: 'member.email_invalid', entity_id: String(ids.nobody) }),
    ).toHaveLength(1);

    // monitoring's count per child organization: the one card under the first territory
    expect(await invalidAddressesPerChild(ctx.deps.db, tree.region)).toEqual([
      { organizationId: tree.territory.id, members: 1, passports: 0 },
    ]);

    // the mailing's page: progress, delivery by child organization, the failed address with its card
    const page = await coordinator.agent.get(`${base}/${id}`).expect(200);
    expect(page.text).toContain('Рассылка завершена: обработано <span id="progress-done">100</span>%');
    expect(page.text).toContain('4 (80%)');
    expect(page.text).toContain(a.nobody);
    expect(page.text).toContain(`/members/${ids.nobody}`);
    const rowOf = (name: string) =>
      new RegExp(`${name}</a></td>\\s*<td class="text-end">(\\d+)</td>\\s*<td class="text-end">(\\d+)</td>`).exec(
        page.text,
      );
    expect(rowOf(tree.territory.name)?.slice(1)).toEqual(['4', '3']); // a, nobody, dup, busy; nobody failed
    expect(page.text).toContain('Доставка по входящим организациям');

    // the member list marks and filters the invalid address
    const list = await coordinator.agent.get(`/orgs/${tree.primary.inpo}/members?address=invalid`).expect(200);
    expect(list.text).toContain('Найдено: <strong>1</strong>');
    expect(list.text).toContain('адрес недействителен');
    expect(list.text).toContain(`/members/${ids.nobody}`);

    // the next mailing skips it
    const next = await coordinator.agent
      .post(base)
      .type('form')
      .send({ ...compose(uniq('Второе ')), step: 'preview' })
      .expect(200);
    expect(previewCount(next.text)).toBe('4');
    expect(next.text).toMatch(/Адрес недействителен: 1</);

    // editing the address clears the mark, and the next mailing includes it again
    const fixed = address('fixed');
    await db()('members').where({ id: ids.nobody }).update({ email: fixed });
    expect((await db()('members').where({ id: ids.nobody }).first()).email_invalid_at).toBeNull();
    const again = await coordinator.agent
      .post(base)
      .type('form')
      .send({ ...compose(uniq('Третье ')), step: 'preview' })
      .expect(200);
    expect(previewCount(again.text)).toBe('5');

    // a DSN from the bounce mailbox: a letter the server had accepted bounced later (5.1.1) — marked too
    const dsn = postfixDsn(rows[a.a].token, a.a);
    expect(await ctx.deps.services.mailings.applyBounceReport(dsn)).toBe('applied');
    expect(await db()('mailing_recipients').where({ id: rows[a.a].id }).first()).toMatchObject({
      status: 'bounced',
      bounce: 'hard',
    });
    expect((await db()('members').where({ id: ids.a }).first()).email_invalid_reason).toContain('5.1.1');
    expect(await ctx.deps.services.mailings.applyBounceReport(dsn)).toBe('ignored'); // once

    // a complaint («спам») about the letter to «dup»: complained, and the member's mailing consent withdrawn
    expect(await ctx.deps.services.mailings.applyBounceReport(arfComplaint(rows[a.dup].token, a.dup))).toBe('applied');
    expect((await db()('mailing_recipients').where({ id: rows[a.dup].id }).first()).status).toBe('complained');
    const consent = await db()('member_consents').where({ member_id: rows[a.dup].member_id, kind: 'mailing' }).first();
    expect(consent.withdrawn_on).not.toBeNull();
  }, 60_000);

  it("when a chair's letter to the organization's passport address is refused, then the passport is marked until the address is edited", async () => {
    const primary = await createOrg(db(), tree.territory, 'primary');
    const wrong = address('nobody-ppo');
    await db()('organizations').where({ id: primary.id }).update({ email: wrong });
    await db()('org_officers').insert({
      organization_id: primary.id,
      post: 'chair',
      surname: 'Смирнова',
      name: 'Ольга',
      elected_on: '2024-01-10',
    });
    const none = await coordinator.agent
      .post(`/orgs/${primary.inpo}/mailings`)
      .type('form')
      .send({ ...compose('Председателям'), target: 'activists', step: 'preview' })
      .expect(422);
    expect(none.text).toContain('Отметьте хотя бы одну должность');
    expect(none.text).toContain('href="#posts"');
    expect(none.text).toContain('id="posts"');
    const id = await sendMailing(primary, uniq('Председателям '), {
      target: 'activists',
      posts: 'chair',
      levels: ['primary', 'territorial'],
    });
    const rows = await done(id);
    expect(rows[wrong]).toMatchObject({ status: 'bounced', bounce: 'hard', source: 'passport', member_id: null });
    const passport = await coordinator.agent.get(`/orgs/${primary.inpo}`).expect(200);
    expect(passport.text).toContain('адрес недействителен');
    expect(await db()('audit_log').where({ action: 'org.email_invalid', entity_id: String(primary.id) })).toHaveLength(
      1,
    );
    await db()('organizations')
      .where({ id: primary.id })
      .update({ email: address('ppo') });
    expect((await db()('organizations').where({ id: primary.id }).first()).email_invalid_at).toBeNull();
  });

  it('when the instance sending a mailing hangs mid-send, then another takes over: every letter goes once, the cut-off one is not sent again', async () => {
    const primary = await createOrg(db(), tree.territory, 'primary');
    const held = address('held');
    const rest = [address('k1'), address('k2'), address('k3')];
    await member(primary, held, true);
    for (const x of rest) await member(primary, x, true);
    // the first letter (lowest id) is the held one: its worker waits for a reply that never comes
    const subject = uniq('Прерванная ');
    const id = await sendMailing(primary, subject);
    const rows = await done(id);
    expect(rows[held]).toMatchObject({ status: 'uncertain' });
    expect(rest.map((x) => rows[x].status)).toEqual(['sent', 'sent', 'sent']);
    expect(received(subject)).toEqual([held, ...rest].sort());
    smtp.release(); // the hung worker hears «accepted» at last: the letter stays uncertain, nothing is sent again
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(received(subject)).toEqual([held, ...rest].sort());
    expect((await db()('mailing_recipients').where({ mailing_id: id, address: held }).first()).status).toBe(
      'uncertain',
    );
  }, 60_000);

  it('when two instances claim a mailing in batches at the same time, then each letter is claimed once, and a consent withdrawn after queueing is read at the claim', async () => {
    // a mailing with no job queued: only the claims below touch its letters
    const primary = await createOrg(db(), tree.territory, 'primary');
    const members = [];
    for (let i = 0; i < 20; i++) members.push(await member(primary, address(`c${i}`), true));
    const author = await db()('users').first('id');
    const [{ id }] = await db()('mailings')
      .insert({ organization_id: primary.id, author_user_id: author.id, subject: 'Пачки', body: 'Текст', target: '{}' })
      .returning('id');
    await db().raw(
      `INSERT INTO mailing_recipients (mailing_id, address, source, member_id, organization_id)
       SELECT ?, email, 'member', id, organization_id FROM members WHERE id = ANY(?::bigint[]) ORDER BY id`,
      [id, members],
    );
    await db()('member_consents').where({ member_id: members[19] }).update({ withdrawn_on: '2026-01-01' });
    const claims = await Promise.all([
      claimRecipients(ctx.deps.db, Number(id), 8),
      claimRecipients(second.db, Number(id), 8),
      claimRecipients(ctx.deps.db, Number(id), 8),
    ]);
    const claimed = claims.flat().map((r) => r.memberId);
    expect(claimed.toSorted()).toEqual(members.toSorted());
    for (const batch of claims)
      expect(batch.map((r) => r.id)).toEqual(batch.map((r) => r.id).toSorted((x, y) => x - y));
    expect(
      claims
        .flat()
        .filter((r) => !r.consent)
        .map((r) => r.memberId),
    ).toEqual([members[19]]);
    expect(await claimRecipients(second.db, Number(id), 8)).toEqual([]); // all `sending`: none claimed again
  });
});
