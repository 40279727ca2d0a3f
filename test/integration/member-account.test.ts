// The member's personal account (issue 18, item 3): corrections and a request to leave that change the card
// only when the chair approves them, consents withdrawn and given again as the member's own act, and the
// download of everything the registry holds about the person — and nothing about anyone else.
import crypto from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { insertMeeting } from '../support/meetings';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser, type TestUser } from '../support/factories';
import { pdfText } from '../support/pdf';
import { depersonaliseExpired } from '../../src/members/retention';
import { todayIso } from '../../src/shared/dates';

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;

interface Session {
  agent: Agent;
  csrf: string;
  user: TestUser;
}
interface MemberLogin extends Session {
  id: number;
}

let tree: Awaited<ReturnType<typeof createRegionTree>>;
let outsidePpo: Awaited<ReturnType<typeof createOrg>>;
let chair: Session;
let outsideChair: Session;
/** Ирина Петровна: proposes, downloads; Ирина Павловна, her namesake in the same ППО with the same kinds of rows; a third who leaves. */
let sokolova: MemberLogin;
let namesake: MemberLogin;
let leaving: MemberLogin;

async function signIn(user: TestUser): Promise<Session> {
  return { ...(await loggedInAgent(ctx.app, user)), user };
}

/** A card with a login of its own and one row in every table that links to a card or its login. */
async function memberWithLogin(extra: Record<string, unknown>, tag: string): Promise<MemberLogin> {
  const [id] = (await createMembers(db(), tree.primary, 1, extra)) as [number];
  const user = await createUser(db(), [{ role: 'member', org: tree.primary }]);
  await db()('users')
    .where({ id: user.id })
    .update({ member_id: id, email: `${tag}@example.ru` });
  await db()('member_consents').insert({
    member_id: id,
    kind: 'processing',
    text_version: '2024-1',
    source: 'paper',
    given_on: '2024-01-10',
  });
  const [card] = await db()('union_cards')
    .insert({ number: `ME-${id}`, member_id: id, status: 'issued', status_on: '2024-02-01' })
    .returning('id');
  await db()('union_card_events').insert({
    card_id: card.id,
    from_status: 'requested',
    to_status: 'issued',
    happened_on: '2024-02-01',
  });
  await db()('transfer_requests').insert({
    member_id: id,
    from_organization_id: tree.primary.id,
    to_organization_id: outsidePpo.id,
    transfer_on: '2025-01-10',
    status: 'declined',
    decided_at: new Date(),
    decline_reason: 'нет мест',
  });
  await db()('org_officers').insert({
    organization_id: tree.primary.id,
    post: 'deputy',
    surname: String(extra.surname),
    name: String(extra.name),
    member_id: id,
    elected_on: '2024-03-01',
  });
  const [file] = await db()('officer_files')
    .insert({ member_id: id, notes: `Резерв ${tag}` })
    .returning('id');
  await db()('officer_trainings').insert({ file_id: file.id, course: `Школа лидера ${tag}`, started_on: '2025-03-10' });
  await db()('depersonalisation_journal').insert({ member_id: id, left_on: '2001-01-01', retention_years: 5 });
  await db()('professional_group_unmatched').insert({ member_id: id, value: `воспитатели ${tag}` });
  await db()('join_applications').insert({
    organization_id: tree.primary.id,
    status: 'accepted',
    surname: String(extra.surname),
    name: String(extra.name),
    sex: 'f',
    birth_date: '1990-01-01',
    email: `${tag}@example.ru`,
    category: 'working',
    consent_version: '2024-1',
    confirm_token_hash: crypto.randomBytes(32),
    confirmed_at: new Date(),
    decided_at: new Date(),
    member_id: id,
  });
  const [mailing] = await db()('mailings')
    .insert({
      organization_id: tree.primary.id,
      author_user_id: user.id,
      subject: `Новости ${tag}`,
      body: 'текст',
      target: {},
    })
    .returning('id');
  await db()('mailing_recipients').insert({
    mailing_id: mailing.id,
    address: `${tag}@example.ru`,
    source: 'member',
    member_id: id,
    organization_id: tree.primary.id,
    status: 'sent',
  });
  // a named member poll sent to the card and answered (an anonymous one's answer would name no one)
  const memberPoll = async (title: string) => {
    const [poll] = await db()('surveys')
      .insert({
        organization_id: tree.primary.id,
        author_user_id: user.id,
        title,
        definition: { sections: [] },
        target_levels: [],
        opens_on: '2026-01-01',
        closes_on: '2026-12-31',
        audience: 'members',
        status: 'published',
      })
      .returning('id');
    await db()('survey_member_targets').insert({ survey_id: poll.id, member_id: id, organization_id: tree.primary.id });
    return poll as { id: number };
  };
  const poll = await memberPoll(`Опрос ${tag}`);
  await db()('survey_respondents').insert({ survey_id: poll.id, member_id: id });
  await db()('survey_member_answers').insert({
    survey_id: poll.id,
    member_id: id,
    organization_id: tree.primary.id,
    answers: { agreement: 'Да' },
  });
  // and another one the member has only saved a draft of
  const drafted = await memberPoll(`Опрос с черновиком ${tag}`);
  await db()('survey_member_drafts').insert({ survey_id: drafted.id, member_id: id, answers: { agreement: 'Нет' } });
  // a meeting the card was a participant of, registered by its union card
  const meetingId = await insertMeeting(db(), tree.primary, { held_on: '2026-03-01' });
  await db()('meeting_participants').insert({
    meeting_id: meetingId,
    member_id: id,
    invited: false,
    registered_at: new Date(),
    method: 'card',
    card_number: `ME-${id}`,
  });
  await db()('unsubscribe_tokens').insert({
    token_hash: crypto.randomBytes(32),
    member_id: id,
    purpose: 'mailing',
    expires_at: new Date(Date.now() + 86_400_000),
  });
  await db()('notifications').insert({ user_id: user.id, kind: 'export_ready', title: `Выгрузка готова ${tag}` });
  await db()('mail_outbox').insert({
    to_address: `${tag}@Example.ru`,
    subject: `Приглашение ${tag}`,
    body: 'ссылка',
    status: 'kept',
  });
  return { ...(await signIn(user)), id };
}

