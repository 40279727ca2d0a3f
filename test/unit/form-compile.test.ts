import { describe, expect, it } from 'vitest';
import { compileDefinition, compiledForm, type CompiledForm } from '../../src/reports/forms/compile';
import { linesForm } from '../support/form-definitions';

function compiled(definition: unknown): CompiledForm {
  const result = compileDefinition(definition);
  if (!result.ok) throw new Error(result.errors.join('; '));
  return result.form;
}

function errorsOf(definition: unknown): string[] {
  const result = compileDefinition(definition);
  return result.ok ? [] : result.errors;
}

describe('compiling a form definition', () => {
  it('when a definition is sound, then its lines are parsed once, in order, with the indicators it needs', () => {
    const form = compiled(
      linesForm(
        [
          { no: '01', formula: 'members_working' },
          { no: '02', formula: 'members_pensioner' },
          { no: '03', formula: '@01 + @02' },
        ],
        [{ id: 'c1', rule: '@03 >= @01' }],
      ),
    );
    expect(form.order).toEqual(['01', '02', '03']);
    expect(form.lines.get('03')!.expr).toEqual({
      k: 'bin',
      op: '+',
      a: { k: 'line', no: '01' },
      b: { k: 'line', no: '02' },
    });
    expect([...form.indicators].sort()).toEqual(['members_pensioner', 'members_working']);
    expect(form.controls.map((c) => c.rule.op)).toEqual(['>=']);
  });

  it('when the shape is wrong, then each problem is named with its path', () => {
    expect(errorsOf({ ...linesForm([{ no: '1', formula: 'members' }]), version: 0 })).toEqual([
      expect.stringMatching(/^version: /),
      'sections.0.lines.0.no: номер строки — две или три цифры, например «09»',
    ]);
  });

  it('when a line names an unknown indicator, a missing line or a range backwards, then each is reported against its line', () => {
    expect(
      errorsOf(
        linesForm([
          { no: '01', formula: 'members_flying' },
          { no: '02', formula: '@09 + 1' },
          { no: '03', formula: 'sum(@02..@01)' },
        ]),
      ),
    ).toEqual([
      'Строка 01: неизвестный показатель «members_flying»',
      'Строка 02: ссылка на несуществующую строку @09',
      'Строка 03: в диапазоне @02..@01 начало стоит после конца',
    ]);
  });

  it('when a formula does not parse, then the error quotes it and says where it broke', () => {
    expect(errorsOf(linesForm([{ no: '01', formula: 'members +' }]))).toEqual([
      'Строка 01: ошибка в формуле «members +»: выражение оборвано',
    ]);
    expect(errorsOf(linesForm([{ no: '01', formula: 'members' }], [{ id: 'c1', rule: '@01 + 1' }]))).toEqual([
      'Проверка c1: ошибка в условии «@01 + 1»: в проверке нужно сравнение: <=, >=, =, !=, < или >',
    ]);
  });

  it('when lines are defined through each other, then the cycle is shown from where it closes', () => {
    expect(
      errorsOf(
        linesForm([
          { no: '01', formula: '@03' },
          { no: '02', formula: '@01' },
          { no: '03', formula: 'sum(@01..@02)' },
        ]),
      ),
    ).toEqual(['Строки образуют цикл: 01 → 03 → 01']);
  });

  it('when line numbers or control ids repeat, then both are refused', () => {
    expect(
      errorsOf(
        linesForm(
          [
            { no: '01', formula: 'members' },
            { no: '01', formula: 'members' },
          ],
          [
            { id: 'c', rule: '1 = 1' },
            { id: 'c', rule: '1 = 1' },
          ],
        ),
      ),
    ).toEqual(['Строка 01: номер повторяется', 'Проверка c: идентификатор повторяется']);
  });

  it('when cards are asked for by an indicator that is not a count of members, then the line is refused', () => {
    expect(errorsOf(linesForm([{ no: '01', formula: 'staff_total', cards: 'staff_total' }]))).toEqual([
      'Строка 01: cards — «staff_total» не показатель состава членов (members_…), карточки по нему не перечислить',
    ]);
    expect(compiled(linesForm([{ no: '01', formula: 'staff_total', cards: 'members_working' }])).indicators).toContain(
      'members_working',
    );
  });

  it('when lines count summable indicators or add such lines up, then they are taken from the children; percents and mixed lines are not', () => {
    const form = compiled(
      linesForm([
        { no: '01', formula: 'members_working' },
        { no: '02', formula: 'members_pensioner' },
        { no: '03', formula: '@01 + @02' },
        { no: '04', formula: '@01 - @02' },
        { no: '05', formula: 'members_working / members', type: 'percent' },
        { no: '06', formula: 'own_staff' },
      ]),
    );
    const summable = Object.fromEntries([...form.lines].map(([no, c]) => [no, c.summable]));
    expect(summable).toEqual({ '01': true, '02': true, '03': true, '04': false, '05': false, '06': false });
  });

  it('when a list form names an unknown list or column, then it is refused; a known one compiles with no lines', () => {
    const list = {
      ...linesForm([]),
      kind: 'list',
      list: 'primary_agreements',
      listColumns: [{ key: 'inpo', label: 'ИНПО' }],
    } as Record<string, unknown>;
    for (const key of ['columns', 'sections', 'controls']) delete list[key];
    expect(compiled(list).order).toEqual([]);
    expect(errorsOf({ ...list, listColumns: [{ key: 'salary', label: 'Зарплата' }] })).toEqual([
      'listColumns: неизвестная колонка «salary» списка primary_agreements',
    ]);
    expect(errorsOf({ ...list, list: 'nothing' })[0]).toMatch(/^list: неизвестный список «nothing»/);
  });

  it('when a stored definition is compiled again, then the cached form is returned; a broken one throws', () => {
    const definition = linesForm([{ no: '01', formula: 'members' }]);
    expect(compiledForm(definition)).toBe(compiledForm(definition));
    expect(() => compiledForm(linesForm([{ no: '01', formula: 'nope' }]))).toThrow(/stored form definition is invalid/);
  });
});
