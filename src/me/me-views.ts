import { CATEGORY_LABELS, type Category } from '../membership/membership';
import type { CorrectedField } from './me.schemas';

/** The corrected fields' Russian names, for the member's list of requests and the chair's queue. */
export const REQUEST_FIELD_LABELS: Record<CorrectedField, string> = {
  surname: 'Фамилия',
  name: 'Имя',
  patronymic: 'Отчество',
  phone: 'Телефон',
  email: 'Электронная почта',
  category: 'Категория',
  position: 'Должность',
  professionalGroup: 'Профессиональная группа',
};

export const REQUEST_STATUS_LABELS = { pending: 'ждёт решения', approved: 'принято', rejected: 'отклонено' } as const;

/** A proposed or present value as people read it (a category by its name, nothing as «—»). */
export function requestValue(field: string, value: string | null | undefined): string {
  if (value == null || value === '') return '—';
  return field === 'category' ? (CATEGORY_LABELS[value as Category] ?? value) : value;
}
