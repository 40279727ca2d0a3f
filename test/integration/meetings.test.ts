// Meetings of the bodies (issue 21, item 3): attendance by union card against the quorum, the refusals with
// their reasons, remote registration by a personal link and a one-time code (a real SMTP server), decisions and
// the minutes PDF generated from the `meeting-minutes` template, admissions linked to the minutes, 404 outside
// the subtree — and the monitoring's «meetings held» figure against a count in SQL (issue 21, item 4).
import { beforeAll, describe, expect, it } from 'vitest';
import { membershipDecisionsFor } from '../../src/meetings/meetings.repo';
import { QUORUM_RULES, quorumNeeded } from '../../src/meetings/meetings.schemas';
import type { OrgRow } from '../../src/registry/org-row';
import { todayIso } from '../../src/shared/dates';
import { useTestApp } from '../support/app';
import { anonymousAgent, csrfFrom, loggedInAgent, type Agent } from '../support/agents';
import { chairRow, createMembers, createOrg, createRegionTree, createUser } from '../support/factories';
import { hiddenFields, submitForm } from '../support/forms';
import { insertMeeting } from '../support/meetings';
import { pdfText } from '../support/pdf';
import { useSmtpCapture } from '../support/smtp';
import { binaryParser } from '../support/xlsx';

const overrides: Record<string, string> = {};
const smtp = useSmtpCapture(overrides);
const ctx = useTestApp(overrides);
const db = () => ctx.database.ownerDb;
const TODAY = todayIso();

let tree: Awaited<ReturnType<typeof createRegionTree>>;
let other: OrgRow;
let chair: { agent: Agent; csrf: string };
let otherChair: { agent: Agent; csrf: string };
let coordinator: { agent: Agent; csrf: string };
/** The ППО's 21 members, each with an issued card `M{n}-…` (n = 1…21). */
let members: number[];
let cardOf: (n: number) => string;

beforeAll(async () => {
  tree = await createRegionTree(db(), 52);
  other = await createOrg(db(), tree.territory, 'primary');
  const tag = String(tree.primary.id);
  cardOf = (n) => `M${n}-${tag}`;
  members = await createMembers(db(), tree.primary, 21);
  await db()('union_cards').insert(
    members.map((memberId, i) => ({
      number: cardOf(i + 1),
      member_id: memberId,
      status: 'issued',
      status_on: '2024-01-10',
    })),
  );
  // the first member's old card, blocked when it was lost
  await db()('union_cards').insert({
    number: `B1-${tag}`,
    member_id: members[0],
    status: 'blocked',
    status_on: '2023-01-10',
  });
  const [outsider] = await createMembers(db(), other, 1);
  await db()('union_cards').insert({
    number: `O1-${tag}`,
    member_id: outsider,
    status: 'issued',
    status_on: '2024-01-10',
  });
  await db()('org_officers').insert(chairRow(tree.primary.id, '2029-01-01'));
  chair = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: tree.primary }]));
  otherChair = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: other }]));
  coordinator = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: tree.region }]));
});

const meetingsUrl = () => `/orgs/${tree.primary.inpo}/meetings`;

/** A meeting scheduled through the form; its page's path. */
async function scheduleMeeting(fields: Record<string, string>): Promise<string> {
  const res = await submitForm(chair.agent, `${meetingsUrl()}/new`, meetingsUrl(), {
    body: 'general',
    heldOn: TODAY,
    startsAt: '15:00',
    place: 'Актовый зал',
    remoteUrl: '',
    participants: 'members',
    quorum: 'half',
    quorumPercent: '',
    agenda: 'О приёме в члены Профсоюза\nОб отчёте профкома',
    ...fields,
  });
  expect(res.status).toBe(303);
  return res.headers.location as string;
}

const post = (path: string, body: Record<string, string>, page = path) =>
  chair.agent.get(page).then((p) =>
    chair.agent
      .post(path)
      .type('form')
      .send({ ...hiddenFields(p.text, path), ...body }),
  );

