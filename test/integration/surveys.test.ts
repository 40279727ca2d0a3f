// Surveys of organizations (issue #20 item 1): a coordinator builds and publishes a questionnaire to the ППО of
// their region; chairs answer from their home page (a draft, then one submit: a second one or one after closing
// is refused, and the database refuses it too); the results roll up — a territory whose ППО answered two of
// three shows 67 %, the region the distribution of all its answers; a published survey only gains options;
// another region's coordinator finds nothing (404); the XLSX download reads back with ИНПО and path.
import { beforeAll, describe, expect, it } from 'vitest';
import type { OrgRow } from '../../src/registry/org-row';
import { todayIso } from '../../src/shared/dates';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser } from '../support/factories';
import { binaryParser, readSheet } from '../support/xlsx';
import { pruneClosedPollDrafts } from '../../src/surveys/surveys.service';

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;
type Session = { agent: Agent; csrf: string };

const DEFINITION = {
  sections: [
    {
      title: 'Договор',
      questions: [
        {
          id: 'agreement',
          kind: 'single',
          text: 'Есть ли коллективный договор?',
          required: true,
          options: ['Да', 'Нет'],
        },
        {
          id: 'why',
          kind: 'text',
          text: 'Почему нет?',
          required: true,
          showIf: { question: 'agreement', answer: 'Нет' },
        },
        { id: 'meetings', kind: 'number', text: 'Собраний за год', required: false, min: 0, max: 50, integer: true },
        { id: 'staff', kind: 'table', text: 'Численность', rows: ['Педагоги', 'Прочие'], columns: ['Всего', 'Члены'] },
      ],
    },
  ],
};
const ddmmyyyy = (iso: string) => iso.split('-').reverse().join('.');
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

let tree: Awaited<ReturnType<typeof createRegionTree>>;
let ppo: OrgRow[];
let otherTerritoryPpo: OrgRow;
let foreign: Awaited<ReturnType<typeof createRegionTree>>;
let coordinator: Session;
let foreignCoordinator: Session;
const chairs: Session[] = [];
const chairUserIds: number[] = [];
let surveyId: number;

const surveyForm = (s: Session, extra: Record<string, unknown> = {}) => ({
  _csrf: s.csrf,
  title: 'Мониторинг коллективных договоров',
  description: 'Ответьте до конца месяца',
  levels: 'primary',
  opensOn: ddmmyyyy(todayIso()),
  closesOn: ddmmyyyy(inDays(10)),
  definition: JSON.stringify(DEFINITION),
  ...extra,
});

async function submit(chair: Session, org: OrgRow, answers: Record<string, string>, step = 'submit') {
  return chair.agent
    .post(`/orgs/${org.inpo}/surveys/${surveyId}/answer`)
    .type('form')
    .send({ _csrf: chair.csrf, step, ...answers });
}

beforeAll(async () => {
  tree = await createRegionTree(db(), 31);
  ppo = [
    tree.primary,
    await createOrg(db(), tree.territory, 'primary'),
    await createOrg(db(), tree.territory, 'primary'),
  ];
  otherTerritoryPpo = await createOrg(db(), await createOrg(db(), tree.region, 'territorial'), 'primary');
  foreign = await createRegionTree(db(), 32);
  coordinator = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: tree.region }]));
  foreignCoordinator = await loggedInAgent(
    ctx.app,
    await createUser(db(), [{ role: 'coordinator', org: foreign.region }]),
  );
  for (const org of [...ppo, otherTerritoryPpo]) {
    const user = await createUser(db(), [{ role: 'chair', org }]);
    chairUserIds.push(user.id);
    chairs.push(await loggedInAgent(ctx.app, user));
  }
  // the last chair wants the kind by e-mail too: told through the notifications service
  await db()('users').where({ id: chairUserIds[3] }).update({ email: 'chair-survey@example.ru' });
  await db()('notification_preferences').insert({
    user_id: chairUserIds[3],
    kind: 'survey_published',
    channel: 'email',
  });
});

