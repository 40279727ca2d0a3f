import { beforeAll, describe, expect, it } from 'vitest';
import { CARD_STATUS_LABELS } from '../../src/cards/card-statuses';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createRegionTree, createUser } from '../support/factories';
import { D } from '../support/report-fixture';

// Messages that name an organization put the name in the nominative after a colon; states agree with «карта».

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let chair: { agent: Agent; csrf: string };

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  chair = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: tree.primary }]));
});

describe('Russian grammar of the pages', () => {
  it('when a card state is a participle, then it is feminine, agreeing with «карта»', () => {
    expect(CARD_STATUS_LABELS.delivered_to_region).toBe('Доставлена в регион');
    expect(CARD_STATUS_LABELS.issued).toBe('Выдана');
    const masculine = Object.values(CARD_STATUS_LABELS).filter((label) =>
      /^[А-ЯЁ][а-яё]+(ан|ен|ён|ут|ит)(\s|$)/.test(label),
    );
    expect(masculine).toEqual([]);
  });

  it('when a chair reads where a report goes, then the higher organization stands in the nominative after a colon', async () => {
    const page = (await chair.agent.get(`/reports/5-SP/${tree.primary.inpo}/${D}`).expect(200)).text;
    expect(page).toContain(`Цифры будут заморожены и переданы: ${tree.territory.name}.`);
    expect(page).not.toContain(`переданы в ${tree.territory.name}`);
  });

  it('when the duplicates page explains a merge, then it says «в первую карточку»', async () => {
    const page = (await chair.agent.get(`/orgs/${tree.primary.inpo}/members/duplicates`).expect(200)).text;
    expect(page).toContain('в первую карточку группы');
    expect(page).not.toContain('во первую');
  });
});
