// Editing, rescheduling and cancelling a meeting (issue 21, item 3 follow-up): an item with a decision and the
// quorum rule of an open meeting are refused with their reasons; a reschedule tells the participants through the
// mail queue (a real SMTP server) and keeps a personal link only while its code covers the new start; a cancelled
// meeting refuses a scan with its reason, is listed apart and is not counted as held by the monitoring.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ParsedMail } from 'mailparser';
import { todayIso } from '../../src/shared/dates';
import { formatDate } from '../../src/shared/format';
import { useTestApp } from '../support/app';
import { anonymousAgent, loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createRegionTree, createUser } from '../support/factories';
import { submitForm } from '../support/forms';
import { insertMeeting } from '../support/meetings';
import { useSmtpCapture } from '../support/smtp';

const overrides: Record<string, string> = {};
const smtp = useSmtpCapture(overrides);
const ctx = useTestApp(overrides);
const db = () => ctx.database.ownerDb;
const TODAY = todayIso();
/** Three days on: past any personal code's 24 hours from now. */
const LATER = new Date(Date.parse(`${TODAY}T00:00:00Z`) + 3 * 86_400_000).toISOString().slice(0, 10);

let tree: Awaited<ReturnType<typeof createRegionTree>>;
let chair: { agent: Agent; csrf: string };
let coordinator: { agent: Agent; csrf: string };
/** Four members of the ППО, each with an issued card `E{n}-…`; the first two have an e-mail `e{id}@example.ru`. */
let members: number[];
let cardOf: (n: number) => string;
const emailOf = (n: number) => `e${members[n - 1]}@example.ru`;

beforeAll(async () => {
  tree = await createRegionTree(db(), 61);
  cardOf = (n) => `E${n}-${tree.primary.id}`;
  members = await createMembers(db(), tree.primary, 4);
  await db()('union_cards').insert(
    members.map((memberId, i) => ({
      number: cardOf(i + 1),
      member_id: memberId,
      status: 'issued',
      status_on: '2024-01-10',
    })),
  );
  await db()('members')
    .whereIn('id', members.slice(0, 2))
    .update({ email: db().raw(`'e' || id || '@example.ru'`) });
  chair = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: tree.primary }]));
  coordinator = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: tree.region }]));
});

const meetingsUrl = () => `/orgs/${tree.primary.inpo}/meetings`;
const FORM = {
  body: 'general',
  heldOn: TODAY,
  startsAt: '15:00',
  place: 'Актовый зал',
  remoteUrl: '',
  participants: 'members',
  quorum: 'half',
  quorumPercent: '',
  agenda: 'О приёме в члены Профсоюза\nОб отчёте профкома',
};

async function scheduleMeeting(fields: Partial<typeof FORM> = {}): Promise<string> {
  const res = await submitForm(chair.agent, `${meetingsUrl()}/new`, meetingsUrl(), { ...FORM, ...fields });
  expect(res.status).toBe(303);
  return res.headers.location as string;
}

/** The form of `page` (the path itself by default) posted to `path`, as the chair fills it in. */
const post = (path: string, body: Record<string, string>, page = path) => submitForm(chair.agent, page, path, body);
const edit = (meeting: string, fields: Partial<typeof FORM>) =>
  post(`${meeting}/edit`, { ...FORM, ...fields }, `${meeting}/edit`);

