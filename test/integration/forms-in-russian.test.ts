import { beforeAll, describe, expect, it } from 'vitest';
import { formCodeLabel } from '../../src/shared/format';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createRegionTree, createUser, unionRoot } from '../support/factories';
import { D } from '../support/report-fixture';

// Forms speak Russian to people: Cyrillic form codes, parser errors explained, the JSON download for administrators.

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let admin: { agent: Agent; csrf: string };
let chair: { agent: Agent; csrf: string };

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  admin = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'admin', org: await unionRoot(db()) }]));
  chair = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: tree.primary }]));
});

const uploadText = (definition: string) =>
  admin.agent.post('/admin/forms').type('form').send({ _csrf: admin.csrf, definition });

describe('form codes and form uploads in Russian', () => {
  it('when a URL code is shown, then it reads in Cyrillic', () => {
    expect(['1-SP', '5-SP', 'KDK-1', 'KDK-2', 'KDKO'].map(formCodeLabel)).toEqual([
      '1-СП',
      '5-СП',
      'КДК-1',
      'КДК-2',
      'КДКО',
    ]);
  });

  it('when the forms list is opened, then no Latin code stands next to a name', async () => {
    const page = (await admin.agent.get('/admin/forms').expect(200)).text;
    expect(page).toContain('КДК-1');
    expect(page).not.toMatch(/>\s*(\d-SP|KDK-\d|KDKO)\s*</);
  });

  it('when a definition with a trailing comma or a cut end is uploaded, then the message says where and why in Russian', async () => {
    const comma = await uploadText('{\n  "code": "5-SP",\n  "version": 9,\n}').expect(422);
    expect(comma.text).toContain(
      'Определение формы не является корректным JSON (строка 4, позиция 1): название поля должно стоять в двойных кавычках',
    );
    expect(comma.text).not.toMatch(/Expected|position \d|in JSON at/);
    const cut = await uploadText('{"code": "5-SP", "lines": [1, 2').expect(422);
    expect(cut.text).toContain('текст обрывается: не хватает закрывающей скобки или кавычки');
    expect(cut.text).not.toContain('Unexpected end');
  });
});

describe('machine formats of a report', () => {
  it('when a chair opens a report, then no JSON download is offered, though the URL still answers; an administrator sees it', async () => {
    const url = `/reports/5-SP/${tree.primary.inpo}/${D}`;
    const forChair = (await chair.agent.get(url).expect(200)).text;
    expect(forChair).toContain('Скачать Excel');
    expect(forChair).not.toContain(`${url}.json`);
    expect((await chair.agent.get(`/orgs/${tree.primary.inpo}/reports`).expect(200)).text).not.toContain('.json"');
    await chair.agent.get(`${url}.json`).expect(200);
    expect((await admin.agent.get(url).expect(200)).text).toContain(`${url}.json`);
  });
});
