import { formatDate } from '../shared/format';
import type { Section } from './sections';

/** A row's value of one field as the file shows it: a choice by its label, a date as ДД.ММ.ГГГГ. */
function cellOf(section: Section, row: Record<string, unknown>, name: string): string {
  const field = section.fields.find((f) => f.name === name)!;
  const value = row[name];
  if (value === null || value === undefined || value === '') return '';
  if (name === 'organizationInpo') return `${row.organizationName as string} (ИНПО ${value as string})`;
  if (field.type === 'select') return field.options!.find((o) => o.value === value)?.label ?? String(value);
  if (field.type === 'date') return formatDate(value as string);
  return String(value);
}

/** The cells of a section's row, in the order of its form's fields. */
export const entryCells = (section: Section, row: Record<string, unknown>): string[] =>
  section.fields.map((f) => cellOf(section, row, f.name));

/** A stored row or a submitted body as the form's values (strings, as the inputs hold them). */
export function formValuesOf(section: Section, source: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    section.fields.map((f) => {
      const value = source[f.name];
      return [f.name, value === null || value === undefined ? '' : typeof value === 'object' ? '' : String(value)];
    }),
  );
}
