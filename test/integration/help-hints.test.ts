import { beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../support/agents';
import { loggedInAgent } from '../support/agents';
import { useTestApp } from '../support/app';
import { createUser, unionRoot } from '../support/factories';
import { compileDefinition } from '../../src/reports/forms/compile';
import { lineHints } from '../../src/reports/forms/line-hint';
import { readFileSync } from 'node:fs';
import { D, buildReportFixture, type ReportFixture } from '../support/report-fixture';

// Help where it is needed: every report line explains what it counts and from where.

const ctx = useTestApp();
let fx: ReportFixture;
let coordinator: { agent: Agent; csrf: string };

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  fx = await buildReportFixture(db);
  coordinator = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'coordinator', org: fx.orgs.R }]));
});

const hintOf = (html: string, no: string) => {
  const row = html.match(new RegExp(`<tr data-line="${no}">([\\s\\S]*?)</tr>`))?.[1] ?? '';
  return row.match(/<p class="line-hint-text[^"]*">([^<]*)<\/p>/)?.[1]?.trim();
};

describe('report line hints', () => {
  it('when a chair opens 5-СП, then every line says what it counts and from where', async () => {
    const html = (await coordinator.agent.get(`/reports/5-SP/${fx.orgs.B.inpo}/${D}?source=live`).expect(200)).text;
    const lines = [...html.matchAll(/<tr data-line="(\d+)">/g)].map((m) => m[1]!);
    expect(lines.length).toBeGreaterThan(10);
    for (const no of lines) expect(hintOf(html, no), `line ${no}`).toMatch(/\S{3,}/);
    expect(hintOf(html, '01')).toBe(
      'Работников у работодателей — из паспортов первичных организаций, вкладка «Численность» (по данным работодателя).',
    );
    expect(hintOf(html, '02')).toBe('Работающие члены Профсоюза — по карточкам членов Профсоюза на дату отчёта.');
    expect(html).toContain('<span class="visually-hidden">Что считает строка 02</span>');
  });

  it('when the administrator previews a form version, then its lines carry the same hints', async () => {
    const db = ctx.database.ownerDb;
    const admin = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'admin', org: await unionRoot(db) }]));
    const { id } = await db('form_versions').where({ code: '5-SP', status: 'active' }).first('id');
    const html = (await admin.agent.get(`/admin/forms/${id}?inpo=${fx.orgs.B.inpo}&date=${D}`).expect(200)).text;
    expect(hintOf(html, '02')).toBe('Работающие члены Профсоюза — по карточкам членов Профсоюза на дату отчёта.');
  });

  it('when a consolidated form is opened, then a computed line names its lines and a counted one says it sums filed reports', async () => {
    const html = (await coordinator.agent.get(`/reports/1-SP/${fx.orgs.R.inpo}/${D}?source=live`).expect(200)).text;
    expect(hintOf(html, '09')).toMatch(/^Вычисляется по строкам 02, 06, 07, 08: 02 \+ 06 \+ 07 \+ 08\./);
    expect(hintOf(html, '02')).toContain('В сводном отчёте — сумма отчётов, сданных нижестоящими организациями.');
  });
});

describe('a hint written in the definition', () => {
  const fiveSp = () => JSON.parse(readFileSync('seeds/reference/form-5-SP.json', 'utf8'));

  it('when a line carries its own hint, then it is shown instead of the generated one', () => {
    const d = fiveSp();
    d.sections[0].lines[0].hint = 'Списочная численность на дату отчёта, без совместителей.';
    const compiled = compileDefinition(d);
    expect(compiled.ok).toBe(true);
    expect(lineHints(d)['01']).toBe('Списочная численность на дату отчёта, без совместителей.');
  });

  it('when a hint is empty, then the definition is refused with the line named', () => {
    const d = fiveSp();
    d.sections[0].lines[0].hint = '  ';
    const compiled = compileDefinition(d);
    expect(compiled.ok ? [] : compiled.errors).toEqual([expect.stringMatching(/^sections\.0\.lines\.0\.hint: /)]);
  });
});
