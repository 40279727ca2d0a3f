import { beforeAll, describe, expect, it } from 'vitest';
import { compileDefinition } from '../../src/reports/forms/compile';
import { readDefaultForms } from '../../src/reports/forms/default-forms';
import type { Agent } from '../support/agents';
import { loggedInAgent } from '../support/agents';
import { useTestApp } from '../support/app';
import { createUser, unionRoot } from '../support/factories';
import { D, buildReportFixture, type ReportFixture } from '../support/report-fixture';

// Forms are data: definitions are validated with precise messages, previewed, activated; reports
// made with an older version keep it.

const fiveSp = () =>
  structuredClone(readDefaultForms().find((f) => f.file === 'form-5-SP.json')!.definition) as {
    version: number;
    sections: { title: string; lines: { no: string; label: string; formula?: string }[] }[];
    controls: { id: string; rule: string; message: string }[];
  };

describe('validation of a definition', () => {
  it('accepts every default form', () => {
    for (const { file, definition } of readDefaultForms())
      expect({ file, result: compileDefinition(definition).ok }).toEqual({ file, result: true });
  });

  it('refuses unknown indicators, missing lines, cycles, bad syntax and bad structure with precise messages', () => {
    const errorsOf = (mutate: (d: ReturnType<typeof fiveSp>) => void) => {
      const d = fiveSp();
      mutate(d);
      const result = compileDefinition(d);
      return result.ok ? [] : result.errors;
    };
    expect(
      errorsOf((d) => {
        d.sections[0]!.lines[1]!.formula = 'members_workin';
      }),
    ).toEqual(['Строка 02: неизвестный показатель «members_workin»']);
    expect(
      errorsOf((d) => {
        d.sections[0]!.lines[8]!.formula = '@02 + @99';
      }),
    ).toEqual(['Строка 09: ссылка на несуществующую строку @99']);
    expect(
      errorsOf((d) => {
        d.sections[0]!.lines[8]!.formula = '@02 + @10';
        d.sections[0]!.lines[9]!.formula = '@09 - 1';
      }),
    ).toEqual(['Строки образуют цикл: 09 → 10 → 09']);
    expect(
      errorsOf((d) => {
        d.sections[0]!.lines[8]!.formula = '@02 + (@06';
      }),
    ).toEqual(['Строка 09: ошибка в формуле «@02 + (@06»: ожидалось «)», а выражение закончилось']);
    expect(
      errorsOf((d) => {
        d.controls[0]!.rule = '@02 @01';
      }),
    ).toEqual([
      'Проверка members-le-staff: ошибка в условии «@02 @01»: в проверке нужно сравнение: <=, >=, =, !=, < или >',
    ]);
    expect(
      errorsOf((d) => {
        d.controls[0]!.rule = 'max(@30..@22) >= 0';
      }),
    ).toEqual(['Проверка members-le-staff: в диапазоне @30..@22 начало стоит после конца']);
    expect(
      errorsOf((d) => {
        (d as Record<string, unknown>).reportingDates = ['13-01'];
      }),
    ).toEqual(['reportingDates.0: дата отчёта — в виде ММ-ДД, например «01-01»']);
    expect(
      errorsOf((d) => {
        d.sections[0]!.lines[2]!.no = '01';
      }),
    ).toContain('Строка 01: номер повторяется');
    const carry = (carriedForward: unknown) => (d: ReturnType<typeof fiveSp>) => {
      (d as Record<string, unknown>).carriedForward = carriedForward;
    };
    expect(errorsOf(carry({ line: '99', indicator: 'members_at_stat', columns: ['total'] }))).toEqual([
      'carriedForward: строки 99 в форме нет',
      'carriedForward: неизвестный показатель «members_at_stat»',
    ]);
    expect(errorsOf(carry({ line: '09', indicator: 'members_at_start', columns: [] }))).toEqual([
      'carriedForward.columns: назовите графы, которые берутся из сданного отчёта',
    ]);
  });
});