describe('building and publishing a survey', () => {
  it('when the questionnaire is not valid, then the form says where, in Russian', async () => {
    const broken = {
      sections: [{ title: 'Р', questions: [{ id: 'a', kind: 'single', text: 'Вопрос', options: ['Да'] }] }],
    };
    const res = await coordinator.agent
      .post(`/orgs/${tree.region.inpo}/surveys`)
      .type('form')
      .send(surveyForm(coordinator, { definition: JSON.stringify(broken) }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('Нужно хотя бы 2: варианты ответа');
    expect(res.text).toContain('раздел 1, вопрос 1');
  });

  it('when a coordinator publishes, then every ППО of the region is a target and its chair has the task', async () => {
    const created = await coordinator.agent
      .post(`/orgs/${tree.region.inpo}/surveys`)
      .type('form')
      .send(surveyForm(coordinator));
    expect(created.status).toBe(303);
    surveyId = Number(/surveys\/(\d+)$/.exec(created.headers.location!)![1]);
    const published = await coordinator.agent
      .post(`/orgs/${tree.region.inpo}/surveys/${surveyId}/publish`)
      .type('form')
      .send({ _csrf: coordinator.csrf });
    expect(published.status).toBe(303);
    const targets = await db()('survey_targets').where({ survey_id: surveyId }).pluck('organization_id');
    expect(targets.sort()).toEqual([...ppo, otherTerritoryPpo].map((o) => o.id).sort());
    const tasks = await db()('notifications').where({ kind: 'survey_published' }).count<{ count: string }[]>();
    expect(Number(tasks[0]!.count)).toBe(4);
    const byEmail = await db()('notifications').where({ kind: 'survey_published', user_id: chairUserIds[3] }).first();
    expect(byEmail.link).toBe(`/orgs/${otherTerritoryPpo.inpo}/surveys/${surveyId}/answer`);
    expect(await db()('mail_outbox').where({ to_address: 'chair-survey@example.ru' }).first()).toBeDefined();
    const home = await chairs[0]!.agent.get('/').expect(200);
    expect(home.text).toContain(`href="/orgs/${ppo[0]!.inpo}/surveys"`);
    expect(home.text).toMatch(/Опросы: <strong>1<\/strong> ждёт ответа/);
  });
});

describe('answering', () => {
  it('when a required question is left out, then the submit is refused next to it; a draft is kept', async () => {
    const refused = await submit(chairs[1]!, ppo[1]!, { q_agreement: 'Нет' });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Ответьте на этот вопрос');
    const draft = await submit(chairs[1]!, ppo[1]!, { q_agreement: 'Нет' }, 'draft');
    expect(draft.status).toBe(303);
    expect(
      await db()('survey_responses').where({ survey_id: surveyId, organization_id: ppo[1]!.id }).first(),
    ).toMatchObject({ status: 'draft', answers: { agreement: 'Нет' } });
  });

  it('when submitted, then a hidden question’s answer is dropped and a second submit is refused', async () => {
    const first = await submit(chairs[0]!, ppo[0]!, {
      q_agreement: 'Да',
      q_why: 'не показан',
      q_meetings: '4',
      q_staff_0_0: '20',
      q_staff_0_1: '15',
    });
    expect(first.status).toBe(303);
    const row = await db()('survey_responses').where({ survey_id: surveyId, organization_id: ppo[0]!.id }).first();
    expect(row.status).toBe('submitted');
    expect(row.answers).toEqual({
      agreement: 'Да',
      meetings: 4,
      staff: [
        [20, 15],
        [null, null],
      ],
    });
    const again = await submit(chairs[0]!, ppo[0]!, { q_agreement: 'Нет', q_why: 'передумали' });
    expect(again.status).toBe(422);
    expect(again.text).toContain('Ответы на этот опрос уже отправлены');
    expect(
      (await db()('survey_responses').where({ survey_id: surveyId, organization_id: ppo[0]!.id }).first()).answers
        .agreement,
    ).toBe('Да');
  });

  it('when the app is bypassed, then the database still keeps one frozen answer per organization', async () => {
    await expect(
      db()('survey_responses').insert({ survey_id: surveyId, organization_id: ppo[0]!.id, status: 'draft' }),
    ).rejects.toThrow(/survey_responses_once/);
    await expect(
      db()('survey_responses').where({ survey_id: surveyId, organization_id: ppo[0]!.id }).update({ answers: '{}' }),
    ).rejects.toThrow(/cannot change/);
  });

  it('when the others answer, then the territory shows 67 % and the region the distribution of all answers', async () => {
    expect((await submit(chairs[1]!, ppo[1]!, { q_agreement: 'Нет', q_why: '=HYPERLINK("x")' })).status).toBe(303);
    expect(
      (await submit(chairs[3]!, otherTerritoryPpo, { q_agreement: 'Да', q_meetings: '2', q_staff_0_0: '5' })).status,
    ).toBe(303);
    const page = await coordinator.agent.get(`/orgs/${tree.region.inpo}/surveys/${surveyId}`).expect(200);
    const byChild = /id="rate-by-child">([\s\S]*?)<\/table>/.exec(page.text)![1]!;
    const territoryRow = byChild.split('<tr>').find((r) => r.includes(`/orgs/${tree.territory.inpo}/`))!;
    expect(territoryRow.replace(/\s+/g, ' ')).toMatch(/>3<\/td>.*>2<\/td>.*>67(&nbsp;|\s)%/);
    expect(page.text).toMatch(/Ответили <strong>3<\/strong> из 4 организаций: <strong>75(&nbsp;|\s)%/);
    const agreement = /id="results-agreement"[\s\S]*?<\/section>/.exec(page.text)![0];
    expect(agreement).toMatch(/<td>Да<\/td><td class="text-end">2<\/td>/);
    expect(agreement).toMatch(/<td>Нет<\/td><td class="text-end">1<\/td>/);
    expect(agreement).toContain('<svg');
    expect(page.text).toMatch(/Сумма: 6;/);
    const territory = await coordinator.agent.get(`/orgs/${tree.territory.inpo}/surveys/${surveyId}`).expect(200);
    expect(territory.text).toMatch(/Ответили <strong>2<\/strong> из 3 организаций: <strong>67(&nbsp;|\s)%/);
  });

  it('when the survey has closed, then a submit is refused', async () => {
    await db()('surveys')
      .where({ id: surveyId })
      .update({ closes_on: inDays(-1), opens_on: inDays(-5) });
    const late = await submit(chairs[2]!, ppo[2]!, { q_agreement: 'Да' });
    expect(late.status).toBe(422);
    expect(late.text).toContain('ответы больше не принимаются');
    expect(
      await db()('survey_responses').where({ survey_id: surveyId, organization_id: ppo[2]!.id }).first(),
    ).toBeUndefined();
    await db()('surveys')
      .where({ id: surveyId })
      .update({ closes_on: inDays(10), opens_on: todayIso() });
  });
});

describe('changing and copying', () => {
  it('when a published survey is changed, then only appended options are taken', async () => {
    const url = `/orgs/${tree.region.inpo}/surveys/${surveyId}`;
    const changed = structuredClone(DEFINITION);
    changed.sections[0]!.questions[2]!.text = 'Другой вопрос';
    const refused = await coordinator.agent
      .post(url)
      .type('form')
      .send(surveyForm(coordinator, { definition: JSON.stringify(changed) }));
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('можно только добавить варианты ответа');
    const more = structuredClone(DEFINITION);
    more.sections[0]!.questions[0]!.options = ['Да', 'Нет', 'Готовится'];
    const taken = await coordinator.agent
      .post(url)
      .type('form')
      .send(surveyForm(coordinator, { definition: JSON.stringify(more) }));
    expect(taken.status).toBe(303);
    const stored = await db()('surveys').where({ id: surveyId }).first();
    expect(stored.definition.sections[0].questions[0].options).toEqual(['Да', 'Нет', 'Готовится']);
    const copy = await coordinator.agent.post(`${url}/copy`).type('form').send({ _csrf: coordinator.csrf });
    expect(copy.status).toBe(303);
    const id = Number(/surveys\/(\d+)\/edit$/.exec(copy.headers.location!)![1]);
    expect(await db()('surveys').where({ id }).first()).toMatchObject({
      status: 'draft',
      version: 2,
      copied_from_id: surveyId,
    });
  });
});

describe('isolation and download', () => {
  it('when another region’s coordinator or chair asks, then the survey is not there (404)', async () => {
    await foreignCoordinator.agent.get(`/orgs/${tree.region.inpo}/surveys/${surveyId}`).expect(404);
    await foreignCoordinator.agent.get(`/orgs/${foreign.region.inpo}/surveys/${surveyId}`).expect(404);
    await foreignCoordinator.agent.get(`/orgs/${foreign.region.inpo}/surveys/${surveyId}/results.xlsx`).expect(404);
    const foreignChair = await loggedInAgent(
      ctx.app,
      await createUser(db(), [{ role: 'chair', org: foreign.primary }]),
    );
    await foreignChair.agent.get(`/orgs/${foreign.primary.inpo}/surveys/${surveyId}/answer`).expect(404);
    await foreignChair.agent.get(`/orgs/${ppo[2]!.inpo}/surveys/${surveyId}/answer`).expect(404);
  });

  it('when the answers are downloaded, then the XLSX has a row per answer with ИНПО, path and escaped text', async () => {
    const res = await coordinator.agent
      .get(`/orgs/${tree.region.inpo}/surveys/${surveyId}/results.xlsx`)
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    const rows = await readSheet(res.body as Buffer);
    const header = rows.findIndex((r) => r[0] === 'ИНПО');
    expect(rows[header]!.slice(0, 5)).toEqual([
      'ИНПО',
      'Организация',
      'Путь',
      'Отправлено',
      'Есть ли коллективный договор?',
    ]);
    const data = rows.slice(header + 1);
    expect(data.map((r) => r[0]).sort()).toEqual([ppo[0]!, ppo[1]!, otherTerritoryPpo].map((o) => o.inpo).sort());
    const second = data.find((r) => r[0] === ppo[1]!.inpo)!;
    expect(second[2]).toBe(`${tree.region.name} / ${tree.territory.name} / ${ppo[1]!.name}`);
    expect(second[5]).toBe(`'=HYPERLINK("x")`);
  });
});

describe('an anonymous member poll', () => {
  it('when members answer, then who answered is kept apart and no answer row names a person', async () => {
    const [a, b, noConsent] = await createMembers(db(), ppo[0]!, 3);
    const [c] = await createMembers(db(), otherTerritoryPpo, 1);
    for (const id of [a!, b!, c!]) await giveMailingConsent(id);
    const member = await memberAgent(a!);
    const pollId = await publishedPoll({ anonymous: 'on', title: 'Анонимный опрос' });
    const targets = await db()('survey_member_targets').where({ survey_id: pollId }).pluck('member_id');
    expect(targets.map(Number).sort()).toEqual([a, b, c].sort());
    expect(targets.map(Number)).not.toContain(noConsent);
    const home = await member.agent.get('/me').expect(200);
    expect(home.text).toContain(`href="/me/surveys/${pollId}"`);
    const page = await member.agent.get(`/me/surveys/${pollId}`).expect(200);
    expect(page.text).toContain('Опрос анонимный');
    expect(page.text).toContain('Черновик, если вы его сохраните, хранится с вашей карточкой');

    // a draft names its member until the submit, which deletes it in the answer's transaction
    const draftText = 'Черновик-анонимного-ответа';
    await member.agent
      .post(`/me/surveys/${pollId}`)
      .type('form')
      .send({ _csrf: member.csrf, step: 'draft', q_agreement: 'Нет', q_why: draftText })
      .expect(303);
    expect(await db()('survey_member_drafts').where({ survey_id: pollId })).toMatchObject([
      { member_id: a, answers: { agreement: 'Нет', why: draftText } },
    ]);
    expect((await member.agent.get(`/me/surveys/${pollId}`).expect(200)).text).toContain(`>${draftText}</textarea>`);

    const answer = { _csrf: member.csrf, step: 'submit', q_agreement: 'Нет', q_why: 'Нет времени' };
    await member.agent.post(`/me/surveys/${pollId}`).type('form').send(answer).expect(303);
    expect(await db()('survey_member_drafts').where({ survey_id: pollId })).toEqual([]);
    // nothing in the whole database still holds the draft's words, and the answer's words only the nameless row
    expect(await tablesHolding(draftText)).toEqual([]);
    expect(await tablesHolding('Нет времени')).toEqual(['survey_member_answers']);
    const again = await member.agent.post(`/me/surveys/${pollId}`).type('form').send(answer);
    expect(again.status).toBe(422);
    expect(again.text).toContain('Вы уже ответили на этот опрос');

    expect(await db()('survey_respondents').where({ survey_id: pollId })).toEqual([
      { survey_id: pollId, member_id: a },
    ]);
    const rows = await db()('survey_member_answers').where({ survey_id: pollId });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      member_id: null,
      organization_id: null,
      answers: { agreement: 'Нет', why: 'Нет времени' },
    });
    // neither table holds a key to the other, nor a time to pair them by
    const columns = await db()('information_schema.columns')
      .whereIn('table_name', ['survey_respondents', 'survey_member_answers'])
      .select('table_name', 'column_name');
    const of = (t: string) =>
      columns
        .filter((col) => col.table_name === t)
        .map((col) => col.column_name)
        .sort();
    expect(of('survey_respondents')).toEqual(['member_id', 'survey_id']);
    expect(of('survey_member_answers')).toEqual(['answers', 'id', 'member_id', 'organization_id', 'survey_id']);

    const results = await coordinator.agent.get(`/orgs/${tree.region.inpo}/surveys/${pollId}`).expect(200);
    expect(results.text).toMatch(/Ответили <strong>1<\/strong> из 3 членов Профсоюза/);
    expect(results.text).toContain('<strong>анонимно</strong>: Нет времени');
    expect(results.text).toContain('связать ответ с человеком нельзя');
  });
});

