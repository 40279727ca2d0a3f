import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser } from '../support/factories';

const ctx = useTestApp();
let tree: Awaited<ReturnType<typeof createRegionTree>>;

beforeAll(async () => {
  tree = await createRegionTree(ctx.database.ownerDb, 21);
});

const db = () => ctx.database.ownerDb;

/** Every link of the page's own paths (not the assets), each once. */
const linksOf = (html: string) =>
  [...new Set([...html.matchAll(/href="(\/[^"#]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&')))].filter(
    (href) => !href.startsWith('/static/') && !href.startsWith('/assets/'),
  );

async function memberOf(org: Awaited<ReturnType<typeof createOrg>>): Promise<{ agent: Agent; id: number }> {
  const [id] = await createMembers(db(), org, 1);
  const user = await createUser(db(), [{ role: 'member', org }]);
  await db()('users').where({ id: user.id }).update({ member_id: id });
  return { agent: (await loggedInAgent(ctx.app, user)).agent, id: id! };
}

describe("a member's own card (issue 16, item 18)", () => {
  it('when a member opens their card, then every link on it opens and the card shows their ППО with its contacts and chair', async () => {
    const ppo = await createOrg(db(), tree.territory, 'primary', { name: 'ППО Лицея № 3' });
    await db()('organizations')
      .where({ id: ppo.id })
      .update({ phone: '+78432223344', email: 'lyceum3@example.ru', address: 'г. Казань, ул. Садовая, 3' });
    await db()('org_officers').insert({
      organization_id: ppo.id,
      post: 'chair',
      surname: 'Волкова',
      name: 'Елена',
      patronymic: 'Сергеевна',
      elected_on: '2024-01-01',
    });
    const unit = await createOrg(db(), ppo, 'subdivision', { name: 'Профбюро начальной школы' });
    const member = await memberOf(unit);

    const card = await member.agent.get(`/members/${member.id}`).expect(200);
    for (const href of linksOf(card.text)) {
      const res = await member.agent.get(href);
      expect(res.status, `${href} answers ${res.status}`).toBeLessThan(400);
    }
    expect(card.text).not.toContain(`/orgs/${unit.inpo}/members`);
    for (const shown of [
      'ППО Лицея № 3',
      '+7 (843) 222-33-44',
      'lyceum3@example.ru',
      'г. Казань, ул. Садовая, 3',
      'Волкова Елена Сергеевна',
    ]) {
      expect(card.text).toContain(shown);
    }
  });

  it('when a chair opens a card of their ППО, then the breadcrumb still leads to the member list', async () => {
    const ppo = await createOrg(db(), tree.territory, 'primary');
    const [id] = await createMembers(db(), ppo, 1);
    const chair = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: ppo }]));
    const card = await chair.agent.get(`/members/${id}`).expect(200);
    expect(card.text).toContain(`href="/orgs/${ppo.inpo}/members"`);
  });
});
