import { describe, expect, it } from 'vitest';
import { compileDefinition, type CompiledForm } from '../../src/reports/forms/compile';
import { evaluateForm, type Evaluation } from '../../src/reports/forms/evaluate';
import type { ColumnValues, IndicatorValues } from '../../src/reports/indicators/engine';
import { linesForm, type ControlInput, type LineInput } from '../support/form-definitions';

function form(lines: LineInput[], controls: ControlInput[] = [], extra: Record<string, unknown> = {}): CompiledForm {
  const result = compileDefinition(linesForm(lines, controls, extra));
  if (!result.ok) throw new Error(result.errors.join('; '));
  return result.form;
}

const v = (total: number | null, women: number | null = null, youth: number | null = null): ColumnValues => ({
  total,
  women,
  youth,
});
const lineValues = (evaluation: Evaluation) =>
  Object.fromEntries(evaluation.sections.flatMap((s) => s.lines).map((l) => [l.no, l.values]));

const VALUES: IndicatorValues = {
  members: v(10, 6, 2),
  members_working: v(8, 5, 2),
  members_pensioner: v(2, 1, 0),
  staff_total: v(20),
};

describe('evaluating a form', () => {
  it('when lines refer to indicators and to each other, then every column is computed on its own', () => {
    const result = evaluateForm(
      form([
        { no: '01', formula: 'members_working' },
        { no: '02', formula: 'members_pensioner' },
        { no: '03', formula: '@01 + @02' },
      ]),
      VALUES,
      {},
    );
    expect(lineValues(result)).toEqual({ '01': v(8, 5, 2), '02': v(2, 1, 0), '03': v(10, 6, 2) });
  });

  it('when a percent line divides, then it is a percentage with one decimal, of this report’s own numbers', () => {
    const result = evaluateForm(
      form([
        { no: '01', formula: 'members / staff_total', type: 'percent', columns: ['total'] },
        { no: '02', formula: 'members_pensioner / members', type: 'percent' },
      ]),
      VALUES,
      {},
    );
    expect(lineValues(result)).toEqual({ '01': v(50), '02': v(20, 16.7, 0) });
  });

  it('when an indicator is absent or a column is not the line’s, then the value is empty, not zero', () => {
    const result = evaluateForm(
      form([
        { no: '01', formula: 'members_student + members' },
        { no: '02', formula: 'members', columns: ['total'] },
      ]),
      VALUES,
      {},
    );
    expect(lineValues(result)).toEqual({ '01': v(null), '02': v(10) });
  });

  it('when a line is a text field, then it carries the organization’s text and no columns', () => {
    const result = evaluateForm(
      form([
        { no: '01', type: 'text', text: 'agreement_term' },
        { no: '02', type: 'text', text: 'agreement_none_reason' },
      ]),
      VALUES,
      { agreement_term: 'с 01.01.2025 по 31.12.2027' },
    );
    expect(result.sections[0]!.lines.map((l) => [l.text, l.columns])).toEqual([
      ['с 01.01.2025 по 31.12.2027', []],
      ['', []],
    ]);
  });

  it('when a control fails in some columns, then each failed column is listed with both sides and the cards behind the line', () => {
    const result = evaluateForm(
      form(
        [
          { no: '01', formula: 'members_working', cards: 'members_working' },
          { no: '02', formula: 'members_pensioner' },
        ],
        [{ id: 'few-pensioners', rule: '@01 <= @02 * 4', columns: ['total', 'women', 'youth'], severity: 'warning' }],
      ),
      VALUES,
      {},
    );
    expect(result.failures).toEqual([
      {
        id: 'few-pensioners',
        message: 'Проверка few-pensioners',
        severity: 'warning',
        rule: '@01 <= @02 * 4',
        cardsIndicator: 'members_working',
        failures: [
          { column: 'women', left: 5, right: 4 },
          { column: 'youth', left: 2, right: 0 },
        ],
      },
    ]);
    expect(result.unchecked).toEqual([]);
  });

  it('when a side of a control is absent, then the control is unchecked, neither passed nor failed', () => {
    const result = evaluateForm(
      form([{ no: '01', formula: 'members' }], [{ id: 'with-staff', rule: '@01 <= staff_ped', cards: 'members' }]),
      VALUES,
      {},
    );
    expect(result).toMatchObject({
      failures: [],
      unchecked: [{ id: 'with-staff', message: 'Проверка with-staff', rule: '@01 <= staff_ped' }],
    });
  });

  it('when a part column exceeds the total on a count line, then the column control fails it; switched off, it does not', () => {
    const values = { ...VALUES, members: v(5, 6, 7) };
    const lines = [{ no: '01', formula: 'members' }];
    expect(evaluateForm(form(lines), values, {}).failures.map((f) => [f.id, f.message, f.failures])).toEqual([
      ['columns-01-women', 'Строка 01: женщин больше, чем всего', [{ column: 'women', left: 6, right: 5 }]],
      ['columns-01-youth', 'Строка 01: молодёжи до 35 лет больше, чем всего', [{ column: 'youth', left: 7, right: 5 }]],
    ]);
    expect(evaluateForm(form(lines, [], { columnControls: false }), values, {}).failures).toEqual([]);
  });

  it('when children’s filed reports override summable lines, then those lines and the lines built on them use the sums; others are computed', () => {
    const compiled = form([
      { no: '01', formula: 'members_working' },
      { no: '02', formula: '@01 * 2' },
      { no: '03', formula: 'members / staff_total', type: 'percent', columns: ['total'] },
    ]);
    const filed: Record<string, ColumnValues> = { '01': v(100, 60, 30), '03': v(99) };
    const result = evaluateForm(compiled, VALUES, {}, (no) => filed[no]);
    expect(lineValues(result)).toEqual({ '01': v(100, 60, 30), '02': v(200, 120, 60), '03': v(50) });
  });
});