beforeAll(async () => {
  tree = await createRegionTree(db(), 23);
  const r2 = await createOrg(db(), tree.union, 'regional', { regionCode: 24 });
  outsidePpo = await createOrg(db(), await createOrg(db(), r2, 'territorial'), 'primary');
  chair = await signIn(await createUser(db(), [{ role: 'chair', org: tree.primary }]));
  outsideChair = await signIn(await createUser(db(), [{ role: 'chair', org: outsidePpo }]));
  const person = { surname: 'Соколова', name: 'Ирина', position: 'учитель', birth_date: '1990-04-04' };
  sokolova = await memberWithLogin(
    { ...person, patronymic: 'Петровна', phone: '+79161112233', email: 'sokolova@example.ru' },
    'sokolova-login',
  );
  namesake = await memberWithLogin(
    { ...person, patronymic: 'Павловна', phone: '+79164445566', email: 'pavlovna@example.ru' },
    'pavlovna-login',
  );
  leaving = await memberWithLogin({ surname: 'Уходова', name: 'Анна', patronymic: 'Львовна' }, 'leaving-login');
});

const card = (id: number) => db()('members').where({ id }).first();
const auditOf = (id: number, action: string) =>
  db()('audit_log')
    .where({ entity: 'member', entity_id: String(id), action })
    .orderBy('id');

function post(session: Session, path: string, body: Record<string, string>) {
  return session.agent
    .post(path)
    .type('form')
    .send({ _csrf: session.csrf, ...body });
}

async function pendingRequestId(memberId: number): Promise<number> {
  const row = await db()('member_requests').where({ member_id: memberId, status: 'pending' }).first('id');
  return Number(row.id);
}

const proposal = {
  surname: 'Орлова',
  name: 'Ирина',
  patronymic: 'Петровна',
  phone: '+7 916 999-88-77',
  email: 'sokolova@example.ru',
  category: 'student',
  position: 'учитель',
  professionalGroup: '',
};