describe('uploading a new version', () => {
  const ctx = useTestApp();
  let fx: ReportFixture;
  let admin: { agent: Agent; csrf: string };
  let chair: { agent: Agent; csrf: string };
  let coordinator: { agent: Agent; csrf: string };

  beforeAll(async () => {
    const db = ctx.database.ownerDb;
    fx = await buildReportFixture(db);
    admin = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'admin', org: await unionRoot(db) }]));
    chair = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'chair', org: fx.orgs.B }]));
    coordinator = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'coordinator', org: fx.orgs.R }]));
  });

  const upload = (definition: unknown) =>
    admin.agent
      .post(`/admin/forms?_csrf=${encodeURIComponent(admin.csrf)}`)
      .attach('file', Buffer.from(JSON.stringify(definition)), 'form.json');

  it('refuses a version with an unknown indicator, saying which line and which name', async () => {
    const d = fiveSp();
    d.version = 2;
    d.sections[0]!.lines[9]!.formula = 'members_on_leave';
    const res = await upload(d).expect(422);
    expect(res.text).toContain('Строка 10: неизвестный показатель «members_on_leave»');
    expect(res.text).toContain('Определение формы не принято');
    await upload({ ...fiveSp(), version: 7 })
      .expect(422)
      .then((r) => expect(r.text).toContain('для формы 5-СП следующая версия — 2, а в файле указана 7'));
    await admin.agent
      .post(`/admin/forms?_csrf=${encodeURIComponent(admin.csrf)}`)
      .attach('file', Buffer.from('{"code": '), 'form.json')
      .expect(422)
      .then((r) =>
        expect(r.text).toContain(
          'Определение формы не является корректным JSON (строка 1, позиция 9): текст обрывается',
        ),
      );
  });

  it('a valid version is previewed, activated, changes new reports and leaves filed ones intact', async () => {
    const form = (code: string, rest = '') => `/reports/${code}/${fx.orgs.B.inpo}/${D}${rest}`;
    await chair.agent.post(form('5-SP', '/file')).type('form').send({ _csrf: chair.csrf }).expect(303);
    const filed = (await chair.agent.get(form('5-SP', '.json')).expect(200)).body;
    expect(filed.form.version).toBe(1);

    const d = fiveSp();
    d.version = 2;
    d.sections[0]!.lines[6] = {
      no: '07',
      label: 'Неработающих пенсионеров и временно не работающих',
      formula: 'members_pensioner + members_unemployed',
    };
    d.sections[0]!.lines[7] = {
      no: '08',
      label: 'Справочно: члены Профсоюза на начало периода',
      formula: 'members_at_start',
    };
    d.sections[0]!.lines[8]!.formula = '@02 + @06 + @07';
    d.controls = d.controls.filter((c) => c.id !== 'members-total');
    const created = await upload(d).expect(303);
    const versionUrl = created.headers.location!;
    const preview = await admin.agent.get(`${versionUrl}?inpo=${fx.orgs.B.inpo}&date=${D}`).expect(200);
    expect(preview.text).toContain('Справочно: члены Профсоюза на начало периода');
    // not active yet: drafts still use version 1
    expect((await coordinator.agent.get(form('5-SP', '.json?source=live')).expect(200)).body.form.version).toBe(1);

    const page = await admin.agent.get(versionUrl).expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    // activation asks first, saying which version it replaces and what happens to drafts and filed reports
    const asked = await admin.agent.post(`${versionUrl}/activate`).type('form').send({ _csrf: csrf }).expect(200);
    expect(asked.text).toContain('Версия 2 формы 5-СП станет действующей, версия 1 перестанет действовать.');
    expect(asked.text).toContain('Сданные отчёты останутся по той версии, по которой их сдали.');
    expect((await coordinator.agent.get(form('5-SP', '.json?source=live')).expect(200)).body.form.version).toBe(1);
    await admin.agent.post(`${versionUrl}/activate`).type('form').send({ _csrf: csrf, confirmed: '1' }).expect(303);

    const draft = (await coordinator.agent.get(form('5-SP', '.json?source=live')).expect(200)).body;
    expect(draft.form.version).toBe(2);
    expect(draft.lines.find((l: { no: string }) => l.no === '08').label).toBe(
      'Справочно: члены Профсоюза на начало периода',
    );
    const stillFiled = (await coordinator.agent.get(form('5-SP', '.json')).expect(200)).body;
    expect(stillFiled.form.version).toBe(1);
    expect(stillFiled.lines).toEqual(filed.lines);
    const html = (await coordinator.agent.get(form('5-SP')).expect(200)).text;
    expect(html).toContain('Временно не работающих членов Профсоюза'); // the filed version renders its own lines
  });

  it('only a federal administrator manages forms', async () => {
    await coordinator.agent.get('/admin/forms').expect(404);
    await chair.agent.get('/admin/forms').expect(404);
    await admin.agent.get('/admin/forms').expect(200);
  });
});
