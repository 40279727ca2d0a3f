import { beforeAll, describe, expect, it } from 'vitest';
import { sendReminders } from '../../src/ops/reminders';
import { sendFilingReminders } from '../../src/reports/filing-reminders';
import { listActiveForms } from '../../src/reports/forms/forms.repo';
import { dueDate } from '../../src/reports/periods';
import { todayIso } from '../../src/shared/dates';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createRegionTree, createUser, uniq } from '../support/factories';
import { useSmtpCapture } from '../support/smtp';

// The registry's own events told to users: in the list on the home page and, by each user's choice, by
// e-mail through the mail queue and a real SMTP server.
const env: Record<string, string> = {};
const smtp = useSmtpCapture(env);
const ctx = useTestApp(env);
const db = () => ctx.database.ownerDb;
const DATE = '2026-04-01';
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let chair: { agent: Agent; csrf: string };
let coordinator: { agent: Agent; csrf: string };
const emails = { chair: `${uniq('chair')}@example.ru`, coordinator: `${uniq('coord')}@example.ru` };
const report = () => `/reports/5-SP/${tree.primary.inpo}/${DATE}`;
const lettersTo = (address: string) =>
  smtp.messages.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((t) => t?.text.includes(address)));

beforeAll(async () => {
  tree = await createRegionTree(db(), 29);
  await createMembers(db(), tree.primary, 3);
  await db()('org_headcounts').insert({
    organization_id: tree.primary.id,
    as_of: '2026-01-01',
    employees_total: 40,
    employees_pedagogical: 20,
    students_total: 0,
  });
  const chairUser = await createUser(db(), [{ role: 'chair', org: tree.primary }]);
  const coordinatorUser = await createUser(db(), [{ role: 'coordinator', org: tree.territory }]);
  await db()('users').where({ id: chairUser.id }).update({ email: emails.chair });
  await db()('users').where({ id: coordinatorUser.id }).update({ email: emails.coordinator });
  chair = await loggedInAgent(ctx.app, chairUser);
  coordinator = await loggedInAgent(ctx.app, coordinatorUser);
});

const post = (who: { agent: Agent; csrf: string }, path: string, body: Record<string, string> = {}) =>
  who.agent
    .post(path)
    .type('form')
    .send({ _csrf: who.csrf, ...body });

