// Report-and-election campaigns and term rules (issue 21, item 2): a region's coordinator declares a campaign for
// its ППО and territorial organizations, and exactly those get tasks; a ППО's chair records the meeting's result,
// which ends the previous chair's term on that day and starts the new one's with the protocol (rows of
// org_officers); the progress per child and per level is held / scheduled / overdue at dates before and after a
// deadline; the ends of terms follow the rules (a changed rule moves them, and the expired-term filter with them);
// another region sees nothing (404); the monitoring's figure equals a count in SQL; reminders are sent once.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPrincipal } from '../../src/auth/users.repo';
import { sendCampaignReminders } from '../../src/campaigns/campaign-reminders';
import { ELECTED_POSTS, resultForm } from '../../src/campaigns/campaigns.schemas';
import { createCampaignsService } from '../../src/campaigns/campaigns.service';
import { ruleField } from '../../src/campaigns/term-rules.service';
import { verifyDerived } from '../../src/ops/verify-derived';
import { LEVELS } from '../../src/registry/levels';
import type { OrgRow } from '../../src/registry/org-row';
import { todayIso } from '../../src/shared/dates';
import { eventDates } from '../../src/shared/event-dates';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser, unionRoot } from '../support/factories';

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;
type Session = { agent: Agent; csrf: string };

