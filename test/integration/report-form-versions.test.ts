import { beforeAll, describe, expect, it } from 'vitest';
import { installDefaultForms, readDefaultForms } from '../../src/reports/forms/default-forms';
import type { Agent } from '../support/agents';
import { loggedInAgent } from '../support/agents';
import { useTestApp } from '../support/app';
import { createUser, unionRoot } from '../support/factories';
import { D, buildReportFixture, insertNonMember, type ReportFixture } from '../support/report-fixture';

// Item 12 of issue 12: the consolidated forms number their four sections once each, split the own paid
// staff as forms.md says, КДК-2 says whether the level's own agreement is in force — shipped as new
// versions of the forms, while reports filed on the old versions keep them.

interface Def {
  code: string;
  title: string;
  version: number;
  sections: { title: string; lines: { no: string; label: string; formula?: string; type?: string }[] }[];
  controls: { id: string; rule: string }[];
}
const shipped = (code: string) =>
  structuredClone(readDefaultForms().find((f) => f.file === `form-${code}.json`)!.definition) as Def;
type Line = { no: string; section: string; type: string; values?: Record<string, number | null>; text?: string };

describe('the shipped definitions', () => {
  it.each(['2-SP', '1-SP'])(
    '%s has sections I members, II elected bodies, III structure, IV own bodies — each number once',
    (code) => {
      const def = shipped(code);
      expect(def.version).toBeGreaterThan(1);
      expect(def.sections.map((s) => /^Раздел ([IVX]+)\./.exec(s.title)?.[1])).toEqual(['I', 'II', 'III', 'IV']);
      const first = (s: number) => def.sections[s]!.lines[0]!.no;
      expect([first(0), first(1), first(2), first(3)]).toEqual(['01', '22', '40', '60']);
    },
  );

  it.each(['2-SP', '1-SP'])(
    '%s splits the own paid staff into specialists, accountants, legal and labour-safety inspectors',
    (code) => {
      const own = shipped(code).sections[3]!.lines;
      const formulas = Object.fromEntries(own.map((l) => [l.no, l.formula]));
      expect(formulas).toMatchObject({
        '66': 'own_staff',
        '67': 'own_volunteer_inspector',
        '68': 'own_staff_specialist',
        '69': 'own_staff_accountant',
        '70': 'own_staff_legal_inspector',
        '71': 'own_staff_safety_inspector',
      });
      expect(shipped(code).controls.find((c) => c.id === 'staff-split')?.rule).toBe('sum(@68..@71) <= @66');
    },
  );

  it('КДК-2 line 09 is the flag «the level’s own agreement is in force», its term and registration follow', () => {
    const def = shipped('KDK-2');
    expect(def.version).toBeGreaterThan(1);
    const lines = def.sections.flatMap((s) => s.lines);
    expect(lines.find((l) => l.no === '09')).toMatchObject({ type: 'flag', formula: 'own_agreement_active' });
    expect(lines.filter((l) => ['10', '11'].includes(l.no)).map((l) => l.type)).toEqual(['text', 'text']);
  });
});