describe('notifications of the filing workflow', () => {
  it('when the chair files and the territory returns the report with a comment, then the territory sees the filing in its list and the chair gets a letter and an unread notification with the comment', async () => {
    await post(chair, `${report()}/file`).expect(303);
    // «filed by a child»: in the list only (its default), no letter
    const home = await coordinator.agent.get('/').expect(200);
    expect(home.text).toContain(`Сдан отчёт: 5-СП на 01.04.2026, ${tree.primary.name}`);
    expect(home.text).toMatch(/1 новое/);

    await post(coordinator, `${report()}/return`, { comment: 'Уточните строку 04' }).expect(303);
    const letter = await smtp.lastTo(emails.chair);
    expect(letter.subject).toContain('Отчёт возвращён на доработку: 5-СП на 01.04.2026');
    expect(letter.text).toContain('Комментарий: Уточните строку 04');
    expect(letter.text).toContain(`${report()}`);
    expect(lettersTo(emails.coordinator)).toHaveLength(0);

    const list = await chair.agent.get('/notifications').expect(200);
    expect(list.text).toContain('Комментарий: Уточните строку 04');
    expect(list.text).toMatch(/id="unread-count">1</);
    await post(chair, '/notifications/read').expect(303);
    expect((await chair.agent.get('/notifications').expect(200)).text).toMatch(/id="unread-count">0</);
  });

  it('when the chair chooses no letters for returns, then the next return reaches the list only; a wrong choice is refused with a message', async () => {
    const refused = await post(chair, '/account/notifications', { report_returned: 'pigeon' }).expect(422);
    expect(refused.text).toContain('Выберите, как сообщать');
    const choice = {
      report_returned: 'app',
      report_accepted: 'app',
      report_filed: 'app',
      filing_due: 'email',
      filing_overdue: 'email',
      transfer_received: 'email',
      transfer_decided: 'app',
      export_finished: 'none',
      chair_term_ending: 'email',
      member_request_received: 'email',
      member_request_decided: 'app',
      application_waiting: 'email',
      survey_published: 'app',
      campaign_declared: 'email',
      campaign_due: 'email',
      campaign_overdue: 'email',
    };
    await post(chair, '/account/notifications', choice).expect(303);
    expect((await chair.agent.get('/account/notifications').expect(200)).text).toMatch(
      /name="report_returned"[^]*?<option value="app" selected>/,
    );

    await post(chair, `${report()}/file`).expect(303);
    await post(coordinator, `${report()}/return`, { comment: 'Ещё раз строку 05' }).expect(303);
    const rows = await db()('notifications as n')
      .join('users as u', 'u.id', 'n.user_id')
      .where({ 'u.email': emails.chair, 'n.kind': 'report_returned' })
      .orderBy('n.id')
      .pluck('n.body');
    expect(rows).toEqual(['Комментарий: Уточните строку 04', 'Комментарий: Ещё раз строку 05']);
    // the one letter of the first return, and no second
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(lettersTo(emails.chair)).toHaveLength(1);
  });

  it('when a chair’s term ends in 60 days, then the hourly reminder tells the organization’s chair and the parent’s coordinator once, however often it runs', async () => {
    const termUntil = new Date(Date.now() + 58 * 86_400_000).toISOString().slice(0, 10);
    await db()('org_officers').insert({
      organization_id: tree.primary.id,
      post: 'chair',
      surname: 'Петрова',
      name: 'Мария',
      // the end is computed: five years (the default rule) from the election
      elected_on: `${Number(termUntil.slice(0, 4)) - 5}${termUntil.slice(4)}`,
    });
    for (let run = 0; run < 2; run++) await sendReminders(ctx.deps.db, ctx.deps.notifications, todayIso());
    const told = await db()('notifications as n')
      .join('users as u', 'u.id', 'n.user_id')
      .where({ 'n.kind': 'chair_term_ending' })
      .orderBy('u.email')
      .select('u.email', 'n.link');
    expect(told).toEqual(
      [emails.chair, emails.coordinator].sort().map((email) => ({ email, link: `/orgs/${tree.primary.inpo}` })),
    );
    const letter = await smtp.lastTo(emails.coordinator);
    expect(letter.subject).toContain(
      `Срок полномочий председателя истекает ${termUntil.split('-').reverse().join('.')}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 1200));
    for (const address of [emails.chair, emails.coordinator])
      expect(lettersTo(address).filter((m) => m.subject?.includes('Срок полномочий'))).toHaveLength(1);
  });

  it('when a report is not filed in the days before its deadline and after it, then its filers are reminded once of each', async () => {
    // 5-СП on 01.04.2026 is due four days later (its definition's dueDays); the chair's report was returned above
    const form = (await listActiveForms(ctx.deps.db)).find((f) => f.code === '5-SP')!;
    expect(dueDate(form.definition, DATE)).toBe('2026-04-05');
    for (const today of ['2026-03-31', '2026-04-03', '2026-04-04', '2026-04-06', '2026-04-07', '2026-04-09'])
      await sendFilingReminders(ctx.deps.db, ctx.deps.notifications, today);
    // the hourly job within a day already announced: no organization is read and told again
    expect(await sendFilingReminders(ctx.deps.db, ctx.deps.notifications, '2026-04-07')).toBe(0);
    const told = await db()('notifications as n')
      .join('users as u', 'u.id', 'n.user_id')
      .where({ 'u.email': emails.chair, 'n.link': report() })
      .whereIn('n.kind', ['filing_due', 'filing_overdue'])
      .orderBy('n.id')
      .select('n.kind', 'n.title');
    expect(told).toEqual([
      { kind: 'filing_due', title: `Срок сдачи отчёта 5-СП на 01.04.2026 — 05.04.2026: ${tree.primary.name}` },
      { kind: 'filing_overdue', title: `Отчёт 5-СП на 01.04.2026 не сдан в срок (05.04.2026): ${tree.primary.name}` },
    ]);
  });
});