/** One scan as htmx sends it: the fragment with the answer and the quorum. */
const scan = (meeting: string, text: string) =>
  chair.agent
    .post(`${meeting}/attendance`)
    .set('HX-Request', 'true')
    .set('X-CSRF-Token', chair.csrf)
    .type('form')
    .send({ scan: text });

/** Until another session waits on a row lock (a request blocked behind a transaction the test holds). */
async function waitUntilLockWaits() {
  for (let i = 0; i < 200; i++) {
    const { rows } = await db().raw(
      `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (rows.length) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('no session waited on a lock');
}

const quorumReached = (html: string) => /id="quorum"[^>]*data-reached="true"/.test(html);

describe('meetings: attendance by union card', () => {
  let meeting: string;

  beforeAll(async () => {
    meeting = await scheduleMeeting({});
    await post(`${meeting}/open`, {}, meeting).then((r) => expect(r.status).toBe(303));
  });

  it('when a meeting of 21 members with a quorum of more than half is scanned, then the 11th valid card reaches the quorum, not the 10th', async () => {
    for (let n = 1; n <= 10; n++) {
      const res = await scan(meeting, cardOf(n)).expect(200);
      expect(res.text).toContain('Зарегистрирован(а): <strong>Петрова Мария Ивановна</strong>');
      expect(res.text).toContain(`Зарегистрировано <span id="registered-count">${n}</span> из 21`);
      expect(quorumReached(res.text)).toBe(false);
    }
    // the 11th by the address of its QR code, as a camera or scanner reads it
    const card11 = await db()('union_cards')
      .where({ number: cardOf(11) })
      .first('check_token');
    const res = await scan(meeting, `${ctx.config.publicUrl}/card/${card11.check_token}`).expect(200);
    expect(res.text).toContain('Зарегистрировано <span id="registered-count">11</span> из 21');
    expect(res.text).toContain('нужно 11');
    expect(quorumReached(res.text)).toBe(true);
    // the indicator the registration page refreshes (scans at other entrances) says the same
    const indicator = await chair.agent.get(`${meeting}/quorum`).expect(200);
    expect(indicator.text).toContain('Зарегистрировано <span id="registered-count">11</span> из 21');
    expect(quorumReached(indicator.text)).toBe(true);
    const rows = await db()('meeting_participants').whereNotNull('registered_at').pluck('member_id');
    expect(rows.map(Number).sort()).toEqual(members.slice(0, 11).sort());
  });

  it('when a card of another organization, a blocked card, an unknown number or a card scanned twice come, then each is refused with its reason and not counted', async () => {
    const tag = String(tree.primary.id);
    const refusals = [
      [`O1-${tag}`, `не участник собрания: не состоит в организации «${tree.primary.name}» и не приглашён`],
      [`B1-${tag}`, 'недействителен: заблокирована'],
      ['NO-SUCH-CARD', 'Билет № NO-SUCH-CARD не найден в реестре'],
      [cardOf(3), 'Петрова Мария Ивановна уже зарегистрирован(а)'],
    ];
    for (const [card, reason] of refusals) {
      const res = await scan(meeting, card!).expect(200);
      expect(res.text).toContain('data-outcome="refused"');
      expect(res.text).toContain(reason!);
      expect(res.text).toContain('Зарегистрировано <span id="registered-count">11</span> из 21');
    }
    // without JavaScript: the whole page, the refusal on it (422)
    const page = await post(`${meeting}/attendance`, { scan: `O1-${tag}` }, `${meeting}/attendance`);
    expect(page.status).toBe(422);
    expect(page.text).toContain('не участник собрания');
  });

  it('when the same card is scanned at two entrances at once, then it is registered once', async () => {
    const answers = await Promise.all([scan(meeting, cardOf(13)), scan(meeting, cardOf(13))]);
    expect(answers.map((a) => /data-outcome="(\w+)"/.exec(a.text)![1]).sort()).toEqual(['refused', 'registered']);
    const rows = await db()('meeting_participants').where({ member_id: members[12] }).whereNotNull('registered_at');
    expect(rows).toHaveLength(1);
  });

  it('when a participant is registered by a personal link while a scan of their card waits, then the scan is refused, not counted twice', async () => {
    const meetingId = Number(meeting.split('/').pop());
    const other = await db().transaction();
    try {
      // the remote registration holds the participant's row; the scan read it unregistered and waits on it
      await other('meeting_participants')
        .where({ meeting_id: meetingId, member_id: members[13] })
        .update({ registered_at: other.fn.now(), method: 'remote' });
      const answer = scan(meeting, cardOf(14)).then((r) => r);
      await waitUntilLockWaits();
      await other.commit();
      const res = await answer;
      expect(res.text).toContain('data-outcome="refused"');
      expect(res.text).toContain('уже зарегистрирован(а)');
      expect(res.text).toContain('Зарегистрировано <span id="registered-count">12</span> из 21');
    } finally {
      if (!other.isCompleted()) await other.rollback();
    }
    const audited = await db()('audit_log')
      .where({ action: 'meeting.attendance_registered', entity: 'member', entity_id: members[13] })
      .count<{ n: string }[]>('* as n');
    expect(Number(audited[0]!.n)).toBe(0);
  });

  it('when a participant without a card is registered by hand, then the reason is required and kept', async () => {
    const manual = `${meeting}/attendance/manual`;
    const empty = await post(manual, { memberId: String(members[11]), reason: '' }, `${meeting}/attendance`);
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Укажите причину регистрации без билета');
    await post(
      manual,
      { memberId: String(members[11]), reason: 'Билет не выдан, паспорт предъявлен' },
      `${meeting}/attendance`,
    ).then((r) => expect(r.status).toBe(303));
    const row = await db()('meeting_participants').where({ member_id: members[11] }).first();
    expect(row).toMatchObject({ method: 'manual', reason: 'Билет не выдан, паспорт предъявлен' });
  });

  it('when decisions are recorded and the meeting is closed, then the minutes PDF from the template holds them and keeps the template version', async () => {
    const invalid = await post(
      `${meeting}/decision`,
      { item: '1', decision: 'Принять', votesFor: 'много', votesAgainst: '0', votesAbstained: '0' },
      meeting,
    );
    expect(invalid.status).toBe(422);
    expect(invalid.text).toContain('За: целое число голосов');
    // 14 registered (12 by card, one by a personal link, one by hand): 15 votes are more than were present
    const overcounted = await post(
      `${meeting}/decision`,
      { item: '1', decision: 'Принять', votesFor: '13', votesAgainst: '1', votesAbstained: '1' },
      meeting,
    );
    expect(overcounted.status).toBe(422);
    expect(overcounted.text).toContain('Голосов всего 15, а зарегистрировано участников 14');
    expect(overcounted.text).toMatch(/id="votesFor-1"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="votesFor-1"/);
    for (const [item, decision, votesFor] of [
      ['1', 'Принять в члены Профсоюза Смирнову Е. А. с 01.12.2026', '12'],
      ['2', 'Работу профсоюзного комитета признать удовлетворительной', '10'],
    ])
      await post(
        `${meeting}/decision`,
        { item: item!, decision: decision!, votesFor: votesFor!, votesAgainst: '1', votesAbstained: '1' },
        meeting,
      ).then((r) => expect(r.status).toBe(303));
    // a closing that fails at its last write (the minutes' row) leaves no «document generated» audit row behind
    const meetingId = Number(meeting.split('/').pop());
    const generated = () =>
      db()('audit_log')
        .where({ action: 'document.generated', entity: 'meeting', entity_id: meetingId })
        .count<{ n: string }[]>('* as n');
    await db().raw(`CREATE FUNCTION test_refuse_minutes() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused by the test' USING ERRCODE = '23505', CONSTRAINT = 'test_minutes'; END $$`);
    await db().raw(
      'CREATE TRIGGER test_refuse_minutes BEFORE INSERT ON meeting_minutes FOR EACH ROW EXECUTE FUNCTION test_refuse_minutes()',
    );
    try {
      const failed = await post(`${meeting}/close`, { minutesNumber: '7' }, meeting);
      expect(failed.status).toBeGreaterThanOrEqual(400);
    } finally {
      await db().raw('DROP TRIGGER test_refuse_minutes ON meeting_minutes; DROP FUNCTION test_refuse_minutes()');
    }
    expect(Number((await generated())[0]!.n)).toBe(0);
    expect(await db()('meetings').where({ id: meetingId }).first('status')).toEqual({ status: 'open' });
    await post(`${meeting}/close`, { minutesNumber: '7' }, meeting).then((r) => expect(r.status).toBe(303));
    expect(Number((await generated())[0]!.n)).toBe(1);
    const stored = await db()('meeting_minutes').first('template_kind', 'template_version');
    expect(stored).toEqual({ template_kind: 'meeting-minutes', template_version: 1 });
    const pdf = await chair.agent.get(`${meeting}/minutes.pdf`).buffer(true).parse(binaryParser).expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = (await pdfText(pdf.body as Buffer)).replace(/\s+/g, ' ');
    expect(text).toContain('ПРОТОКОЛ № 7');
    expect(text).toContain('Председатель: Иванова А.');
    expect(text).toContain('Принять в члены Профсоюза Смирнову Е. А. с 01.12.2026');
    expect(text).toContain('Работу профсоюзного комитета признать удовлетворительной');
    expect(text).toContain('«за» — 12, «против» — 1, «воздержались» — 1');
    expect(text).toContain('«за» — 10, «против» — 1, «воздержались» — 1');
    // 14 registered of 21: the quorum of more than half is there
    expect(text).toContain('более половины участников (нужно 11): кворум есть');
    // a closed meeting takes no more scans
    const late = await scan(meeting, cardOf(15)).expect(200);
    expect(late.text).toContain('Регистрация идёт только на открытом собрании');
  });

  it('when an admission decided at the meeting is linked, then its event names the meeting and the minutes as its protocol', async () => {
    const [admitted] = await createMembers(db(), tree.primary, 1, { joined_on: TODAY, surname: 'Смирнова' });
    const event = await db()('membership_events').where({ member_id: admitted, kind: 'admitted' }).first('id');
    const page = await chair.agent.get(meeting).expect(200);
    expect(page.text).toContain(`name="events" value="${event.id}"`);
    await post(`${meeting}/membership-events`, { events: String(event.id) }, meeting).then((r) =>
      expect(r.status).toBe(303),
    );
    const linked = await db()('membership_events').where({ id: event.id }).first();
    expect(linked.meeting_id).toBe(Number(meeting.split('/').pop()));
    expect(linked.document_number).toBe('7');
  });

  it('when a meeting is asked for outside the subtree, then it is 404', async () => {
    await otherChair.agent.get(meeting).expect(404);
    await otherChair.agent.get(`${meeting}/minutes.pdf`).expect(404);
    await otherChair.agent.get(`${meeting}/quorum`).expect(404);
    await otherChair.agent.get(meetingsUrl()).expect(404);
    // the meeting's id under another organization's ИНПО is not found either
    await otherChair.agent.get(`/orgs/${other.inpo}/meetings/${meeting.split('/').pop()}`).expect(404);
    await otherChair.agent
      .post(`${meeting}/attendance`)
      .set('X-CSRF-Token', otherChair.csrf)
      .type('form')
      .send({ scan: cardOf(20) })
      .expect(404);
  });
});