const giveMailingConsent = (memberId: number) =>
  db()('member_consents').insert({
    member_id: memberId,
    kind: 'mailing',
    channel: 'email',
    text_version: 'v1',
    source: 'paper',
    given_on: '2024-01-10',
  });

/** The member's own login, signed in. */
async function memberAgent(memberId: number): Promise<Session> {
  const login = await createUser(db(), []);
  await db()('users').where({ id: login.id }).update({ member_id: memberId });
  return loggedInAgent(ctx.app, login);
}

/** A member poll of the region built by its coordinator and published; its id. */
async function publishedPoll(extra: Record<string, unknown>): Promise<number> {
  const created = await coordinator.agent
    .post(`/orgs/${tree.region.inpo}/surveys`)
    .type('form')
    .send(surveyForm(coordinator, { audience: 'members', levels: '', ...extra }));
  expect(created.status).toBe(303);
  const pollId = Number(/surveys\/(\d+)$/.exec(created.headers.location!)![1]);
  await coordinator.agent
    .post(`/orgs/${tree.region.inpo}/surveys/${pollId}/publish`)
    .type('form')
    .send({ _csrf: coordinator.csrf })
    .expect(303);
  return pollId;
}

/** The tables of the database with a row whose text contains the words (every column, as PostgreSQL prints the row). */
async function tablesHolding(words: string): Promise<string[]> {
  const tables: string[] = await db()('information_schema.tables')
    .where({ table_schema: 'public', table_type: 'BASE TABLE' })
    .orderBy('table_name')
    .pluck('table_name');
  const holding: string[] = [];
  for (const table of tables) {
    const { rows } = await db().raw('SELECT 1 FROM ?? AS x WHERE x::text LIKE ? LIMIT 1', [table, `%${words}%`]);
    if (rows.length) holding.push(table);
  }
  return holding;
}