const TODAY = todayIso();
const inDays = (days: number) =>
  new Date(Date.parse(`${TODAY}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const ddmmyyyy = (iso: string) => iso.split('-').reverse().join('.');
/** The same day `years` later; 29 February gives 28 February (as PostgreSQL's interval arithmetic does). */
function plusYears(iso: string, years: number): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const lastDay = new Date(Date.UTC(y + years, m, 0)).getUTCDate();
  return `${y + years}-${String(m).padStart(2, '0')}-${String(Math.min(d, lastDay)).padStart(2, '0')}`;
}

const PRIMARY_DEADLINE = inDays(10);
const TERRITORIAL_DEADLINE = inDays(20);
const HELD_ON = inDays(-2);

let tree: Awaited<ReturnType<typeof createRegionTree>>;
let foreign: Awaited<ReturnType<typeof createRegionTree>>;
let ppo: OrgRow[];
let secondTerritory: OrgRow;
let gone: OrgRow;
let coordinator: Session;
let foreignCoordinator: Session;
let admin: Session;
let chairOf0: Session;
let chairOf1: Session;
let chairUserOf2: number;
let campaignId: number;
let newChairMember: number;
let committee: number[];

/** The progress table's figures: data-value per state, by the row's ИНПО or level. */
function progress(html: string, table: 'progress-children' | 'progress-levels', key: string) {
  const body = html.split(`id="${table}"`)[1]!.split('</table>')[0]!;
  const attribute = table === 'progress-children' ? 'data-inpo' : 'data-level';
  const tr = body.split('<tr').find((t) => t.includes(`${attribute}="${key}"`));
  if (!tr) return null;
  return Object.fromEntries(
    [...tr.matchAll(/data-state="(\w+)" data-value="(\d+)"/g)].map((m) => [m[1], Number(m[2])]),
  );
}
const inposOf = (html: string) =>
  [...html.split('id="tasks"')[1]!.matchAll(/<tr data-inpo="(\d+)"/g)].map((m) => m[1]).sort();

beforeAll(async () => {
  tree = await createRegionTree(db(), 41);
  ppo = [
    tree.primary,
    await createOrg(db(), tree.territory, 'primary'),
    await createOrg(db(), tree.territory, 'primary'),
  ];
  gone = await createOrg(db(), tree.territory, 'primary');
  await db()('organizations').where({ id: gone.id }).update({ liquidated_on: '2025-01-01' });
  secondTerritory = await createOrg(db(), tree.region, 'territorial');
  ppo.push(await createOrg(db(), secondTerritory, 'primary'));
  foreign = await createRegionTree(db(), 42);
  coordinator = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: tree.region }]));
  foreignCoordinator = await loggedInAgent(
    ctx.app,
    await createUser(db(), [{ role: 'coordinator', org: foreign.region }]),
  );
  admin = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'admin', org: await unionRoot(db()) }]));
  chairOf0 = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: ppo[0]! }]));
  chairOf1 = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: ppo[1]! }]));
  chairUserOf2 = (await createUser(db(), [{ role: 'chair', org: ppo[2]! }])).id;
  // the present chairs: ППО 0 elected 01.03.2021, ППО 3 elected 10.01.2020 (the default five years: expired)
  await db()('org_officers').insert([
    { organization_id: ppo[0]!.id, post: 'chair', surname: 'Прежняя', name: 'Анна', elected_on: '2021-03-01' },
    { organization_id: ppo[3]!.id, post: 'chair', surname: 'Давняя', name: 'Ольга', elected_on: '2020-01-10' },
  ]);
  const cards = await createMembers(db(), ppo[0]!, 3, { surname: 'Новикова' });
  newChairMember = cards[0]!;
  committee = cards.slice(1);
});

describe('declaring a campaign', () => {
  it('when a region declares it for ППО and territorial organizations, then exactly the open ones of the region get tasks', async () => {
    const refused = await coordinator.agent
      .post(`/orgs/${tree.region.inpo}/campaigns`)
      .type('form')
      .send({
        _csrf: coordinator.csrf,
        name: 'Отчёты и выборы',
        startsOn: inDays(-30),
        endsOn: inDays(60),
        levels: 'primary',
      });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Укажите срок для уровня');

    const declared = await coordinator.agent
      .post(`/orgs/${tree.region.inpo}/campaigns`)
      .type('form')
      .send({
        _csrf: coordinator.csrf,
        name: 'Отчёты и выборы 2026',
        startsOn: ddmmyyyy(inDays(-30)),
        endsOn: ddmmyyyy(inDays(60)),
        levels: ['primary', 'territorial'],
        deadline_primary: PRIMARY_DEADLINE,
        deadline_territorial: TERRITORIAL_DEADLINE,
      });
    expect(declared.status).toBe(303);
    campaignId = Number(/campaigns\/(\d+)$/.exec(declared.headers.location!)![1]);
    const tasks = await db()('campaign_tasks').where({ campaign_id: campaignId }).select('organization_id', 'deadline');
    const expected = [
      ...ppo.map((o) => [o.id, PRIMARY_DEADLINE]),
      ...[tree.territory, secondTerritory].map((o) => [o.id, TERRITORIAL_DEADLINE]),
    ];
    expect(tasks.map((t) => [t.organization_id, t.deadline]).sort()).toEqual(expected.sort());

    // the territory's list of its ППО's tasks: exactly its three open ППО
    const list = await coordinator.agent
      .get(`/orgs/${tree.territory.inpo}/campaigns/${campaignId}/tasks?level=primary`)
      .expect(200);
    expect(inposOf(list.text)).toEqual(
      ppo
        .slice(0, 3)
        .map((o) => o.inpo)
        .sort(),
    );
    // a territory declares none; the region's form offers its own level and those below
    await coordinator.agent.get(`/orgs/${tree.territory.inpo}/campaigns/new`).expect(404);
    const form = await coordinator.agent.get(`/orgs/${tree.region.inpo}/campaigns/new`).expect(200);
    expect([...form.text.matchAll(/name="levels" id="levels-(\w+)"/g)].map((m) => m[1])).toEqual([
      'regional',
      'okrug',
      'territorial',
      'primary',
      'subdivision',
    ]);
    // the ППО's chair finds the task among the organization's
    const own = await chairOf0.agent.get(`/orgs/${ppo[0]!.inpo}/campaigns`).expect(200);
    expect(own.text).toContain(`/orgs/${ppo[0]!.inpo}/campaigns/${campaignId}/task`);
  });
});

describe('recording the result', () => {
  it('when the chair records the meeting, then the previous chair’s term ends that day and the new one’s starts with the protocol', async () => {
    const before = await db()('org_officers').where({ organization_id: ppo[0]!.id, post: 'chair' }).first();
    expect(before.term_until).toBe('2026-03-01');
    const result = {
      _csrf: chairOf0.csrf,
      bodyKind: 'meeting',
      heldOn: ddmmyyyy(HELD_ON),
      protocolNumber: '7',
      protocolDate: HELD_ON,
      personKind: 'member',
      memberId: String(newChairMember),
      committeeIds: committee.map(String),
    };
    // the task page finds the cards to elect like the passport's officer picker
    const page = await chairOf0.agent
      .get(`/orgs/${ppo[0]!.inpo}/campaigns/${campaignId}/task?q=${encodeURIComponent('Новикова')}`)
      .expect(200);
    expect(page.text).toContain(`id="memberId-${newChairMember}"`);
    expect(page.text).toContain(`id="committee-${committee[0]}"`);
    const bad = await chairOf0.agent
      .post(`/orgs/${ppo[0]!.inpo}/campaigns/${campaignId}/result`)
      .type('form')
      .send({ ...result, protocolNumber: '', heldOn: '31.02.2026' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Укажите номер протокола');
    expect(bad.text).toContain('ДД.ММ.ГГГГ');
    const early = await chairOf0.agent
      .post(`/orgs/${ppo[0]!.inpo}/campaigns/${campaignId}/result`)
      .type('form')
      .send({ ...result, heldOn: inDays(-40) });
    expect(early.status).toBe(422);
    expect(early.text).toContain('не раньше начала кампании');

    const saved = await chairOf0.agent
      .post(`/orgs/${ppo[0]!.inpo}/campaigns/${campaignId}/result`)
      .type('form')
      .send(result);
    expect(saved.status).toBe(303);

    const chairs = await db()('org_officers').where({ organization_id: ppo[0]!.id, post: 'chair' }).orderBy('id');
    expect(
      chairs.map((c) => [
        c.surname,
        c.elected_on,
        c.ended_on,
        c.member_id,
        c.protocol_number,
        c.protocol_date,
        c.term_until,
      ]),
    ).toEqual([
      ['Прежняя', '2021-03-01', HELD_ON, null, null, null, '2026-03-01'],
      ['Новикова', HELD_ON, null, newChairMember, '7', HELD_ON, plusYears(HELD_ON, 5)],
    ]);
    const members = await db()('org_officers')
      .where({ organization_id: ppo[0]!.id, post: 'committee' })
      .orderBy('member_id');
    expect(members.map((m) => [m.member_id, m.elected_on, m.ended_on])).toEqual(
      committee.map((id) => [id, HELD_ON, null]),
    );
    const task = await db()('campaign_tasks').where({ campaign_id: campaignId, organization_id: ppo[0]!.id }).first();
    expect([task.outcome, task.held_on, task.protocol_number, task.chair_officer_id]).toEqual([
      'held',
      HELD_ON,
      '7',
      chairs[1].id,
    ]);
    const done = await chairOf0.agent.get(`/orgs/${ppo[0]!.inpo}/campaigns/${campaignId}/task`).expect(200);
    expect(done.text).toContain(`Собрание проведено ${ddmmyyyy(HELD_ON)}, протокол № 7 от ${ddmmyyyy(HELD_ON)}`);
    expect(done.text).not.toContain('id="result-form"');
    const actions = await db()('audit_log').where({ organization_id: ppo[0]!.id }).orderBy('id').pluck('action');
    expect(actions).toEqual([
      'org.officer.ended',
      'org.officer.added',
      'org.officer.added',
      'org.officer.added',
      'campaign.result_recorded',
    ]);

    // a second result is refused, and nothing changes
    const again = await chairOf0.agent
      .post(`/orgs/${ppo[0]!.inpo}/campaigns/${campaignId}/result`)
      .type('form')
      .send(result);
    expect(again.status).toBe(409);
    expect(await db()('org_officers').where({ organization_id: ppo[0]!.id }).count('* as n').first()).toEqual({ n: 4 });
  });

  it('when a meeting is postponed, then the reason and the new date are kept (a date in the past is refused)', async () => {
    const url = `/orgs/${ppo[1]!.inpo}/campaigns/${campaignId}/postpone`;
    const past = await chairOf1.agent
      .post(url)
      .type('form')
      .send({ _csrf: chairOf1.csrf, reason: 'Карантин', postponedTo: inDays(-1) });
    expect(past.status).toBe(422);
    expect(past.text).toContain('Новая дата не может быть в прошлом');
    await chairOf1.agent
      .post(url)
      .type('form')
      .send({ _csrf: chairOf1.csrf, reason: 'Карантин', postponedTo: inDays(40) })
      .expect(303);
    const task = await db()('campaign_tasks').where({ campaign_id: campaignId, organization_id: ppo[1]!.id }).first();
    expect([task.outcome, task.postponed_reason, task.postponed_to]).toEqual(['postponed', 'Карантин', inDays(40)]);
    // kept with the day it was recorded: the days before it keep the deadline
    const kept = await db()('campaign_postponements')
      .where({ campaign_id: campaignId, organization_id: ppo[1]!.id })
      .select('recorded_on', 'postponed_to', 'reason');
    expect(kept).toEqual([{ recorded_on: TODAY, postponed_to: inDays(40), reason: 'Карантин' }]);
  });
});

describe('progress', () => {
  it('when read before and after the ППО deadline, then held, scheduled and overdue are counted per child and per level', async () => {
    const at = async (on: string) =>
      (await coordinator.agent.get(`/orgs/${tree.region.inpo}/campaigns/${campaignId}?on=${on}`).expect(200)).text;
    const before = await at(TODAY);
    // the first territory: itself and ППО 0–2 (0 held, 1 postponed, 2 ahead of its deadline); the second: itself and ППО 3
    expect(progress(before, 'progress-children', tree.territory.inpo)).toEqual({
      inScope: 4,
      held: 1,
      scheduled: 3,
      overdue: 0,
    });
    expect(progress(before, 'progress-children', secondTerritory.inpo)).toEqual({
      inScope: 2,
      held: 0,
      scheduled: 2,
      overdue: 0,
    });
    expect(progress(before, 'progress-levels', 'primary')).toEqual({ inScope: 4, held: 1, scheduled: 3, overdue: 0 });

    const after = await at(inDays(15));
    expect(progress(after, 'progress-children', tree.territory.inpo)).toEqual({
      inScope: 4,
      held: 1,
      scheduled: 2,
      overdue: 1,
    });
    expect(progress(after, 'progress-children', secondTerritory.inpo)).toEqual({
      inScope: 2,
      held: 0,
      scheduled: 1,
      overdue: 1,
    });
    expect(progress(after, 'progress-levels', 'primary')).toEqual({ inScope: 4, held: 1, scheduled: 1, overdue: 2 });
    expect(progress(after, 'progress-levels', 'territorial')).toEqual({
      inScope: 2,
      held: 0,
      scheduled: 2,
      overdue: 0,
    });
    // before the meeting was held it is not counted as held
    expect(progress(await at(inDays(-5)), 'progress-levels', 'primary')).toMatchObject({ held: 0 });

    const overdue = await coordinator.agent
      .get(`/orgs/${tree.region.inpo}/campaigns/${campaignId}/tasks?on=${inDays(15)}&state=overdue`)
      .expect(200);
    expect(inposOf(overdue.text)).toEqual([ppo[2]!.inpo, ppo[3]!.inpo].sort());
    // the ППО whose chair's term ends before the campaign does: ППО 3 (10.01.2025); ППО 0's new chair serves to 2031
    const ending = before.split('id="ending-terms"')[1]!.split('</table>')[0]!;
    expect([...ending.matchAll(/<td>(\d{10})<\/td>/g)].map((m) => m[1])).toEqual([ppo[3]!.inpo]);
  });
});

describe('a postponement on its dates', () => {
  // a region of its own: a campaign from February to June 2026 for itself (deadline 20 May) and its ППО (10 March)
  let spring: Awaited<ReturnType<typeof createRegionTree>>;
  let springCampaign: number;
  let springCoordinator: Awaited<ReturnType<typeof createUser>>;
  const audit = { actorUserId: null, requestId: 'test', ip: '127.0.0.1' };
  /** The campaigns' service on a day: what is recorded then, with that day's checks. */
  const on = (day: string) =>
    createCampaignsService(
      ctx.deps.db,
      ctx.deps.jobs,
      eventDates(31, () => day),
    );

  beforeAll(async () => {
    spring = await createRegionTree(db(), 43);
    springCoordinator = await createUser(db(), [{ role: 'coordinator', org: spring.region }]);
    const principal = (await loadPrincipal(db(), springCoordinator.id))!;
    ({ id: springCampaign } = await on('2026-02-01').declare(spring.region, principal, audit, {
      name: 'Весенние отчёты и выборы',
      startsOn: '2026-02-01',
      endsOn: '2026-06-30',
      deadlines: [
        { level: 'regional', deadline: '2026-05-20' },
        { level: 'primary', deadline: '2026-03-10' },
      ],
    }));
  });

  it('when a task overdue on 10 March is postponed on 20 March and held later, then every date keeps the state it had then', async () => {
    const chair = await createUser(db(), [{ role: 'chair', org: spring.primary }]);
    const [card] = await createMembers(db(), spring.primary, 1, { surname: 'Весенняя' });
    const campaign = await ctx.deps.services.campaigns.visible(spring.region, springCampaign);
    const stateOn = async (day: string) =>
      (await ctx.deps.services.campaigns.tasks(spring.region, campaign, day, { level: 'primary' })).map((t) => t.state);

    await on('2026-03-20').postpone(audit, spring.primary, springCampaign, {
      reason: 'Карантин',
      postponedTo: '2026-04-10',
    });
    // overdue from 11 March until the postponement was recorded, ahead of the new date after it, overdue past it
    expect(await stateOn('2026-03-05')).toEqual(['scheduled']);
    expect(await stateOn('2026-03-15')).toEqual(['overdue']);
    expect(await stateOn('2026-03-25')).toEqual(['scheduled']);
    expect(await stateOn('2026-04-15')).toEqual(['overdue']);

    const result = resultForm.parse({
      bodyKind: 'meeting',
      heldOn: '2026-04-20',
      protocolNumber: '3',
      protocolDate: '2026-04-20',
      personKind: 'member',
      memberId: String(card),
    });
    const chairPrincipal = (await loadPrincipal(db(), chair.id))!;
    await on('2026-04-22').recordResult(audit, chairPrincipal, spring.primary, springCampaign, result);
    // the result changes only the dates from the meeting on; the postponement stays on the task
    expect(await stateOn('2026-03-15')).toEqual(['overdue']);
    expect(await stateOn('2026-03-25')).toEqual(['scheduled']);
    expect(await stateOn('2026-04-15')).toEqual(['overdue']);
    expect(await stateOn('2026-04-25')).toEqual(['held']);
    const task = await db()('campaign_tasks')
      .where({ campaign_id: springCampaign, organization_id: spring.primary.id })
      .first();
    expect([task.outcome, task.postponed_to, task.postponed_reason]).toEqual(['held', '2026-04-10', 'Карантин']);
  });

  it('when the monitoring of a region with its own task is read, then its rows add up to the total', async () => {
    const day = '2026-04-25';
    const session = await loggedInAgent(ctx.app, springCoordinator);
    const page = await session.agent.get(`/orgs/${spring.region.inpo}/monitoring?on=${day}`).expect(200);
    const rows = page.text
      .split('<tbody>')[1]!
      .split('</tbody>')[0]!
      .split('<tr')
      .slice(1)
      .map((tr) =>
        ['campaign-scope', 'campaign-held'].map((key) =>
          Number(new RegExp(`data-column="${key}" data-value="([^"]*)"`).exec(tr)![1]),
        ),
      );
    const total = rows.pop();
    // the region's own task and its ППО's, counted in SQL
    const { rows: counted } = await db().raw(
      `SELECT count(*)::int AS scope, count(*) FILTER (WHERE outcome = 'held' AND held_on <= ?)::int AS held
         FROM campaign_tasks WHERE campaign_id = ?`,
      [day, springCampaign],
    );
    expect(counted[0].scope).toBe(2);
    expect(total).toEqual([counted[0].scope, counted[0].held]);
    expect(rows.reduce(([scope, held], [s, h]) => [scope! + s!, held! + h!], [0, 0])).toEqual(total);
  });
});

