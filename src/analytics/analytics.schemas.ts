import { z } from 'zod';
import { todayIso } from '../shared/dates';
import { blankToUndefined, optionalDate } from '../shared/fields';
import { DEFAULT_AGE_LIMITS, DIMENSIONS, SHARES } from './dimensions';

const BANDS_MESSAGE = 'Перечислите верхние границы возрастных групп через запятую по возрастанию, например: 30, 45, 60';

/** «30, 45, 60» → [30, 45, 60]: up to eight ascending ages from 16 to 99; blank → the union's usual bands. */
const ageLimits = z.preprocess(
  blankToUndefined,
  z
    .string()
    .trim()
    .max(60, BANDS_MESSAGE)
    .optional()
    .transform((text, ctx) => {
      if (text === undefined) return DEFAULT_AGE_LIMITS;
      const parts = text.split(/[\s,;]+/).filter(Boolean);
      const limits = parts.map((part) => (/^\d{1,2}$/.test(part) ? Number(part) : NaN));
      const ascending = limits.every((limit, i) => i === 0 || limit > limits[i - 1]!);
      if (!parts.length || parts.length > 8 || limits.some((l) => !(l >= 16 && l <= 99)) || !ascending) {
        ctx.addIssue({ code: 'custom', message: BANDS_MESSAGE });
        return DEFAULT_AGE_LIMITS;
      }
      return limits;
    }),
);

export const crossForm = z
  .object({
    date: optionalDate().transform((v) => v ?? todayIso()),
    rows: z.preprocess((v) => v ?? 'sex', z.enum(DIMENSIONS, { error: 'Выберите признак строк из списка' })),
    columns: z.preprocess(
      blankToUndefined,
      z.enum(DIMENSIONS, { error: 'Выберите признак столбцов из списка' }).optional(),
    ),
    share: z.preprocess((v) => v ?? 'count', z.enum(SHARES, { error: 'Выберите показатель из списка' })),
    bands: ageLimits,
  })
  .superRefine((form, ctx) => {
    if (form.columns === form.rows)
      ctx.addIssue({
        code: 'custom',
        path: ['columns'],
        message: 'Для столбцов выберите другой признак, чем для строк',
      });
  })
  .transform(({ bands, ...form }) => ({ ...form, ageLimits: bands }));
export type CrossForm = z.output<typeof crossForm>;

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const month = (message: string) =>
  z
    .string({ error: message })
    .trim()
    .regex(MONTH, message)
    .refine((v) => v >= '1990-01' && v <= '2100-12', 'Укажите месяц с 01.1990 по 12.2100')
    .transform((v) => `${v}-01`);

/** At most five years of months on one page. */
export const MAX_MONTHS = 60;

export const seriesForm = z
  .object({
    from: z.preprocess((v) => v ?? defaultFrom(), month('Укажите месяц начала в формате ГГГГ-ММ')),
    to: z.preprocess((v) => v ?? todayIso().slice(0, 7), month('Укажите месяц окончания в формате ГГГГ-ММ')),
  })
  .superRefine((form, ctx) => {
    if (form.from > form.to)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'Месяц окончания не раньше месяца начала' });
    else if (monthsBetween(form.from, form.to) > MAX_MONTHS)
      ctx.addIssue({ code: 'custom', path: ['to'], message: `Не больше ${MAX_MONTHS} месяцев за один раз` });
  });
export type SeriesForm = z.output<typeof seriesForm>;

/** The last twelve months by default. */
function defaultFrom(): string {
  const [year, monthNumber] = todayIso().split('-').map(Number) as [number, number];
  const start = new Date(Date.UTC(year, monthNumber - 12, 1));
  return start.toISOString().slice(0, 7);
}

function monthsBetween(from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  return (ty - fy) * 12 + (tm - fm) + 1;
}
