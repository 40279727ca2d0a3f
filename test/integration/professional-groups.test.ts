// A working member's professional group is a choice from the union's list (issue 17, item 4): the table the
// cards reference, the migration that mapped the typed values onto it, and the card form's select.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import * as fk from '../../migrations/20261202110300_add-professional-group-reference';
import * as mapping from '../../migrations/20261202110200_map-professional-groups';
import { PROFESSIONAL_GROUPS } from '../../src/members/professional-groups';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createRegionTree, createUser, unionRoot } from '../support/factories';
import { hiddenFields } from '../support/forms';
import { createTestDatabase, type TestDatabase } from '../support/db';

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let chair: Agent;

beforeAll(async () => {
  tree = await createRegionTree(db(), 12);
  chair = (await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: tree.primary }]))).agent;
});

describe('the professional groups list', () => {
  it('when the table is read, then it holds the application’s list in its order', async () => {
    const rows = await db()('professional_groups').orderBy('position').pluck('name');
    expect(rows).toEqual([...PROFESSIONAL_GROUPS]);
  });

  it('when a card is edited, then the group is picked from the list; another value is 422 with the message by the field', async () => {
    const [id] = await createMembers(db(), tree.primary, 1, { surname: 'Группова' });
    const page = await chair.get(`/members/${id}/edit`).expect(200);
    expect(page.text).toContain('<option value="Научные работники">Научные работники</option>');
    const hidden = hiddenFields(page.text, `/members/${id}/edit`);
    const card = { surname: 'Группова', name: 'Мария', patronymic: 'Ивановна', sex: 'f', birthDate: '1985-05-05' };
    const bad = await chair
      .post(`/members/${id}/edit`)
      .type('form')
      .send({ ...hidden, ...card, professionalGroup: 'Педагоги' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('id="professionalGroup-error"');
    expect(bad.text).toContain('Выберите профессиональную группу из списка');
    const good = await chair
      .post(`/members/${id}/edit`)
      .type('form')
      .send({ ...hidden, ...card, professionalGroup: 'Научные работники' });
    expect(good.status).toBe(303);
    expect((await db()('members').where({ id }).first()).professional_group).toBe('Научные работники');
    // the database refuses a name off the list whatever code writes it
    await expect(db()('members').where({ id }).update({ professional_group: 'Педагоги' })).rejects.toThrow(
      /members_professional_group_fkey/,
    );
  });
});

describe('the review of the values the list did not match', () => {
  it('when the administrator opens it, then each value waiting on a card without a group is listed with its cards; a card given a group drops out', async () => {
    const ids = await createMembers(db(), tree.primary, 3, { surname: 'Несовпавшая' });
    await db()('professional_group_unmatched').insert([
      { member_id: ids[0], value: 'вожатые' },
      { member_id: ids[1], value: 'вожатые' },
      { member_id: ids[2], value: '=1+1' },
    ]);
    const admin = (
      await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'admin', org: await unionRoot(db()) }]))
    ).agent;
    const rowsOf = async () => {
      const page = await admin.get('/admin/professional-groups').expect(200);
      const table = /<table[^>]*id="unmatched-values"[\s\S]*?<\/table>/.exec(page.text)?.[0] ?? '';
      return [
        ...table.matchAll(/<tr>\s*<td>([^<]*)<\/td>\s*<td class="text-end">(\d+)<\/td>\s*<td>([\s\S]*?)<\/td>/g),
      ].map((m) => [
        m[1],
        Number(m[2]),
        [...m[3]!.matchAll(/href="\/members\/(\d+)\/edit"/g)].map((h) => Number(h[1])),
      ]);
    };
    expect(await rowsOf()).toEqual([
      ['вожатые', 2, [ids[0], ids[1]]],
      ['=1+1', 1, [ids[2]]],
    ]);
    await db()('members').where({ id: ids[0] }).update({ professional_group: 'Иные работники' });
    expect(await rowsOf()).toEqual([
      ['=1+1', 1, [ids[2]]],
      ['вожатые', 1, [ids[1]]],
    ]);
    expect((await chair.get('/admin/professional-groups')).status).toBe(404);
  });
});

describe('migration map-professional-groups', () => {
  let database: TestDatabase;
  let own: Knex;
  beforeAll(async () => {
    database = await createTestDatabase();
    own = database.ownerDb;
  });
  afterAll(async () => database.drop());

  it('when typed values are mapped, then matches take the list’s spelling and the rest wait for review, none lost', async () => {
    await fk.down(own);
    await mapping.down(own);
    const { primary } = await createRegionTree(own, 14);
    const typed = [
      '  педагогические   РАБОТНИКИ ',
      'Научные работники',
      'Медицинские-работники',
      'Педагоги',
      'вожатые',
      null,
    ];
    const ids: number[] = [];
    for (const value of typed) ids.push(...(await createMembers(own, primary, 1, { professional_group: value })));
    await mapping.up(own);
    await fk.up(own);
    const after = await own('members').whereIn('id', ids).orderBy('id').pluck('professional_group');
    expect(after).toEqual(['Педагогические работники', 'Научные работники', 'Медицинские работники', null, null, null]);
    const unmatched = await own('professional_group_unmatched').whereIn('member_id', ids).orderBy('member_id');
    expect(unmatched.map((u) => [Number(u.member_id), u.value])).toEqual([
      [ids[3], 'Педагоги'],
      [ids[4], 'вожатые'],
    ]);

    // rolled back, the typed values come back onto their cards
    await fk.down(own);
    await mapping.down(own);
    expect(await own('members').whereIn('id', ids).orderBy('id').pluck('professional_group')).toEqual([
      'Педагогические работники',
      'Научные работники',
      'Медицинские работники',
      'Педагоги',
      'вожатые',
      null,
    ]);
  });
});
