import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { anonymousAgent, csrfFrom, loggedInAgent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser, uniq, unionRoot } from '../support/factories';
import { useSmtpCapture } from '../support/smtp';
import { binaryParser, readSheet } from '../support/xlsx';

const overrides: Record<string, string> = {};
const smtp = useSmtpCapture(overrides);
const ctx = useTestApp(overrides);

type Org = Awaited<ReturnType<typeof createOrg>>;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
const ppo = {} as Record<'byCard' | 'byPassport' | 'noEmail' | 'noChair' | 'hasLogin', Org>;
const emails = { byCard: `${uniq('card')}@example.ru`, byPassport: `${uniq('passport')}@example.ru` };
let coordinator: Awaited<ReturnType<typeof loggedInAgent>>;

async function electChair(org: Org, extra: Record<string, unknown> = {}) {
  await ctx.database.ownerDb('org_officers').insert({
    organization_id: org.id,
    post: 'chair',
    surname: 'Соколова',
    name: 'Анна',
    patronymic: 'Ильинична',
    elected_on: '2024-01-10',
    ...extra,
  });
}

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  tree = await createRegionTree(db, 74);
  ppo.byCard = tree.primary;
  for (const key of ['byPassport', 'noEmail', 'noChair', 'hasLogin'] as const)
    ppo[key] = await createOrg(db, tree.territory, 'primary');
  const [memberId] = await createMembers(db, ppo.byCard, 1, { email: emails.byCard.toUpperCase() });
  await electChair(ppo.byCard, { member_id: memberId });
  await electChair(ppo.byPassport);
  await db('organizations').where({ id: ppo.byPassport.id }).update({ email: emails.byPassport });
  await electChair(ppo.noEmail);
  await electChair(ppo.hasLogin);
  await db('organizations')
    .where({ id: ppo.hasLogin.id })
    .update({ email: `${uniq('has')}@example.ru` });
  await createUser(db, [{ role: 'chair', org: ppo.hasLogin }]);
  coordinator = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'coordinator', org: tree.region }]));
});

const counts = (html: string) =>
  Object.fromEntries(
    [...html.matchAll(/id="count-(\w+)">([\d\s ]+)</g)].map((m) => [m[1], Number(m[2]!.replace(/\D/g, ''))]),
  );
const chairLogins = async () =>
  ctx.database
    .ownerDb('users as u')
    .join('role_grants as g', 'g.user_id', 'u.id')
    .where('g.role', 'chair')
    .whereLike('u.username', 'ppo-%')
    .select('u.id', 'u.username', 'u.email', 'g.organization_id');