describe('term rules', () => {
  const rules = (changes: Record<string, string>) => ({
    _csrf: admin.csrf,
    ...Object.fromEntries(LEVELS.flatMap((l) => ELECTED_POSTS.map((p) => [ruleField(l, p), '5']))),
    ...changes,
  });

  it('when the administrator changes a level’s rule, then the current terms’ ends move and the expired-term filter follows', async () => {
    await coordinator.agent.get('/admin/term-rules').expect(404);
    const bad = await admin.agent
      .post('/admin/term-rules')
      .type('form')
      .send(rules({ [ruleField('primary', 'chair')]: 'три' }));
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Срок — целое число лет от 1 до 10 или пусто');

    const expiredBefore = await coordinator.agent
      .get(`/orgs/${tree.region.inpo}/search?level=primary&filter=expired_term`)
      .expect(200);
    expect(expiredBefore.text).toContain(ppo[3]!.inpo);

    await admin.agent
      .post('/admin/term-rules')
      .type('form')
      .send(rules({ [ruleField('primary', 'chair')]: '7' }))
      .expect(303);
    const ends = await db()('org_officers')
      .whereIn('organization_id', [ppo[0]!.id, ppo[3]!.id])
      .where({ post: 'chair' })
      .orderBy('id')
      .pluck('term_until');
    // the ended term keeps its end; the current ones are seven years from their elections
    expect(ends).toEqual(['2026-03-01', '2027-01-10', plusYears(HELD_ON, 7)]);
    const passport = await coordinator.agent.get(`/orgs/${ppo[0]!.inpo}/officers`).expect(200);
    expect(passport.text).toContain(ddmmyyyy(plusYears(HELD_ON, 7)));
    const expiredAfter = await coordinator.agent
      .get(`/orgs/${tree.region.inpo}/search?level=primary&filter=expired_term`)
      .expect(200);
    expect(expiredAfter.text).not.toContain(ppo[3]!.inpo);
    // a new chair's term comes from the rule too: no term is typed
    const other = await db()('org_officers')
      .insert({
        organization_id: ppo[2]!.id,
        post: 'chair',
        surname: 'Свежая',
        name: 'Ия',
        elected_on: '2024-05-05',
        term_until: '2099-01-01',
      })
      .returning('term_until');
    expect(other[0].term_until).toBe('2031-05-05');

    await admin.agent.post('/admin/term-rules').type('form').send(rules({})).expect(303);
    expect(
      await db()('org_officers')
        .where({ organization_id: ppo[3]!.id })
        .first()
        .then((r) => r.term_until),
    ).toBe('2025-01-10');
    expect(await db()('audit_log').where({ action: 'term_rule.changed' }).count('* as n').first()).toEqual({ n: 2 });
  });
});