describe('meetings: the admissions and exits a meeting may have decided', () => {
  it('when events lie in and out of the subtree, the date window and the meeting, then the candidates are exactly those of the coalesce rule', async () => {
    // a meeting of the territorial organization on 01.03.2020: its subtree holds the ППО and `other`
    const heldOn = '2020-03-01';
    const meetingId = await insertMeeting(db(), tree.territory, { held_on: heldOn, status: 'closed' });
    const elsewhere = await insertMeeting(db(), tree.territory, { held_on: heldOn, status: 'closed' });
    const outside = await createOrg(db(), tree.region, 'territorial');
    const [a, b, c] = await createMembers(db(), tree.primary, 3, { joined_on: '2019-01-01' });
    const event = (e: Record<string, unknown>) => ({ member_id: a, kind: 'admitted', happened_on: heldOn, ...e });
    const rows: Record<string, unknown>[] = [
      event({ to_organization_id: tree.primary.id }), // in
      event({ to_organization_id: other.id, happened_on: '2020-01-01' }), // in: 60 days before
      event({ to_organization_id: tree.primary.id, happened_on: '2019-12-31' }), // out: 61 days before
      event({ to_organization_id: tree.primary.id, happened_on: '2020-03-31' }), // in: 30 days after
      event({ to_organization_id: tree.primary.id, happened_on: '2020-04-01' }), // out: 31 days after
      event({ to_organization_id: outside.id }), // out of the subtree
      event({ member_id: b, kind: 'left', from_organization_id: tree.primary.id }), // in
      event({ member_id: b, kind: 'left', from_organization_id: outside.id }), // out of the subtree
      event({ member_id: b, kind: 'readmitted', to_organization_id: other.id }), // in
      // a transfer into the subtree: not a decision of admission
      event({ member_id: c, kind: 'transferred', from_organization_id: outside.id, to_organization_id: other.id }),
      // moved out of the subtree: the receiving organization decides, not the one left
      event({ member_id: c, kind: 'left', from_organization_id: tree.primary.id, to_organization_id: outside.id }),
      event({ member_id: c, to_organization_id: tree.primary.id, happened_on: '2015-01-01', meeting_id: meetingId }), // in: linked
      event({ member_id: c, to_organization_id: tree.primary.id, meeting_id: elsewhere }), // out: another meeting's
    ];
    const ids: number[] = [];
    for (const row of rows) ids.push(Number((await db()('membership_events').insert(row).returning('id'))[0].id));
    const found = await membershipDecisionsFor(db(), { id: meetingId, organizationPath: tree.territory.path, heldOn });
    const expected = [0, 1, 3, 6, 8, 11].map((i) => ids[i]);
    expect(
      found
        .map((d) => d.id)
        .filter((id) => ids.includes(id))
        .sort(),
    ).toEqual(expected.sort());
    // ordered by date, then id
    const dates = found.map((d) => `${d.happenedOn}/${String(d.id).padStart(12, '0')}`);
    expect(dates).toEqual([...dates].sort());
  });
});

