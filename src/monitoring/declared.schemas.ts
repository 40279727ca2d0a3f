import { z } from 'zod';
import { requiredDate, wholeNumber } from '../shared/fields';

const optionalCount = (message: string) =>
  z
    .preprocess((v) => (v === '' || v == null ? undefined : v), wholeNumber(message).optional())
    .transform((v) => v ?? null);

/** The statistical report's own numbers for one organization and date (the form and each import row). */
export const declaredFiguresSchema = z
  .object({
    onDate: requiredDate('Укажите дату статистического отчёта'),
    membersTotal: wholeNumber('Укажите число членов Профсоюза по отчёту'),
    working: optionalCount('Число работающих — целое число'),
    student: optionalCount('Число обучающихся — целое число'),
    pensioner: optionalCount('Число неработающих пенсионеров — целое число'),
    unemployed: optionalCount('Число временно не работающих — целое число'),
    territorialOrgs: optionalCount('Число территориальных организаций — целое число'),
    primaryOrgs: optionalCount('Число первичных организаций — целое число'),
  })
  .refine((v) => (v.working ?? 0) + (v.student ?? 0) + (v.pensioner ?? 0) + (v.unemployed ?? 0) <= v.membersTotal, {
    path: ['membersTotal'],
    message: 'Сумма по категориям больше, чем всего членов Профсоюза',
  });
export type DeclaredFiguresInput = z.output<typeof declaredFiguresSchema>;

/** The fields of the form and the columns of the import, in order, with their Russian names. */
export const DECLARED_FIELDS = [
  ['membersTotal', 'Членов Профсоюза, всего'],
  ['working', 'Работающих'],
  ['student', 'Обучающихся'],
  ['pensioner', 'Неработающих пенсионеров'],
  ['unemployed', 'Временно не работающих'],
  ['territorialOrgs', 'Территориальных организаций'],
  ['primaryOrgs', 'Первичных организаций'],
] as const;