describe('the new versions in a database', () => {
  const ctx = useTestApp();
  let fx: ReportFixture;
  let admin: { agent: Agent; csrf: string };
  const STAFF = [
    { post: 'staff_specialist', surname: 'Белова', sex: 'f', birth: '1995-05-05' },
    { post: 'staff_specialist', surname: 'Рябов', sex: 'm', birth: '1970-05-05' },
    { post: 'staff_accountant', surname: 'Зайцева', sex: 'f', birth: '1980-05-05' },
    { post: 'staff_legal_inspector', surname: 'Титов', sex: 'm', birth: '1996-05-05' },
    { post: 'staff_safety_inspector', surname: 'Ершова', sex: 'f', birth: '1962-05-05' },
    // ended before the report date: not on staff then
    { post: 'staff_accountant', surname: 'Кротова', sex: 'f', birth: '1990-05-05', endedOn: '2026-02-01' },
  ];

  beforeAll(async () => {
    const db = ctx.database.ownerDb;
    fx = await buildReportFixture(db);
    admin = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'admin', org: await unionRoot(db) }]));
    for (const [i, s] of STAFF.entries()) {
      // staff are people outside the registry, recorded by SNILS (numbers after the fixture's own)
      const personId = await insertNonMember(db, { ...s, sex: s.sex as 'm' | 'f' }, 1000 + i);
      await db('org_officers').insert({
        organization_id: fx.orgs.T.id,
        post: s.post,
        surname: s.surname,
        name: 'Тест',
        person_id: personId,
        elected_on: '2020-01-01',
        ended_on: s.endedOn ?? null,
      });
    }
  });

  const report = async (code: string, inpo: string, query = '?source=live') =>
    (await admin.agent.get(`/reports/${code}/${inpo}/${D}.json${query}`).expect(200)).body as {
      form: { version: number };
      lines: Line[];
    };
  const lineOf = (r: { lines: Line[] }, no: string) => r.lines.find((l) => l.no === no)!;

  it('2-СП counts the own staff by kind on the date, with women and under-35 from the person', async () => {
    const r = await report('2-SP', fx.orgs.T.inpo);
    const onDate = STAFF.filter((s) => !s.endedOn || s.endedOn > D);
    const count = (post: string) => {
      const people = onDate.filter((s) => s.post === post);
      const youth = people.filter(
        (s) => Number(D.slice(0, 4)) - Number(s.birth.slice(0, 4)) - (D.slice(5) < s.birth.slice(5) ? 1 : 0) < 35,
      );
      return { total: people.length, women: people.filter((s) => s.sex === 'f').length, youth: youth.length };
    };
    expect(lineOf(r, '68').values).toEqual(count('staff_specialist'));
    expect(lineOf(r, '69').values).toEqual(count('staff_accountant'));
    expect(lineOf(r, '70').values).toEqual(count('staff_legal_inspector'));
    expect(lineOf(r, '71').values).toEqual(count('staff_safety_inspector'));
    // the fixture's own staff member whose kind was never recorded counts in the total only
    expect(lineOf(r, '66').values!.total).toBe(onDate.length + 1);
    expect(lineOf(r, '22').section).toMatch(/^Раздел II\./);
    expect(lineOf(r, '40').section).toMatch(/^Раздел III\./);
    expect(lineOf(r, '60').section).toMatch(/^Раздел IV\./);
  });

  it('КДК-2 line 09: 1 where the organization’s own agreement is in force on the date, 0 where it has none', async () => {
    expect(lineOf(await report('KDK-2', fx.orgs.T.inpo), '09').values).toEqual({ total: 1 });
    expect(lineOf(await report('KDK-2', fx.orgs.R.inpo), '09').values).toEqual({ total: 0 });
    const union = await unionRoot(ctx.database.ownerDb);
    expect(lineOf(await report('KDK-2', union.inpo), '09').values).toEqual({ total: 0 });
  });

  it('an upgrade installs the shipped version as active; a report filed on version 1 keeps version 1', async () => {
    const db = ctx.database.ownerDb;
    const v2 = await db('form_versions').where({ code: '2-SP', status: 'active' }).first();
    // the database as it was before: version 1 of 2-СП (two sections «Раздел II»), active
    const v1 = shipped('2-SP');
    v1.version = 1;
    v1.sections[2]!.title = 'Раздел II. Структура';
    v1.sections[3]!.title = 'Раздел III. Выборные органы и аппарат организации';
    v1.sections[3]!.lines = v1.sections[3]!.lines.filter((l) => Number(l.no) <= 67);
    v1.controls = v1.controls.filter((c) => c.id !== 'staff-split');
    await db('form_versions').where({ id: v2.id }).delete();
    await db('form_versions').insert({
      code: '2-SP',
      version: 1,
      title: v1.title,
      definition: JSON.stringify(v1),
      status: 'active',
      activated_at: db.fn.now(),
    });
    await db('reports').where({ form_code: '2-SP' }).delete();
    await admin.agent
      .post(`/reports/2-SP/${fx.orgs.T.inpo}/${D}/file`)
      .type('form')
      .send({ _csrf: admin.csrf })
      .expect(303);
    const filed = await report('2-SP', fx.orgs.T.inpo, '');
    expect(filed.form.version).toBe(1);

    await installDefaultForms(db);

    const versions = await db('form_versions').where({ code: '2-SP' }).orderBy('version').select('version', 'status');
    expect(versions).toEqual([
      { version: 1, status: 'retired' },
      { version: shipped('2-SP').version, status: 'active' },
    ]);
    const kept = await report('2-SP', fx.orgs.T.inpo, '');
    expect(kept.form.version).toBe(1);
    expect(kept.lines).toEqual(filed.lines);
    expect(kept.lines.filter((l) => l.section.startsWith('Раздел II.')).map((l) => l.no)).toContain('40');
    const live = await report('2-SP', fx.orgs.T.inpo);
    expect(live.form.version).toBe(shipped('2-SP').version);
    expect(live.lines.map((l) => l.no)).toContain('71');
    // installing again changes nothing
    await installDefaultForms(db);
    expect(await db('form_versions').where({ code: '2-SP' }).orderBy('version').select('version', 'status')).toEqual(
      versions,
    );
  });
});