/** The letter to `address` whose subject names `subject` (the queue's worker delivers it after the response). */
async function letterTo(address: string, subject: string): Promise<ParsedMail> {
  await smtp.lastTo(address);
  for (let i = 0; i < 250; i++) {
    const found = smtp.messages.find((m) => m.subject?.includes(subject) && toOf(m) === address);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no letter «${subject}» to ${address}`);
}
const toOf = (m: ParsedMail) => (Array.isArray(m.to) ? m.to[0] : m.to)?.value[0]?.address;

const agendaOf = async (meeting: string) =>
  db()('meeting_agenda_items')
    .where({ meeting_id: Number(meeting.split('/').pop()) })
    .orderBy('position')
    .select('position', 'title', 'decision');

describe('meetings: editing', () => {
  let meeting: string;

  beforeAll(async () => {
    meeting = await scheduleMeeting();
    await post(`${meeting}/open`, {}, meeting).then((r) => expect(r.status).toBe(303));
    // everyone present (registered by hand here): a decision needs the quorum
    await db()('meeting_participants')
      .where({ meeting_id: Number(meeting.split('/').pop()) })
      .update({ registered_at: new Date(), method: 'manual', reason: 'без билета' });
    await post(
      `${meeting}/decision`,
      { item: '1', decision: 'Принять Смирнову Е. А.', votesFor: '3', votesAgainst: '0', votesAbstained: '0' },
      meeting,
    ).then((r) => expect(r.status).toBe(303));
  });

  it('when the edit changes an item that carries a decision or the quorum of an open meeting, then each is refused with its reason and nothing changes', async () => {
    const form = await chair.agent.get(`${meeting}/edit`).expect(200);
    expect(form.text).toContain('О приёме в члены Профсоюза\nОб отчёте профкома</textarea>');
    const renamed = await edit(meeting, { agenda: 'О приёме\nОб отчёте профкома', quorum: 'two_thirds' });
    expect(renamed.status).toBe(422);
    expect(renamed.text).toContain(
      'По вопросу 1 «О приёме в члены Профсоюза» уже принято решение: такой вопрос нельзя изменить, перенести на другое место или удалить',
    );
    expect(renamed.text).toContain('Правило кворума не изменяется: регистрация участников уже началась');
    // moved to the second place is refused too; a meeting with a decision is not rescheduled
    const moved = await edit(meeting, { agenda: 'Об отчёте профкома\nО приёме в члены Профсоюза', heldOn: LATER });
    expect(moved.status).toBe(422);
    expect(moved.text).toContain('По вопросу 1');
    expect(moved.text).toContain('идущее собрание не переносится');
    expect(await agendaOf(meeting)).toEqual([
      { position: 1, title: 'О приёме в члены Профсоюза', decision: 'Принять Смирнову Е. А.' },
      { position: 2, title: 'Об отчёте профкома', decision: null },
    ]);
    expect(
      await db()('meetings')
        .where({ id: Number(meeting.split('/').pop()) })
        .first('quorum_num', 'quorum_den'),
    ).toEqual({
      quorum_num: 1,
      quorum_den: 2,
    });
  });

  it('when the undecided items and the place are edited, then the decided item stays with its decision and the change is audited', async () => {
    const res = await edit(meeting, {
      place: 'Малый зал',
      agenda: 'О приёме в члены Профсоюза\nОб отчёте профкома за 2026 год\nРазное',
    });
    expect(res.status).toBe(303);
    expect(await agendaOf(meeting)).toEqual([
      { position: 1, title: 'О приёме в члены Профсоюза', decision: 'Принять Смирнову Е. А.' },
      { position: 2, title: 'Об отчёте профкома за 2026 год', decision: null },
      { position: 3, title: 'Разное', decision: null },
    ]);
    const audit = await db()('audit_log')
      .where({ action: 'meeting.updated', entity_id: meeting.split('/').pop() })
      .first('old_values', 'new_values');
    expect(audit.old_values).toMatchObject({ place: 'Актовый зал' });
    expect(audit.new_values).toMatchObject({ place: 'Малый зал', agenda: expect.arrayContaining(['Разное']) });
  });
});

/** The committee's remote meeting of invited members, as its edit form sends it back. */
const FORM_OF_COMMITTEE = { body: 'committee', remoteUrl: 'https://meet.example.ru/profkom', participants: 'invited' };

describe('meetings: rescheduling', () => {
  it('when a meeting whose personal links went out is moved, then the participants with an e-mail are told, and a link lives on only while its code covers the new start', async () => {
    const meeting = await scheduleMeeting({
      body: 'committee',
      remoteUrl: 'https://meet.example.ru/profkom',
      participants: 'invited',
    });
    await post(`${meeting}/invite`, { numbers: `${cardOf(1)}\n${cardOf(2)}\n${cardOf(3)}` }, meeting).then((r) =>
      expect(r.status).toBe(303),
    );
    await post(`${meeting}/open`, {}, meeting).then((r) => expect(r.status).toBe(303));
    await post(`${meeting}/remote-links`, {}, `${meeting}/attendance`).then((r) => expect(r.status).toBe(303));
    const linkOf = (m: ParsedMail) =>
      new URL(/https?:\/\/\S+\/meeting-link\/[A-Za-z0-9_-]+/.exec(m.text!)![0]).pathname;
    const link = linkOf(await letterTo(emailOf(1), 'Регистрация на собрании'));
    const visitor = await anonymousAgent(ctx.app, '198.51.100.9');

    // earlier the same day: the codes sent just now (24 hours) still work at 09:00 today
    const earlier = await edit(meeting, { ...FORM_OF_COMMITTEE, startsAt: '09:00' });
    expect(earlier.status).toBe(303);
    const first = await letterTo(emailOf(1), `Собрание перенесено на ${formatDate(TODAY)}`);
    expect(first.text).toContain(`было назначено на ${formatDate(TODAY)}, 15:00, теперь — ${formatDate(TODAY)}, 09:00`);
    expect(first.text).toContain('Персональная ссылка и код из прежнего письма действуют до');
    await visitor.agent.get(link).expect(200);

    // three days on: past the codes' 24 hours, the links end and the letters say a new one comes
    const later = await edit(meeting, { ...FORM_OF_COMMITTEE, heldOn: LATER, startsAt: '10:00' });
    expect(later.status).toBe(303);
    for (const n of [1, 2]) {
      const letter = await letterTo(emailOf(n), `Собрание перенесено на ${formatDate(LATER)}`);
      expect(letter.text).toContain(`теперь — ${formatDate(LATER)}, 10:00`);
      expect(letter.text).toContain('Дистанционное участие: https://meet.example.ru/profkom');
      expect(letter.text).toContain('больше не действуют: председатель пришлёт новые');
    }
    await visitor.agent.get(link).expect(404);
    const page = await chair.agent.get(meeting).expect(200);
    expect(page.text).toContain('Собрание перенесено; уведомления отправлены участникам: 2');
    const audit = await db()('audit_log')
      .where({ action: 'meeting.rescheduled', entity_id: meeting.split('/').pop() })
      .orderBy('id')
      .select('old_values', 'new_values');
    expect(audit.map((a) => [a.old_values.heldOn, a.new_values.heldOn])).toEqual([
      [TODAY, TODAY],
      [TODAY, LATER],
    ]);
  });
});

describe('meetings: cancelling', () => {
  let meeting: string;

  beforeAll(async () => {
    meeting = await scheduleMeeting({ body: 'presidium' });
    await post(`${meeting}/open`, {}, meeting).then((r) => expect(r.status).toBe(303));
  });

  it('when a meeting is cancelled, then the reason is required, a scan is refused with it and the participants are told', async () => {
    const empty = await post(`${meeting}/cancel`, { reason: ' ' }, meeting);
    expect(empty.status).toBe(422);
    expect(empty.text).toContain('Укажите причину отмены собрания');
    await post(`${meeting}/cancel`, { reason: 'Председатель на больничном' }, meeting).then((r) =>
      expect(r.status).toBe(303),
    );
    const scan = await chair.agent
      .post(`${meeting}/attendance`)
      .set('HX-Request', 'true')
      .set('X-CSRF-Token', chair.csrf)
      .type('form')
      .send({ scan: cardOf(1) })
      .expect(200);
    expect(scan.text).toContain('data-outcome="refused"');
    expect(scan.text).toContain('Собрание отменено: Председатель на больничном. Регистрация не ведётся');
    expect(
      await db()('meeting_participants')
        .whereNotNull('registered_at')
        .where({ meeting_id: Number(meeting.split('/').pop()) }),
    ).toEqual([]);
    const letter = await letterTo(emailOf(2), `Собрание ${formatDate(TODAY)} отменено`);
    expect(letter.text).toContain('Причина: Председатель на больничном.');
    // a cancelled meeting is neither edited nor cancelled again
    const again = (action: string, body: Record<string, string>) =>
      chair.agent.post(`${meeting}/${action}`).set('X-CSRF-Token', chair.csrf).type('form').send(body);
    expect((await again('edit', { ...FORM, body: 'presidium' })).status).toBe(409);
    expect((await again('cancel', { reason: 'Повторно' })).status).toBe(409);
    const audit = await db()('audit_log').where({ action: 'meeting.cancelled' }).first('new_values');
    expect(audit.new_values).toEqual({ reason: 'Председатель на больничном' });
  });

  it('when the meetings are listed and monitored, then the cancelled one is apart and not counted as held', async () => {
    await insertMeeting(db(), tree.primary, { status: 'closed' });
    const list = await chair.agent.get(meetingsUrl()).expect(200);
    const [current, cancelled] = list.text.split('id="cancelled-title"');
    expect(cancelled).toContain('Отменено: Председатель на больничном');
    expect(current).not.toContain('Председатель на больничном');
    const held = Number(
      (
        await db().raw(
          `SELECT count(*) FROM meetings m JOIN organizations o ON o.id = m.organization_id
            WHERE m.status = 'closed' AND m.held_on BETWEEN date_trunc('year', ?::date) AND ?::date AND o.path <@ ?::ltree`,
          [TODAY, TODAY, tree.primary.path],
        )
      ).rows[0].count,
    );
    expect(held).toBe(1);
    const page = await coordinator.agent.get(`/orgs/${tree.territory.inpo}/monitoring?on=${TODAY}`).expect(200);
    const cell = page.text
      .split('<tr')
      .find((tr) => tr.includes(`data-inpo="${tree.primary.inpo}"`))!
      .split('<td')
      .find((td) => td.includes('data-column="meetings-held"'))!;
    expect(Number(/data-value="(\d+)"/.exec(cell)![1])).toBe(held);
  });
});

describe('the edit form of a meeting with many invitations', () => {
  it('when more people are invited than the meeting page lists at once, then the edit form offers every one not registered yet to withdraw', async () => {
    const meeting = await insertMeeting(db(), tree.primary, { status: 'scheduled' });
    await db()('meetings').where({ id: meeting }).update({ participants: 'invited' });
    // named so that the last of them sorts after the meeting page's first 100
    const invited = await createMembers(db(), tree.primary, 105);
    await db()('members')
      .whereIn('id', invited)
      .update({ surname: db().raw(`'Яковлев' || lpad(id::text, 8, '0')`) });
    await db()('meeting_participants').insert(
      invited.map((memberId) => ({ meeting_id: meeting, member_id: memberId, invited: true })),
    );
    const last = Math.max(...invited);
    const page = await chair.agent.get(`${meetingsUrl()}/${meeting}/edit`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`Яковлев${String(last).padStart(8, '0')}`);
  });
});