describe('a named member poll’s draft', () => {
  it('when a member saves a draft, comes back and submits, then the draft is gone and the answer counts once', async () => {
    const [a, b] = await createMembers(db(), ppo[1]!, 2);
    const members: Session[] = [];
    for (const id of [a!, b!]) {
      await giveMailingConsent(id);
      members.push(await memberAgent(id));
    }
    const [first, second] = members as [Session, Session];
    const pollId = await publishedPoll({ title: 'Опрос с черновиком' });
    const url = `/me/surveys/${pollId}`;
    const post = (who: Session, fields: Record<string, string>) =>
      who.agent
        .post(url)
        .type('form')
        .send({ _csrf: who.csrf, ...fields });

    // a draft needs no required answer, but a wrong one is refused next to its field and nothing is kept
    const wrong = await post(first, { step: 'draft', q_meetings: 'много' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('Введите число');
    expect(await db()('survey_member_drafts').where({ survey_id: pollId })).toEqual([]);

    await post(first, { step: 'draft', q_agreement: 'Нет', q_meetings: '4' }).expect(303);
    const back = await first.agent.get(url).expect(200);
    expect(back.text).toMatch(/Черновик сохранён \d\d\.\d\d\.\d{4}/);
    expect(back.text).toMatch(/name="q_agreement" id="q_agreement-1" value="Нет" checked/);
    expect(back.text).toMatch(/id="q_meetings" name="q_meetings" value="4"/);
    expect(back.text).toContain('Черновик виден только вам');
    // the page's own script hides «why» live while «Нет» is not chosen (public/js/survey-conditions.js)
    expect(back.text).toMatch(/<form method="post" action="\/me\/surveys\/\d+" novalidate data-survey-conditions>/);
    expect(back.text).toContain('data-question="why" data-show-if="agreement" data-show-if-answer="Нет"');
    expect(back.text).toMatch(/<script src="\/assets\/js\/survey-conditions\.[0-9a-f]{10}\.js" defer><\/script>/);
    expect((await first.agent.get('/me').expect(200)).text).toMatch(
      /Опрос с черновиком<\/a> — до [\d.]+, черновик сохранён/,
    );

    // the submit asks for every shown required question, then keeps the answer once and deletes the draft
    const incomplete = await post(first, { step: 'submit', q_agreement: 'Нет', q_meetings: '4' });
    expect(incomplete.status).toBe(422);
    expect(incomplete.text).toContain('Ответьте на этот вопрос');
    expect(await db()('survey_member_drafts').where({ survey_id: pollId }).pluck('member_id')).toEqual([a]);
    await post(first, { step: 'submit', q_agreement: 'Нет', q_why: 'Нет юриста', q_meetings: '4' }).expect(303);
    expect(await db()('survey_member_drafts').where({ survey_id: pollId })).toEqual([]);
    expect(await db()('survey_member_answers').where({ survey_id: pollId })).toMatchObject([
      { member_id: a, organization_id: ppo[1]!.id, answers: { agreement: 'Нет', why: 'Нет юриста', meetings: 4 } },
    ]);
    const late = await post(first, { step: 'draft', q_agreement: 'Да' });
    expect(late.status).toBe(422);
    expect(late.text).toContain('Вы уже ответили на этот опрос');
    expect(await db()('survey_member_drafts').where({ survey_id: pollId })).toEqual([]);
    expect((await first.agent.get(url).expect(200)).text).toContain('Вы уже ответили на этот опрос. Спасибо!');

    // a draft of a poll that has closed is deleted by the hourly housekeeping
    await post(second, { step: 'draft', q_agreement: 'Да' }).expect(303);
    await pruneClosedPollDrafts(db());
    expect(await db()('survey_member_drafts').where({ survey_id: pollId }).pluck('member_id')).toEqual([b]);
    await db()('surveys')
      .where({ id: pollId })
      .update({ closes_on: inDays(-1), opens_on: inDays(-5) });
    await pruneClosedPollDrafts(db());
    expect(await db()('survey_member_drafts').where({ survey_id: pollId })).toEqual([]);
  });
});
