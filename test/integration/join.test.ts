// Online admission (issue 18, items 1 and 2): the public application at /join with its e-mail
// confirmation and anti-abuse refusals, and the chair's queue — accept (card, consents, union card,
// personal account), reject, the transfer path for a member elsewhere, escalation after 30 days.
import { beforeAll, describe, expect, it } from 'vitest';
import { createFormStamps } from '../../src/join/form-stamp';
import { JOIN_CONSENT_VERSION } from '../../src/join/consent-text';
import { JOIN_PER_EMAIL, JOIN_PER_IP, pruneJoin } from '../../src/join/join.service';
import { MATCH_ELSEWHERE_MESSAGE } from '../../src/members/duplicate-guard';
import { todayIso } from '../../src/shared/dates';
import { useTestApp } from '../support/app';
import { APPLICANT } from '../support/applicant';
import { anonymousAgent, csrfFrom, loggedInAgent, postLogin, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser, type TestUser } from '../support/factories';
import { submitForm } from '../support/forms';
import { useSmtpCapture } from '../support/smtp';

const overrides: Record<string, string> = {};
const smtp = useSmtpCapture(overrides);
const ctx = useTestApp(overrides);
const db = () => ctx.database.ownerDb;

let tree: Awaited<ReturnType<typeof createRegionTree>>;
let chair: { agent: Agent; csrf: string };
let otherChair: { agent: Agent; csrf: string };
let territoryCoordinator: TestUser;

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  await db()('organizations').where({ id: tree.primary.id }).update({ name: 'ППО Гимназии № 7 города Казани' });
  const other = await createOrg(db(), tree.territory, 'primary', { name: 'ППО Лицея № 2' });
  chair = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: tree.primary }]));
  otherChair = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: other }]));
  territoryCoordinator = await createUser(db(), [{ role: 'coordinator', org: tree.territory }]);
});