describe('meetings: linking admissions before the minutes exist', () => {
  it('when an open meeting links an admission, then it is refused and the event waits for the minutes', async () => {
    const meeting = `${meetingsUrl()}/${await insertMeeting(db(), tree.primary, { status: 'open' })}`;
    const [admitted] = await createMembers(db(), tree.primary, 1, { joined_on: TODAY, surname: 'Кузнецова' });
    const event = await db()('membership_events').where({ member_id: admitted, kind: 'admitted' }).first('id');
    const page = await chair.agent.get(meeting).expect(200);
    expect(page.text).toContain('Кузнецова');
    expect(page.text).not.toContain(`name="events" value="${event.id}"`);
    // the form is not offered; a post made anyway
    const res = await chair.agent
      .post(`${meeting}/membership-events`)
      .set('X-CSRF-Token', chair.csrf)
      .type('form')
      .send({ events: String(event.id) });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Связать с протоколом можно после закрытия собрания');
    expect(await db()('membership_events').where({ id: event.id }).first('meeting_id', 'document_number')).toEqual({
      meeting_id: null,
      document_number: null,
    });
  });
});

describe('meetings: large meetings', () => {
  it('when a meeting has 106 participants, then its page lists them 100 a page and the manual registration offers those found by name', async () => {
    const id = await insertMeeting(db(), tree.primary, { status: 'open' });
    const many = await createMembers(db(), tree.primary, 105, { surname: 'Яковлева' });
    const [unique] = await createMembers(db(), tree.primary, 1, { surname: 'Щукина' });
    await db()('meeting_participants').insert(
      [...many, unique].map((member_id) => ({ meeting_id: id, member_id, invited: false })),
    );
    const meeting = `${meetingsUrl()}/${id}`;
    const listed = (html: string) =>
      (html.split('id="participants-title"')[1]!.match(/href="\/members\//g) ?? []).length;
    const first = await chair.agent.get(meeting).expect(200);
    expect(first.text).toContain('Участники (106)');
    expect(listed(first.text)).toBe(100);
    expect(first.text).toContain('href="?page=2#participants-title"');
    expect(listed((await chair.agent.get(`${meeting}?page=2`).expect(200)).text)).toBe(6);
    // 106 waiting: no list of them all, a search; the name's beginning finds the one
    const options = (html: string) =>
      (
        html
          .split('id="memberId"')[1]!
          .split('</select>')[0]!
          .match(/<option/g) ?? []
      ).length;
    const attendance = await chair.agent.get(`${meeting}/attendance`).expect(200);
    expect(options(attendance.text)).toBe(1);
    const found = await chair.agent.get(`${meeting}/attendance?q=${encodeURIComponent('щук')}`).expect(200);
    expect(options(found.text)).toBe(2);
    expect(found.text).toContain(`value="${unique}"`);
  });
});

describe('meetings: scheduling', () => {
  it('when the form lacks a place and a link, a percent or the agenda, then each is named in Russian by its field and nothing is saved', async () => {
    const before = await db()('meetings').count<{ n: string }[]>('* as n');
    const res = await post(
      meetingsUrl(),
      {
        body: 'general',
        heldOn: '31.02.2026',
        place: '',
        remoteUrl: 'ftp://x',
        participants: 'members',
        quorum: 'percent',
        quorumPercent: '',
        agenda: ' \n ',
      },
      `${meetingsUrl()}/new`,
    );
    expect(res.status).toBe(422);
    for (const message of [
      'Введите дату в формате ДД.ММ.ГГГГ',
      'Ссылка начинается с http:// или https://',
      'Укажите повестку дня: по одному вопросу в строке',
    ])
      expect(res.text).toContain(message);
    expect(await db()('meetings').count<{ n: string }[]>('* as n')).toEqual(before);
  });

  it('when a territorial organization schedules a meeting of all members, then it is refused by the field; of delegates it is scheduled', async () => {
    const territorial = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: tree.territory }]));
    const url = `/orgs/${tree.territory.inpo}/meetings`;
    const fields = {
      body: 'conference',
      heldOn: TODAY,
      startsAt: '',
      place: 'Дом профсоюзов',
      remoteUrl: '',
      participants: 'members',
      quorum: 'two_thirds',
      quorumPercent: '',
      agenda: 'Отчёт комитета',
    };
    const before = await db()('meetings')
      .where({ organization_id: tree.territory.id })
      .count<{ n: string }[]>('* as n');
    const refused = await submitForm(territorial.agent, `${url}/new`, url, fields);
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Собрание всех членов проводится в первичной организации, подразделении или группе');
    expect(refused.text).toMatch(/id="participants"[^>]*aria-invalid="true"/);
    expect(
      await db()('meetings').where({ organization_id: tree.territory.id }).count<{ n: string }[]>('* as n'),
    ).toEqual(before);
    const scheduled = await submitForm(territorial.agent, `${url}/new`, url, { ...fields, participants: 'invited' });
    expect(scheduled.status).toBe(303);
    // one scheduled before the rule (written straight into the database) does not open either
    const legacy = `${url}/${await insertMeeting(db(), tree.territory, { status: 'scheduled' })}`;
    const page = await territorial.agent.get(legacy).expect(200);
    const opened = await territorial.agent
      .post(`${legacy}/open`)
      .type('form')
      .send(hiddenFields(page.text, `${legacy}/open`));
    expect(opened.status).toBe(409);
    expect(opened.text).toContain('Собрание всех членов проводится в первичной организации');
    expect(await db()('meeting_participants').where({ meeting_id: Number(legacy.split('/').pop()) })).toHaveLength(0);
  });

  it('when the quorum rules are applied, then more than half, two-thirds, three quarters and a percent need the counts of the charter', () => {
    const rule = (quorum: keyof typeof QUORUM_RULES, percent?: number) => {
      const r = QUORUM_RULES[quorum];
      return { quorumNum: percent ?? r.num, quorumDen: r.den, quorumStrict: r.strict };
    };
    expect([21, 20, 1].map((n) => quorumNeeded(n, rule('half')))).toEqual([11, 11, 1]);
    expect([21, 3, 9].map((n) => quorumNeeded(n, rule('two_thirds')))).toEqual([14, 2, 6]);
    expect([21, 8].map((n) => quorumNeeded(n, rule('three_quarters')))).toEqual([16, 6]);
    expect([10, 21].map((n) => quorumNeeded(n, rule('percent', 60)))).toEqual([6, 13]);
  });
});