describe('verify-derived', () => {
  it('when a current and an ended term are changed with the trigger disabled, then only the current one is reported, and the documented rebuild puts it right', async () => {
    const check = async () => (await verifyDerived(db(), ['org_officers.term_until']))[0]!;
    expect(await check()).toMatchObject({ count: 0, sample: [] });
    const current = await db()('org_officers').where({ organization_id: ppo[3]!.id, post: 'chair' }).first();
    const ended = await db()('org_officers')
      .where({ organization_id: ppo[0]!.id, post: 'chair' })
      .whereNotNull('ended_on')
      .first();
    const pastTrigger = (sql: string) =>
      db().transaction(async (trx) => {
        await trx.raw('ALTER TABLE org_officers DISABLE TRIGGER org_officers_compute_term');
        await trx.raw(sql);
        await trx.raw('ALTER TABLE org_officers ENABLE TRIGGER org_officers_compute_term');
      });
    await pastTrigger(
      `UPDATE org_officers SET term_until = '2099-01-01' WHERE id = ${current.id};
       UPDATE org_officers SET term_until = '2030-01-01' WHERE id = ${ended.id}`,
    );
    // an ended term keeps the end computed while it ran: not compared
    expect(await check()).toMatchObject({
      count: 1,
      sample: [
        {
          officer_id: current.id,
          organization_id: ppo[3]!.id,
          post: 'chair',
          stored: '2099-01-01',
          recomputed: current.term_until,
        },
      ],
    });
    // docs/derived-data.md's rebuild: the trigger puts the computed end back
    await db().raw('UPDATE org_officers f SET term_until = NULL WHERE f.ended_on IS NULL');
    expect(await check()).toMatchObject({ count: 0 });
    expect(await db()('org_officers').where({ id: current.id }).first()).toMatchObject({
      term_until: current.term_until,
    });
    await pastTrigger(`UPDATE org_officers SET term_until = '${ended.term_until}' WHERE id = ${ended.id}`);
  });
});