/** The letter to `address` whose text holds `text` (the queue delivers letters after the app's answer). */
async function letterTo(address: string, text: string) {
  for (let i = 0; i < 250; i++) {
    const letter = smtp.messages.find(
      (m) => m.text?.includes(text) && (Array.isArray(m.to) ? m.to : [m.to]).some((t) => t?.text.includes(address)),
    );
    if (letter) return letter;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no letter to ${address} with «${text}»`);
}

/** A form shown 10 s ago: the fill time a person needs (the test does not wait for it). */
const filledStamp = () => createFormStamps(ctx.config.sessionSecret!).issue(Date.now() - 10_000);

let ipSeq = 10;
/** A visitor from an address of their own (the per-address limit is not what most tests are about). */
async function visitor(ip = `198.51.100.${ipSeq++}`) {
  return anonymousAgent(ctx.app, ip);
}

const applicant = (email: string, extra: Record<string, string> = {}) => ({
  ...APPLICANT,
  email,
  snils: '',
  position: 'Институт математики, 2 курс',
  consentProcessing: 'on',
  consentMailing: 'on',
  formStamp: filledStamp(),
  ...extra,
});

function apply(session: { agent: Agent; csrf: string }, inpo: string, body: Record<string, string>) {
  return session.agent
    .post(`/join/${inpo}`)
    .type('form')
    .send({ _csrf: session.csrf, ...body });
}

/** Applies from the page and confirms by the link of the letter that arrives; returns the application's id. */
async function applyAndConfirm(email: string, extra: Record<string, string> = {}): Promise<number> {
  const session = await visitor();
  await apply(session, tree.primary.inpo, applicant(email, extra)).expect(303);
  const link = smtp.linkIn(await smtp.lastTo(email));
  const page = await session.agent.get(link).expect(200);
  await session.agent
    .post(link)
    .type('form')
    .send({ _csrf: csrfFrom(page.text) })
    .expect(200);
  const row = await db()('join_applications').where({ email }).orderBy('id', 'desc').first('id', 'status');
  expect(row.status).toBe('confirmed');
  return Number(row.id);
}

/** The next reporting date of 5-СП after today and the one before it: the period whose admissions the report counts. */
function currentPeriod(today: string): { start: string; end: string } {
  const year = Number(today.slice(0, 4));
  const dates = [year - 1, year, year + 1].flatMap((y) => ['01-01', '04-01', '07-01', '10-01'].map((d) => `${y}-${d}`));
  const end = dates.find((d) => d > today)!;
  return { start: dates[dates.indexOf(end) - 1]!, end };
}

describe('online admission: finding the organization', () => {
  it('when anyone without a login opens /join, then it answers 200 and leads region → territory → ППО, and the search finds the ППО by name and ИНПО', async () => {
    const { agent } = await visitor();
    const start = await agent.get('/join').expect(200);
    expect(start.text).toContain(`/join?at=${tree.region.inpo}`);
    const region = await agent.get(`/join?at=${tree.region.inpo}`).expect(200);
    expect(region.text).toContain(`/join?at=${tree.territory.inpo}`);
    const territory = await agent.get(`/join?at=${tree.territory.inpo}`).expect(200);
    expect(territory.text).toContain(`href="/join/${tree.primary.inpo}"`);
    expect((await agent.get('/join?q=гимназия 7').expect(200)).text).toContain(`href="/join/${tree.primary.inpo}"`);
    expect((await agent.get(`/join?q=${tree.primary.inpo}`).expect(200)).text).toContain('ППО Гимназии № 7');
    // the printable page with the QR code the app serves as an image (no inline script)
    const print = await agent.get(`/join/${tree.primary.inpo}/print`).expect(200);
    expect(print.text).toContain(`src="/join/${tree.primary.inpo}/qr.svg"`);
    const qr = await agent.get(`/join/${tree.primary.inpo}/qr.svg`).expect(200);
    expect(qr.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(qr.body.toString()).toContain('<svg');
  });

  it('when the chair closes online admission on the general tab, then the ППО is neither found nor takes applications', async () => {
    const closing = await createOrg(db(), tree.territory, 'primary', { name: 'ППО Школы закрытого приёма' });
    const own = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: closing }]));
    const edit = `/orgs/${closing.inpo}/edit`;
    const saved = await submitForm(own.agent, edit, edit, { name: closing.name, onlineAdmission: 'closed' });
    expect(saved.status).toBe(303);
    expect((await db()('organizations').where({ id: closing.id }).first('online_admission')).online_admission).toBe(
      false,
    );
    const { agent } = await visitor();
    expect((await agent.get('/join?q=закрытого приёма').expect(200)).text).not.toContain(closing.inpo);
    expect((await agent.get(`/join?at=${tree.territory.inpo}`).expect(200)).text).not.toContain(closing.inpo);
    expect((await agent.get(`/join/${closing.inpo}`).expect(404)).text).toContain('не принимает заявления онлайн');
  });
});

describe('online admission: the application and the chair accepting it', () => {
  it('when an applicant applies, confirms by the e-mailed link and the chair accepts, then the member is on the list and in 5-СП, and signs in by the invitation', async () => {
    const email = 'safina.alsu@example.ru';
    const session = await visitor();
    const form = await session.agent.get(`/join/${tree.primary.inpo}`).expect(200);
    expect(form.text).toContain(JOIN_CONSENT_VERSION);
    await apply(session, tree.primary.inpo, applicant(email)).expect(303);
    const letter = await smtp.lastTo(email);
    const link = smtp.linkIn(letter);
    expect(link).toMatch(/^\/join\/confirm\//);
    // the link's page changes nothing (mail scanners open links): the button confirms
    const page = await session.agent.get(link).expect(200);
    expect((await db()('join_applications').where({ email }).first('status')).status).toBe('unconfirmed');
    expect((await chair.agent.get(`/orgs/${tree.primary.inpo}/applications`).expect(200)).text).not.toContain('Сафина');
    await session.agent
      .post(link)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
      .expect(200);
    const { id } = await db()('join_applications').where({ email }).first('id');

    // the chair's home page counts it, the queue lists it; a chair of another ППО finds neither
    const chairHome = await chair.agent.get('/').expect(200);
    expect(chairHome.text).toMatch(/ждут решения: <strong>1<\/strong>/);
    expect(chairHome.text).toContain(
      `href="/orgs/${tree.primary.inpo}/applications/${id}">Заявление о вступлении в Профсоюз ждёт решения`,
    );
    const queue = await chair.agent.get(`/orgs/${tree.primary.inpo}/applications`).expect(200);
    expect(queue.text).toContain(`/orgs/${tree.primary.inpo}/applications/${id}`);
    await otherChair.agent.get(`/orgs/${tree.primary.inpo}/applications`).expect(404);
    await otherChair.agent.get(`/orgs/${tree.primary.inpo}/applications/${id}`).expect(404);

    const period = currentPeriod(todayIso());
    const admittedBefore = await admittedInPeriod(period);
    const accepted = await chair.agent
      .post(`/orgs/${tree.primary.inpo}/applications/${id}/accept`)
      .type('form')
      .send({ _csrf: chair.csrf })
      .expect(303);
    const memberId = Number(/\/members\/(\d+)/.exec(accepted.headers.location!)![1]);

    // the card: on the list, admitted today, the consents with the version agreed to, a union card requested
    const list = await chair.agent.get(`/orgs/${tree.primary.inpo}/members`).expect(200);
    expect(list.text).toContain(`/members/${memberId}`);
    const events = await db()('membership_events').where({ member_id: memberId }).select('kind', 'happened_on');
    expect(events.map((e) => [e.kind, String(e.happened_on)])).toEqual([['admitted', todayIso()]]);
    const consents = await db()('member_consents')
      .where({ member_id: memberId })
      .orderBy('kind')
      .select('kind', 'channel', 'text_version', 'source');
    expect(consents).toEqual([
      { kind: 'mailing', channel: 'email', text_version: JOIN_CONSENT_VERSION, source: 'online' },
      { kind: 'processing', channel: null, text_version: JOIN_CONSENT_VERSION, source: 'online' },
    ]);
    expect(await db()('union_cards').where({ member_id: memberId }).pluck('status')).toHaveLength(1);
    expect((await db()('join_applications').where({ id }).first('status', 'member_id')).status).toBe('accepted');

    // 5-СП of the period counts one admission more, as the cards say
    const expected = await admittedInPeriod(period);
    expect(expected).toBe(admittedBefore + 1);
    const report = await chair.agent.get(`/reports/5-SP/${tree.primary.inpo}/${period.end}.json`).expect(200);
    const line = report.body.lines.find((l: { label: string }) => l.label.startsWith('Принято в Профсоюз'));
    expect(line.values.total).toBe(expected);

    // the monitoring's figure: one online admission in the territory, child of the region, today
    const byChild = await ctx.deps.services.join.admissionsByChild(tree.region, todayIso(), todayIso());
    expect(byChild).toEqual([{ inpo: tree.territory.inpo, name: tree.territory.name, admissions: 1 }]);

    // the invitation: the applicant sets a password and signs in to the member's home with their card
    const invitation = await letterTo(email, '/invite/');
    const invite = smtp.linkIn(invitation);
    expect(invite).toMatch(/^\/invite\//);
    const username = `member-${memberId}`;
    expect(invitation.text).toContain(username);
    const { agent } = await visitor();
    const setPage = await agent.get(invite).expect(200);
    await agent
      .post(invite)
      .type('form')
      .send({
        _csrf: csrfFrom(setPage.text),
        password: 'новый пароль студентки',
        confirmPassword: 'новый пароль студентки',
      })
      .expect(303);
    const login = await postLogin(ctx.app, username, 'новый пароль студентки');
    expect(login.response.status).toBe(303);
    // the member's home is their personal account
    const home = await login.agent.get(login.response.headers.location!).expect(303);
    expect(home.headers.location).toBe('/me');
    const account = await login.agent.get('/me').expect(200);
    expect(account.text).toContain('QR-код проверки билета');
  });

  async function admittedInPeriod(period: { start: string; end: string }): Promise<number> {
    const row = await db()('membership_events')
      .where({ kind: 'admitted', to_organization_id: tree.primary.id })
      .where('happened_on', '>', period.start)
      .where('happened_on', '<=', period.end)
      .count<{ count: string }>('* as count')
      .first();
    return Number(row!.count);
  }

  it('when the chair rejects with a reason, then the applicant receives it; without a reason the form says what is missing', async () => {
    const email = 'reject.me@example.ru';
    const id = await applyAndConfirm(email, { surname: 'Отказова' });
    // the application's page is a read of personal data: audited like a card's view
    const page = await chair.agent.get(`/orgs/${tree.primary.inpo}/applications/${id}`).expect(200);
    expect(page.text).toContain('Отказова');
    expect(
      await db()('audit_log')
        .where({ action: 'join.viewed', entity: 'join_application', entity_id: String(id) })
        .count('* as n'),
    ).toEqual([{ n: 1 }]);
    const path = `/orgs/${tree.primary.inpo}/applications/${id}/reject`;
    const refused = await chair.agent.post(path).type('form').send({ _csrf: chair.csrf, reason: '' }).expect(422);
    expect(refused.text).toContain('Укажите причину отказа');
    await chair.agent
      .post(path)
      .type('form')
      .send({ _csrf: chair.csrf, reason: 'Вы не работаете в гимназии' })
      .expect(303);
    expect((await letterTo(email, 'Причина:')).text).toContain('Причина: Вы не работаете в гимназии');
    expect((await db()('join_applications').where({ id }).first('status')).status).toBe('rejected');
  });
});

describe('online admission: duplicates', () => {
  it('when the applicant is a member elsewhere, then accepting offers the transfer path, and the applicant learns how a transfer goes', async () => {
    const far = await createRegionTree(db(), 39);
    await createMembers(db(), far.primary, 1, { surname: 'Переводова', name: 'Ирина', birth_date: '1990-02-02' });
    const email = 'perevodova@example.ru';
    const id = await applyAndConfirm(email, { surname: 'Переводова', name: 'Ирина', birthDate: '1990-02-02' });
    const answer = await chair.agent
      .post(`/orgs/${tree.primary.inpo}/applications/${id}/accept`)
      .type('form')
      .send({ _csrf: chair.csrf })
      .expect(409);
    expect(answer.text).toContain(MATCH_ELSEWHERE_MESSAGE);
    expect(answer.text).not.toContain(far.primary.name);
    expect(await db()('members').where({ surname: 'Переводова' }).count('* as n')).toEqual([{ n: 1 }]);
    await chair.agent
      .post(`/orgs/${tree.primary.inpo}/applications/${id}/transfer`)
      .type('form')
      .send({ _csrf: chair.csrf })
      .expect(303);
    expect((await db()('join_applications').where({ id }).first('status')).status).toBe('transfer');
    expect((await letterTo(email, 'уже состоите на учёте')).text).toContain('запрос на перевод');
  });

  it('when the applicant is already a member here, then accepting links to their card and creates none', async () => {
    const [existing] = await createMembers(db(), tree.primary, 1, {
      surname: 'Здешняя',
      name: 'Ольга',
      birth_date: '1988-08-08',
    });
    const id = await applyAndConfirm('zdeshnyaya@example.ru', {
      surname: 'Здешняя',
      name: 'Ольга',
      birthDate: '1988-08-08',
    });
    const answer = await chair.agent
      .post(`/orgs/${tree.primary.inpo}/applications/${id}/accept`)
      .type('form')
      .send({ _csrf: chair.csrf })
      .expect(409);
    expect(answer.text).toContain(`href="/members/${existing}"`);
    expect(answer.text).toContain('уже состоит на учёте здесь');
    expect(await db()('members').where({ surname: 'Здешняя' }).count('* as n')).toEqual([{ n: 1 }]);
  });
});

describe('online admission: escalation', () => {
  it('when an application waits more than 30 days, then the territory lists it; a fresh one stays with the ППО', async () => {
    const old = await applyAndConfirm('old.one@example.ru', { surname: 'Давняя' });
    const fresh = await applyAndConfirm('fresh.one@example.ru', { surname: 'Свежая' });
    await db()('join_applications')
      .where({ id: old })
      .update({ confirmed_at: db().raw("now() - interval '31 days'") });
    const coordinator = await loggedInAgent(ctx.app, territoryCoordinator);
    const list = await coordinator.agent.get(`/orgs/${tree.territory.inpo}/applications`).expect(200);
    expect(list.text).toContain(`/orgs/${tree.primary.inpo}/applications/${old}"`);
    expect(list.text).not.toContain(`/applications/${fresh}"`);
    const own = await chair.agent.get(`/orgs/${tree.primary.inpo}/applications`).expect(200);
    expect(own.text).toContain(`/applications/${old}"`);
    expect(own.text).toContain(`/applications/${fresh}"`);
  });
});