describe('bulk provisioning of chairs', () => {
  it('when the coordinator previews the region, then each ППО is counted by the state of its chair’s login', async () => {
    const page = await coordinator.agent.get(`/orgs/${tree.region.inpo}/chairs`).expect(200);
    expect(counts(page.text)).toEqual({ signed_in: 0, invited: 1, ready: 2, no_email: 1, no_chair: 1 });
    const lacking = await coordinator.agent.get(`/orgs/${tree.region.inpo}/chairs?status=no_email`).expect(200);
    expect(lacking.text).toContain(ppo.noEmail.inpo);
    expect(lacking.text).not.toContain(`>${ppo.byCard.inpo}<`);
  });

  it('when it runs twice, then each ready chair gets one login, one grant and one invitation, and the chair signs in through it', async () => {
    await coordinator.agent
      .post(`/orgs/${tree.region.inpo}/chairs/provision`)
      .type('form')
      .send({ _csrf: coordinator.csrf })
      .expect(303);
    const first = await chairLogins();
    expect(first.map((u) => [u.username, u.email, u.organization_id]).sort()).toEqual(
      [
        [`ppo-${ppo.byCard.inpo}`, emails.byCard, ppo.byCard.id],
        [`ppo-${ppo.byPassport.inpo}`, emails.byPassport, ppo.byPassport.id],
      ].sort(),
    );
    const letter = await smtp.lastTo(emails.byCard);
    await smtp.lastTo(emails.byPassport);
    // the run's progress, then its outcome, on the monitoring page
    await expect
      .poll(async () => (await coordinator.agent.get(`/orgs/${tree.region.inpo}/chairs`)).text, { timeout: 5000 })
      .toContain('Рассылка завершена');
    expect((await coordinator.agent.get(`/orgs/${tree.region.inpo}/chairs`)).text).toMatch(
      /создано логинов — 2, приглашений отправлено — 2\./,
    );
    const audited = await ctx.database
      .ownerDb('audit_log')
      .whereIn(
        'entity_id',
        first.map((u) => String(u.id)),
      )
      .pluck('action');
    expect(audited.sort()).toEqual(['grant.added', 'grant.added', 'user.created', 'user.created']);

    await coordinator.agent
      .post(`/orgs/${tree.region.inpo}/chairs/provision`)
      .type('form')
      .send({ _csrf: coordinator.csrf })
      .expect(303);
    expect((await chairLogins()).length).toBe(2);
    expect((await coordinator.agent.get(`/orgs/${tree.region.inpo}/chairs`)).text).toContain('создано логинов — 2');
    expect(
      await ctx.database
        .ownerDb('user_tokens')
        .whereIn(
          'user_id',
          first.map((u) => u.id),
        )
        .count({ n: '*' })
        .first(),
    ).toEqual({ n: 2 });

    const link = smtp.linkIn(letter);
    const visitor = await anonymousAgent(ctx.app);
    const page = await visitor.agent.get(link).expect(200);
    const password = 'председатель ппо пишет 2026';
    await visitor.agent
      .post(link)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), password, confirmPassword: password })
      .expect(303);
    const chair = await loggedInAgent(ctx.app, { username: `ppo-${ppo.byCard.inpo}`, password });
    await chair.agent.get(`/orgs/${ppo.byCard.inpo}`).expect(200);
    await chair.agent.get(`/orgs/${ppo.byPassport.inpo}`).expect(404);
    await chair.agent.get(`/orgs/${tree.region.inpo}/chairs`).expect(404);

    const after = await coordinator.agent.get(`/orgs/${tree.region.inpo}/chairs`).expect(200);
    expect(counts(after.text)).toEqual({ signed_in: 1, invited: 2, ready: 0, no_email: 1, no_chair: 1 });
  });

  it('when the table is downloaded, then every ППО is a row with its chair, login and state, formulas neutralised', async () => {
    await ctx.database.ownerDb('org_officers').where({ organization_id: ppo.noChair.id }).delete();
    await electChair(ppo.noChair, { surname: '=HYPERLINK("http://evil")' });
    const res = await coordinator.agent
      .get(`/orgs/${tree.region.inpo}/chairs/export.xlsx`)
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    const rows = await readSheet(res.body as Buffer);
    expect(rows[0]).toEqual(['ИНПО', 'ППО', 'Председатель', 'E-mail', 'Логин', 'Состояние', 'Последний вход']);
    expect(rows.length).toBe(6);
    const byInpo = Object.fromEntries(rows.slice(1).map((r) => [r[0], r]));
    expect(byInpo[ppo.byPassport.inpo]!.slice(3, 6)).toEqual([
      emails.byPassport,
      `ppo-${ppo.byPassport.inpo}`,
      'приглашён, ещё не входил',
    ]);
    expect(byInpo[ppo.noEmail.inpo]![5]).toBe('логина нет: нет e-mail председателя');
    expect(byInpo[ppo.noChair.inpo]![2]!.startsWith("'=")).toBe(true);
    expect(
      await ctx.database
        .ownerDb('audit_log')
        .where({ action: 'user.chairs_exported', organization_id: tree.region.id })
        .count({ n: '*' })
        .first(),
    ).toEqual({ n: 1 });
  });

  it('when a coordinator of another region asks for this region, then 404', async () => {
    const other = await createOrg(ctx.database.ownerDb, await unionRoot(ctx.database.ownerDb), 'regional', {
      regionCode: 75,
    });
    const stranger = await loggedInAgent(
      ctx.app,
      await createUser(ctx.database.ownerDb, [{ role: 'coordinator', org: other }]),
    );
    await stranger.agent.get(`/orgs/${tree.region.inpo}/chairs`).expect(404);
    await stranger.agent
      .post(`/orgs/${tree.region.inpo}/chairs/provision`)
      .type('form')
      .send({ _csrf: stranger.csrf })
      .expect(404);
  });
});