describe('meetings: remote registration by a personal link and a one-time code', () => {
  it('when the chair sends the links, then the code from the letter registers the participant once; a wrong code is counted', async () => {
    await db()('members')
      .whereIn('id', members.slice(18, 20))
      .update({ email: db().raw(`'p' || id || '@example.ru'`) });
    const meeting = await scheduleMeeting({
      body: 'committee',
      place: '',
      remoteUrl: 'https://meet.example.ru/profkom',
      participants: 'invited',
      quorum: 'two_thirds',
    });
    await post(`${meeting}/invite`, { numbers: `${cardOf(19)}\n${cardOf(20)}\n${cardOf(21)}` }, meeting).then((r) =>
      expect(r.status).toBe(303),
    );
    await post(`${meeting}/open`, {}, meeting).then((r) => expect(r.status).toBe(303));
    await post(`${meeting}/remote-links`, {}, `${meeting}/attendance`).then((r) => expect(r.status).toBe(303));

    const letter = await smtp.lastTo(`p${members[18]}@example.ru`);
    const link = new URL(/https?:\/\/\S+\/meeting-link\/[A-Za-z0-9_-]+/.exec(letter.text!)![0]).pathname;
    const code = /Код: (\d{6})/.exec(letter.text!)![1]!;
    const visitor = await anonymousAgent(ctx.app, '198.51.100.7');
    const page = await visitor.agent.get(link).expect(200);
    expect(page.text).toContain('Заседание профсоюзного комитета');
    const wrong = code === '000000' ? '111111' : '000000';
    const refused = await visitor.agent
      .post(link)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), code: wrong })
      .expect(422);
    expect(refused.text).toContain('Неверный код. Осталось попыток: 4');
    const done = await visitor.agent
      .post(link)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), code })
      .expect(200);
    expect(done.text).toContain('Вы зарегистрированы как участник собрания');
    expect(done.text).toContain('https://meet.example.ru/profkom');
    // the code works once: the link no longer opens
    await visitor.agent
      .post(link)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), code })
      .expect(404);
    const row = await db()('meeting_participants')
      .where({ member_id: members[18] })
      .whereNotNull('registered_at')
      .first();
    expect(row).toMatchObject({ method: 'remote', code_failures: 1, link_token_hash: null });
    // another participant's link: five wrong codes end it, the right one comes too late
    const second = await smtp.lastTo(`p${members[19]}@example.ru`);
    const secondLink = new URL(/https?:\/\/\S+\/meeting-link\/[A-Za-z0-9_-]+/.exec(second.text!)![0]).pathname;
    const secondCode = /Код: (\d{6})/.exec(second.text!)![1]!;
    const guess = secondCode === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++)
      await visitor.agent
        .post(secondLink)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), code: guess })
        .expect(422);
    const late = await visitor.agent
      .post(secondLink)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), code: secondCode })
      .expect(422);
    expect(late.text).toContain('Код введён неверно слишком много раз');
    // 1 of 3 invited registered; two-thirds needs 2
    const attendance = await chair.agent.get(`${meeting}/attendance`).expect(200);
    expect(attendance.text).toContain('Зарегистрировано <span id="registered-count">1</span> из 3');
    expect(attendance.text).toContain('нужно 2');
    // without the quorum no decision is taken
    const decided = await post(
      `${meeting}/decision`,
      { item: '1', decision: 'Принять', votesFor: '1', votesAgainst: '0', votesAbstained: '0' },
      meeting,
    );
    expect(decided.status).toBe(409);
    expect(decided.text).toContain('Кворума нет: зарегистрировано 1, нужно 2 — решения не принимаются');
    expect(
      await db()('meeting_agenda_items')
        .where({ meeting_id: Number(meeting.split('/').pop()) })
        .whereNotNull('decision'),
    ).toHaveLength(0);
  });
});