describe('online admission: housekeeping', () => {
  it('when the hourly housekeeping runs, then week-old unconfirmed and year-old rejected applications are forgotten, the rest kept', async () => {
    const statuses = async () =>
      Object.fromEntries(
        (
          await db()('join_applications')
            .whereIn('email', ['stale@example.ru', 'kept@example.ru'])
            .select('email', 'status')
        ).map((r) => [r.email, r.status]),
      );
    await apply(await visitor(), tree.primary.inpo, applicant('stale@example.ru')).expect(303);
    await apply(await visitor(), tree.primary.inpo, applicant('kept@example.ru')).expect(303);
    await db()('join_applications')
      .where({ email: 'stale@example.ru' })
      .update({ created_at: db().raw("now() - interval '8 days'") });
    const closedOld = await db()('join_applications')
      .where({ status: 'rejected' })
      .update({ decided_at: db().raw("now() - interval '400 days'") });
    expect(closedOld).toBe(1);
    await pruneJoin(ctx.deps.db);
    expect(await statuses()).toEqual({ 'kept@example.ru': 'unconfirmed' });
    expect(await db()('join_applications').where({ status: 'rejected' }).count('* as n')).toEqual([{ n: 0 }]);
    expect(await db()('join_applications').where({ status: 'accepted' }).count('* as n')).toEqual([{ n: 1 }]);
  });
});