describe('outside the subtree', () => {
  it('when another region’s coordinator or another ППО’s chair asks, then the campaign and its tasks are not found', async () => {
    await foreignCoordinator.agent.get(`/orgs/${foreign.primary.inpo}/campaigns/${campaignId}`).expect(404);
    await foreignCoordinator.agent.get(`/orgs/${tree.region.inpo}/campaigns/${campaignId}`).expect(404);
    await foreignCoordinator.agent.get(`/orgs/${ppo[2]!.inpo}/campaigns/${campaignId}/task`).expect(404);
    const foreignResult = await chairOf0.agent
      .post(`/orgs/${ppo[2]!.inpo}/campaigns/${campaignId}/result`)
      .type('form')
      .send({ _csrf: chairOf0.csrf });
    expect(foreignResult.status).toBe(404);
    // an organization of the region that is no task of the campaign has no task page
    await coordinator.agent.get(`/orgs/${gone.inpo}/campaigns/${campaignId}/task`).expect(404);
  });
});

describe('monitoring and reminders', () => {
  it('when the region’s monitoring is read, then each child’s campaign figure equals a count of its tasks in SQL', async () => {
    const page = await coordinator.agent.get(`/orgs/${tree.region.inpo}/monitoring?on=${TODAY}`).expect(200);
    for (const child of [tree.territory, secondTerritory]) {
      const { rows } = await db().raw(
        `SELECT count(*)::int AS scope, count(*) FILTER (WHERE t.outcome = 'held' AND t.held_on <= ?)::int AS held
           FROM campaign_tasks t JOIN organizations o ON o.id = t.organization_id
          WHERE t.campaign_id = ? AND o.path <@ ?::ltree`,
        [TODAY, campaignId, child.path],
      );
      const tr = page.text.split('<tr').find((t) => t.includes(`data-inpo="${child.inpo}"`))!;
      const cell = (key: string) => new RegExp(`data-column="${key}" data-value="([^"]*)"`).exec(tr)![1];
      expect([cell('campaign-scope'), cell('campaign-held')]).toEqual([String(rows[0].scope), String(rows[0].held)]);
    }
    expect(page.text).toContain('Отчёты и выборы: Отчёты и выборы 2026');
  });

  it('when the hourly job runs twice in a task’s last week and after its deadline, then its holders are told once each time', async () => {
    const told = async () => db()('notifications').where({ user_id: chairUserOf2 }).orderBy('id').pluck('kind');
    for (let run = 0; run < 2; run++) await sendCampaignReminders(ctx.deps.db, ctx.deps.notifications, inDays(8));
    expect(await told()).toEqual(['campaign_due']);
    for (let run = 0; run < 2; run++) await sendCampaignReminders(ctx.deps.db, ctx.deps.notifications, inDays(12));
    expect(await told()).toEqual(['campaign_due', 'campaign_overdue']);
    // the held ППО 0 and the postponed ППО 1 are told nothing
    const others = await db()('notifications').whereLike('link', `%/campaigns/${campaignId}/task`).pluck('link');
    expect(others.every((l: string) => l.includes(ppo[2]!.inpo))).toBe(true);
  });
});
