import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app';
import { chairRow, createMembers, createRegionTree } from '../support/factories';
import { findOrgById } from '../../src/registry/orgs.repo';
import { findActiveForm } from '../../src/reports/forms/forms.repo';
import { buildReport } from '../../src/reports/report-builder';

// Issue 15, item 5: a ППО's draft is small work, and each statement it sends costs a round trip and a wake-up
// of PostgreSQL. Its figures go in one statement with the lists behind its data gaps, over its units found
// once; the cards behind its failed controls in one more, without a transaction (a subtree's work_mem is no
// concern of a ППО's few hundred periods).

const ctx = useTestApp();
const D = '2026-04-01';

describe('the statements of a ППО’s draft', () => {
  it('when the 5-СП of a ППО has two failed controls and a data gap, then it sends its tree’s check, one statement for the figures and the gaps, and one for the cards of both', async () => {
    const db = ctx.database.ownerDb;
    const tree = await createRegionTree(db, 63);
    await createMembers(db, tree.primary, 3, { is_pedagogical: true });
    // one employee, no teacher by the passport against three working members, teachers: line 02 > line 01 and
    // line 04 > line 03 fail, each with its cards
    await db('org_headcounts').insert({
      organization_id: tree.primary.id,
      as_of: '2020-01-01',
      employees_total: 1,
      employees_pedagogical: 0,
    });
    // a chair typed without a person: the officers' gap
    await db('org_officers').insert(chairRow(tree.primary.id, '2029-01-01'));
    const app = ctx.deps.db;
    const form = (await findActiveForm(app, '5-SP'))!;
    const org = (await findOrgById(app, tree.primary.id))!;

    const sql: string[] = [];
    const listener = (query: { sql: string }) => sql.push(query.sql);
    app.on('query', listener);
    const report = await buildReport(app, form, org, D).finally(() => app.off('query', listener));

    expect(sql).toHaveLength(3);
    expect(sql[1]).toContain('row_units');
    const lines = new Map(report.sections.flatMap((s) => s.lines).map((l) => [l.no, l.values]));
    expect(lines.get('01')?.total).toBe(1);
    expect(lines.get('02')).toMatchObject({ total: 3, women: 3 });
    const failed = report.controls.filter((c) => c.cardsTotal).map((c) => [c.id, c.cards.map((r) => r.surname)]);
    expect(failed).toEqual([
      ['members-le-staff', ['Петрова', 'Петрова', 'Петрова']],
      ['ped-members-le-ped-staff', ['Петрова', 'Петрова', 'Петрова']],
    ]);
    expect(report.gaps.map((g) => ({ orgs: g.orgs.map((o) => o.inpo), total: g.total }))).toEqual([
      { orgs: [tree.primary.inpo], total: 1 },
    ]);
    expect(report.gaps[0]!.message).toMatch(/^Выборные лица без персоны/);
  });
});