describe("a member's personal account", () => {
  it('when a member signs in, then they land in the account with their card, masked contacts, organization and card QR', async () => {
    const home = await sokolova.agent.get('/').expect(303);
    expect(home.headers.location).toBe('/me');
    const page = await sokolova.agent.get('/me').expect(200);
    expect(page.text).toContain('Соколова Ирина Петровна');
    expect(page.text).toContain('+7 (***) ***-22-33');
    expect(page.text).toContain('s***@example.ru');
    expect(page.text).not.toContain('+79161112233');
    expect(page.text).toContain(`№ ME-${sokolova.id}`);
    expect(page.text).toMatch(/<img src="\/card\/[0-9a-f-]{36}\/qr\.svg" width="180"/);
    expect(page.text).toContain(tree.primary.name);
    expect(page.text).not.toContain('Павловна');
    // a staff login without a card has no personal account
    await chair.agent.get('/me').expect(404);
  });

  it('when a member proposes a correction, then nothing changes until the chair approves it; then the card changes and the audit rows name both', async () => {
    const before = await card(sokolova.id);
    const noReason = await post(sokolova, '/me/corrections', proposal).expect(422);
    expect(noReason.text).toContain('Укажите причину смены ФИО');
    expect(noReason.text).toContain('value="Орлова"');

    await post(sokolova, '/me/corrections', { ...proposal, nameReason: 'вступление в брак' }).expect(303);
    const requestId = await pendingRequestId(sokolova.id);
    expect(await card(sokolova.id)).toEqual(before);
    const request = await db()('member_requests').where({ id: requestId }).first();
    expect(request.changes).toEqual({ surname: 'Орлова', phone: '+79169998877', category: 'student' });

    const told = await db()('notifications').where({ user_id: chair.user.id, kind: 'member_request_received' });
    expect(told.map((n) => [n.title, n.link])).toEqual([
      ['Соколова Ирина Петровна: исправление данных', `/orgs/${tree.primary.inpo}/corrections`],
    ]);
    const chairHome = await chair.agent.get('/').expect(200);
    expect(chairHome.text).toMatch(/Исправления и заявления членов Профсоюза<\/a>: <strong>1<\/strong>/);
    const queue = await chair.agent.get(`/orgs/${tree.primary.inpo}/corrections`).expect(200);
    expect(queue.text).toContain('Орлова');
    expect(queue.text).toContain('вступление в брак');

    await post(chair, `/orgs/${tree.primary.inpo}/corrections`, {
      requestId: String(requestId),
      decision: 'approve',
    }).expect(303);
    const after = await card(sokolova.id);
    expect([after.surname, after.phone, after.category, after.email]).toEqual([
      'Орлова',
      '+79169998877',
      'student',
      'sokolova@example.ru',
    ]);
    const owed = { requestId, proposerUserId: sokolova.user.id, proposedBy: 'member' };
    const [updated] = await auditOf(sokolova.id, 'member.updated');
    expect(updated.actor_user_id).toBe(chair.user.id);
    expect(updated.new_values).toMatchObject({ surname: 'Орлова', phone: '+79169998877', ...owed });
    const [category] = await auditOf(sokolova.id, 'member.category_changed');
    expect(category.actor_user_id).toBe(chair.user.id);
    expect(category.new_values).toMatchObject({ category: 'student', ...owed });
    expect((await db()('member_requests').where({ id: requestId }).first()).status).toBe('approved');
    const answer = await db()('notifications').where({ user_id: sokolova.user.id, kind: 'member_request_decided' });
    expect(answer.map((n) => n.title)).toEqual(['Исправление ваших данных: принято']);
  });

  it('when the chair rejects a correction, then the card stays and the member reads the reason', async () => {
    await post(sokolova, '/me/corrections', { ...proposal, surname: 'Орлова', position: 'завуч' }).expect(303);
    const requestId = await pendingRequestId(sokolova.id);
    const path = `/orgs/${tree.primary.inpo}/corrections`;
    const blank = await post(chair, path, { requestId: String(requestId), decision: 'reject' }).expect(422);
    expect(blank.text).toContain('Укажите причину отказа');
    await post(chair, path, { requestId: String(requestId), decision: 'reject', reason: 'приказ не представлен' });
    expect((await card(sokolova.id)).position).toBe('учитель');
    expect((await sokolova.agent.get('/me').expect(200)).text).toContain('Причина отказа: приказ не представлен');
  });

  it('when a member withdraws their consent and gives it again, then both are recorded with dates as their own act', async () => {
    const consent = await db()('member_consents').where({ member_id: sokolova.id }).first();
    const others = await db()('member_consents').where({ member_id: namesake.id }).first();
    // another person's consent is not theirs to withdraw
    await post(sokolova, '/me/consents/withdraw', { consentId: String(others.id) }).expect(422);
    expect((await db()('member_consents').where({ id: others.id }).first()).withdrawn_on).toBeNull();

    await post(sokolova, '/me/consents/withdraw', { consentId: String(consent.id) }).expect(303);
    expect((await db()('member_consents').where({ id: consent.id }).first()).withdrawn_on).toBe(todayIso());
    await post(sokolova, '/me/consents', { kind: 'processing', channel: '' }).expect(303);
    const renewed = await db()('member_consents').where({ member_id: sokolova.id }).whereNull('withdrawn_on');
    expect(renewed).toMatchObject([
      { kind: 'processing', source: 'online', text_version: '2024-1', given_on: todayIso() },
    ]);
    for (const action of ['consent.withdrawn', 'consent.given']) {
      const [row] = await auditOf(sokolova.id, action);
      expect(row.actor_user_id).toBe(sokolova.user.id);
      expect(row.new_values.actor).toBe('member');
    }
    const page = await sokolova.agent.get('/me').expect(200);
    expect(page.text).toContain(`${todayIso().split('-').reverse().join('.')}, онлайн`);
  });

  it('when a member asks to leave, then the chair approving it records the exit with the date and the reason', async () => {
    const today = todayIso();
    await post(leaving, '/me/leave', { reason: 'переезд в другой город', on: today }).expect(303);
    const again = await post(leaving, '/me/leave', { reason: 'ещё раз', on: today }).expect(422);
    expect(again.text).toContain('Заявление о выходе уже подано');
    expect((await card(leaving.id)).left_on).toBeNull();
    const requestId = await pendingRequestId(leaving.id);
    await post(chair, `/orgs/${tree.primary.inpo}/corrections`, {
      requestId: String(requestId),
      decision: 'approve',
    }).expect(303);
    const left = await card(leaving.id);
    expect([left.left_on, left.left_reason]).toEqual([today, 'voluntary']);
    const [row] = await auditOf(leaving.id, 'member.left');
    expect(row.actor_user_id).toBe(chair.user.id);
    expect(row.new_values).toMatchObject({ on: today, requestId, proposerUserId: leaving.user.id });
    const [asked] = await auditOf(leaving.id, 'member.leave_requested');
    expect(asked.new_values).toMatchObject({ reason: 'переезд в другой город', on: today, actor: 'member' });
  });

  it('when the card of a member who left is depersonalised, then what they wrote in their requests goes with it', async () => {
    expect(await depersonaliseExpired(ctx.deps.db, '2040-01-01', 5)).toBe(1);
    const requests = await db()('member_requests').where({ member_id: leaving.id });
    expect(requests.map((r) => [r.kind, r.reason, r.changes])).toEqual([['leave', '', {}]]);
  });

  it('when someone outside the subtree or without the right reaches the queue, then it is not theirs', async () => {
    await post(namesake, '/me/corrections', {
      ...proposal,
      surname: 'Соколова',
      patronymic: 'Павловна',
      position: 'директор',
      category: 'working',
    }).expect(303);
    const requestId = String(await pendingRequestId(namesake.id));
    await outsideChair.agent.get(`/orgs/${tree.primary.inpo}/corrections`).expect(404);
    // the request's id in the form of their own organization's queue finds nothing there
    await post(outsideChair, `/orgs/${outsidePpo.inpo}/corrections`, { requestId, decision: 'approve' }).expect(404);
    // a member decides nothing, their own requests included
    await sokolova.agent.get(`/orgs/${tree.primary.inpo}/corrections`).expect(403);
    await post(namesake, `/orgs/${tree.primary.inpo}/corrections`, { requestId, decision: 'approve' }).expect(403);
    expect((await card(namesake.id)).position).toBe('учитель');
    expect(await db()('member_requests').where({ id: requestId }).first('status')).toEqual({ status: 'pending' });
  });

  it("when a member downloads their data, then every table's rows about them are in it and nothing about anyone else", async () => {
    const res = await sokolova.agent.get('/me/data.json').expect(200);
    expect(res.headers['content-disposition']).toContain('attachment');
    const { tables } = res.body as { tables: Record<string, Record<string, unknown>[]> };
    const linked: string[] = (
      await db()('information_schema.columns')
        .where({ table_schema: 'public', column_name: 'member_id' })
        .pluck('table_name')
    ).sort();
    expect(linked.length).toBeGreaterThanOrEqual(10);
    for (const table of linked) {
      const expected = await db()(table).where({ member_id: sokolova.id }).count<{ n: string }[]>('* as n');
      expect(tables[table], table).toHaveLength(Number(expected[0]!.n));
      expect(tables[table]!.length, `${table} has a row of the fixture`).toBeGreaterThan(0);
      expect(
        tables[table]!.every((r) => Number(r.member_id) === sokolova.id),
        table,
      ).toBe(true);
    }
    expect(tables.members!.map((m) => Number(m.id))).toEqual([sokolova.id]);
    const cardIds = tables.union_cards!.map((c) => Number(c.id));
    expect(tables.union_card_events!.map((e) => Number(e.card_id))).toEqual(cardIds);
    expect(tables.role_grants!.map((g) => g.user_id)).toEqual([sokolova.user.id]);
    const told = await db()('notifications').where({ user_id: sokolova.user.id }).orderBy('id').pluck('title');
    expect(tables.notifications!.map((n) => n.title)).toEqual(told);
    expect(told).toEqual([
      'Выгрузка готова sokolova-login',
      'Исправление ваших данных: принято',
      'Исправление ваших данных: отклонено',
    ]);
    const officerIds = tables.org_officers!.map((o) => String(o.id));
    // the personnel file's sections come by the file
    const fileIds = tables.officer_files!.map((f) => String(f.id));
    expect(tables.officer_trainings!.map((t) => String(t.file_id))).toEqual(fileIds);
    const audit = await db()('audit_log')
      .where((q) => q.where({ entity: 'member', entity_id: String(sokolova.id) }))
      .orWhere((q) => q.where({ entity: 'user', entity_id: String(sokolova.user.id) }))
      .orWhere((q) => q.where('entity', 'org_officer').whereIn('entity_id', officerIds))
      .orWhere((q) => q.where('entity', 'officer_file').whereIn('entity_id', fileIds))
      .orderBy('id')
      .pluck('id');
    expect(tables.audit_log!.map((a) => String(a.id))).toEqual(audit.map(String));
    expect(tables.audit_log!.map((a) => a.action)).toContain('member.own_data_exported');
    // letters to the card's and the login's addresses (the fixture's one to the login), without their text
    const letters = await db()('mail_outbox')
      .whereRaw('lower(to_address) IN (?, ?)', ['sokolova@example.ru', 'sokolova-login@example.ru'])
      .orderBy('id')
      .pluck('subject');
    expect(tables.mail_outbox!.map((m) => m.subject)).toEqual(letters);
    expect(letters).toContain('Приглашение sokolova-login');
    expect(letters).toContain('Реестр Профсоюза: Исправление ваших данных: принято');
    expect(tables.mail_outbox![0]).not.toHaveProperty('body');
    // the session this download was made in, without its id (the cookie's secret)
    expect(tables.sessions!.map((x) => x.user_id)).toEqual([String(sokolova.user.id)]);
    expect(JSON.stringify(tables.sessions)).not.toMatch(/"sid"/);
    expect(tables.users![0]).not.toHaveProperty('password_hash');
    expect(tables.users![0]).not.toHaveProperty('totp_secret');
    expect(tables.unsubscribe_tokens![0]).not.toHaveProperty('token_hash');

    const text = JSON.stringify(res.body);
    for (const other of ['Павловна', '+79164445566', 'pavlovna', `ME-${namesake.id}`, 'Уходова'])
      expect(text, other).not.toContain(other);

    const pdf = await sokolova.agent
      .get('/me/data.pdf')
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const pdfContent = await pdfText(pdf.body as Buffer);
    expect(pdfContent).toContain('Орлова Ирина Петровна');
    expect(pdfContent).toContain('Согласия');
    expect(pdfContent).not.toContain('Павловна');
    const downloads = await auditOf(sokolova.id, 'member.own_data_exported');
    expect(downloads.map((d) => [d.actor_user_id, d.new_values.format])).toEqual([
      [sokolova.user.id, 'json'],
      [sokolova.user.id, 'pdf'],
    ]);
  });
});