describe('monitoring: meetings held', () => {
  it('when meetings are closed this year, then the monitoring counts them per child as SQL does', async () => {
    // a meeting of last year and one not closed: neither is held in the monitoring date's year
    const lastYear = `${Number(TODAY.slice(0, 4)) - 1}-06-01`;
    await insertMeeting(db(), tree.primary, { held_on: lastYear, status: 'closed' });
    await insertMeeting(db(), other, { status: 'closed' });
    await insertMeeting(db(), other, { status: 'open', body: 'presidium' });
    const expected = async (org: OrgRow) =>
      Number(
        (
          await db().raw(
            `SELECT count(*) FROM meetings m JOIN organizations o ON o.id = m.organization_id
              WHERE m.status = 'closed' AND m.held_on BETWEEN date_trunc('year', ?::date) AND ?::date AND o.path <@ ?::ltree`,
            [TODAY, TODAY, org.path],
          )
        ).rows[0].count,
      );
    const page = await coordinator.agent.get(`/orgs/${tree.territory.inpo}/monitoring?on=${TODAY}`).expect(200);
    const cell = (inpo: string) =>
      page.text
        .split('<tr')
        .find((tr) => tr.includes(`data-inpo="${inpo}"`))!
        .split('<td')
        .find((td) => td.includes('data-column="meetings-held"'))!;
    const valueOf = (inpo: string) => Number(/data-value="(\d+)"/.exec(cell(inpo))![1]);
    expect(valueOf(tree.primary.inpo)).toBe(await expected(tree.primary));
    expect(valueOf(other.inpo)).toBe(await expected(other));
    expect(valueOf(tree.primary.inpo)).toBe(1);
    expect(valueOf(other.inpo)).toBe(1);
    // the number opens the list of exactly those meetings
    const href = /href="([^"]+)"/.exec(cell(tree.primary.inpo))![1]!.replace(/&amp;/g, '&');
    const list = await coordinator.agent.get(href).expect(200);
    expect(list.text).toContain('Закрытые собрания организаций структуры');
    expect(list.text).toContain(': <strong>1</strong>');
  });

  it('when the organization itself held meetings, then its own row shows them and the rows add up to the total', async () => {
    await insertMeeting(db(), tree.territory, { status: 'closed', body: 'plenum' });
    const page = await coordinator.agent.get(`/orgs/${tree.territory.inpo}/monitoring?on=${TODAY}`).expect(200);
    const rows = page.text.split('<tr').slice(1);
    const held = (tr: string) => {
      const td = tr.split('<td').find((t) => t.includes('data-column="meetings-held"'));
      return td ? Number(/data-value="(\d+)"/.exec(td)?.[1] ?? 0) : 0;
    };
    const own = rows.find((tr) => tr.includes('Учёт в самой организации'))!;
    const total = rows.find((tr) => tr.includes('Итого'))!;
    const children = rows.filter((tr) => /data-inpo="/.test(tr) && tr !== total);
    expect(held(own)).toBe(1);
    const expected = await db().raw(
      `SELECT count(*)::int AS n FROM meetings m JOIN organizations o ON o.id = m.organization_id
        WHERE m.status = 'closed' AND m.held_on BETWEEN date_trunc('year', ?::date) AND ?::date AND o.path <@ ?::ltree`,
      [TODAY, TODAY, tree.territory.path],
    );
    expect(held(total)).toBe(expected.rows[0].n);
    expect(children.reduce((s, tr) => s + held(tr), held(own))).toBe(held(total));
  });
});
