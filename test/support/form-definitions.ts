// Small form definitions for the unit tests of the form compiler and evaluator: a lines form with the
// shape of the shipped ones, each test changing only what it is about.

export interface LineInput {
  no: string;
  label?: string;
  formula?: string;
  text?: string;
  type?: 'count' | 'percent' | 'flag' | 'text';
  columns?: ('total' | 'women' | 'youth')[];
  cards?: string;
}

export interface ControlInput {
  id: string;
  rule: string;
  message?: string;
  columns?: ('total' | 'women' | 'youth')[];
  severity?: 'error' | 'warning';
  cards?: string;
}

export function linesForm(lines: LineInput[], controls: ControlInput[] = [], extra: Record<string, unknown> = {}) {
  return {
    code: 'T-1',
    name: 'Т-1',
    title: 'Тестовая форма',
    version: 1,
    kind: 'lines',
    appliesTo: { levels: ['primary'] },
    reportingDates: ['01-01'],
    columns: [
      { key: 'total', label: 'Всего' },
      { key: 'women', label: 'Женщины' },
      { key: 'youth', label: 'До 35 лет' },
    ],
    sections: [{ title: 'Раздел I', lines: lines.map((l) => ({ label: `Строка ${l.no}`, ...l })) }],
    controls: controls.map((c) => ({ message: `Проверка ${c.id}`, ...c })),
    ...extra,
  };
}