describe('online admission: refusals', () => {
  const count = async (email: string) =>
    Number((await db()('join_applications').where({ email }).count<{ n: string }>('* as n').first())!.n);

  it('when a script fills the honeypot, sends the form at once or without its stamp, then nothing is saved and each refusal says why', async () => {
    const session = await visitor();
    const email = 'bot@example.ru';
    const trapped = await apply(session, tree.primary.inpo, applicant(email, { website: 'http://spam.example' }));
    expect(trapped.status).toBe(422);
    expect(trapped.text).toContain('похоже, форму заполнила программа');
    const fast = await apply(
      session,
      tree.primary.inpo,
      applicant(email, { formStamp: createFormStamps(ctx.config.sessionSecret!).issue() }),
    );
    expect(fast.status).toBe(422);
    expect(fast.text).toContain('отправлено слишком быстро');
    const forged = await apply(
      session,
      tree.primary.inpo,
      applicant(email, { formStamp: `${Date.now() - 60_000}.forged` }),
    );
    expect(forged.status).toBe(422);
    expect(forged.text).toContain('Форма устарела');
    expect(await count(email)).toBe(0);
  });

  it('when the consent is missing or the SNILS is wrong, then 422 names the field and keeps what was typed', async () => {
    const session = await visitor();
    const answer = await apply(
      session,
      tree.primary.inpo,
      applicant('noconsent@example.ru', { consentProcessing: '', snils: '112-233-445 96', surname: 'Незабытова' }),
    );
    expect(answer.status).toBe(422);
    expect(answer.text).toContain('Без согласия на обработку персональных данных');
    expect(answer.text).toMatch(/id="snils-error"/);
    expect(answer.text).toContain('value="Незабытова"');
    expect(await count('noconsent@example.ru')).toBe(0);
  });

  it('when one e-mail applies more than its limit a day, or one address more than its limit an hour, then 429', async () => {
    const email = 'many.times@example.ru';
    for (let i = 0; i < JOIN_PER_EMAIL.limit; i++)
      await apply(await visitor(), tree.primary.inpo, applicant(email)).expect(303);
    const refused = await apply(await visitor(), tree.primary.inpo, applicant(email)).expect(429);
    expect(refused.text).toContain('уже подано несколько заявлений');
    expect(await count(email)).toBe(JOIN_PER_EMAIL.limit);

    const sameWifi = await visitor('203.0.113.77');
    for (let i = 0; i < JOIN_PER_IP.limit; i++)
      await apply(sameWifi, tree.primary.inpo, applicant(`student${i}@example.ru`)).expect(303);
    const blocked = await apply(sameWifi, tree.primary.inpo, applicant('student-last@example.ru')).expect(429);
    expect(blocked.text).toContain('Слишком много заявлений с вашего адреса');
    expect(blocked.headers['retry-after']).toBeDefined();
  });
});
