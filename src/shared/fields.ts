import { z } from 'zod';
import { todayIso } from './dates';
import { INPO_PATTERN } from './inpo';
import { parseId, parseInteger } from './numbers';
import { capitalizePersonName } from './person-names';

// Form fields as they arrive from HTML forms (strings; an empty input means "not given"),
// with the Russian wording users see next to the field.

export const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const optionalText = (max = 500) =>
  z
    .preprocess(blankToUndefined, z.string().trim().max(max, `Не более ${max} символов`).optional())
    .transform((v) => v ?? null);

export const requiredString = (message: string, max = 500) =>
  z.string({ error: message }).trim().min(1, message).max(max, `Не более ${max} символов`);

/** An organization's ИНПО typed or chosen in a form. */
export const inpoInput = (message = 'ИНПО — 10 цифр') =>
  z.string({ error: message }).trim().regex(INPO_PATTERN, message);

/** 'YYYY-MM-DD' (date input) or 'ДД.ММ.ГГГГ' (typed) → 'YYYY-MM-DD' of any year; the calendar date must exist. */
function calendarDate(value: string): string | null {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const russian = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(value);
  const parts = iso ? [iso[1], iso[2], iso[3]] : russian ? [russian[3], russian[2], russian[1]] : null;
  if (!parts) return null;
  const [y, m, d] = parts.map(Number) as [number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d); // not Date.UTC, which reads the years 0–99 as 1900–1999
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return parts.join('-');
}

const inStoredRange = (iso: string) => iso >= '1900-01-01' && iso <= '2100-12-31';

/** A typed date within the years the registry keeps (1900–2100), else null. */
export function parseDateInput(value: string): string | null {
  const iso = calendarDate(value);
  return iso && inStoredRange(iso) ? iso : null;
}

const dateMessage = 'Введите дату в формате ДД.ММ.ГГГГ';
const storedRangeMessage = () => 'Укажите дату с 01.01.1900 по 31.12.2100';

/**
 * Checks a typed date: a malformed one asks for the format; a well-formed one outside the years the registry
 * keeps says the range (`outOfRange`, e.g. the plausible birth dates), not the format it already has.
 */
function checkedDate(v: string, ctx: z.RefinementCtx, outOfRange: () => string): string | null {
  const iso = calendarDate(v);
  if (!iso) ctx.addIssue({ code: 'custom', message: dateMessage });
  else if (!inStoredRange(iso)) ctx.addIssue({ code: 'custom', message: outOfRange() });
  return iso && inStoredRange(iso) ? iso : null;
}

export const requiredDate = (message = 'Укажите дату', outOfRange = storedRangeMessage) =>
  z
    .string({ error: message })
    .trim()
    .min(1, message)
    .transform((v, ctx) => checkedDate(v, ctx, outOfRange) ?? '');

export const optionalDate = (outOfRange = storedRangeMessage) =>
  z
    .preprocess(blankToUndefined, z.string().trim().optional())
    .transform((v, ctx) => (v === undefined ? null : checkedDate(v, ctx, outOfRange)));

/** An integer typed as decimal digits: '0x10', '1e3' and '1.5' are refused, not read as 16, 1000 or 1 (shared/numbers.ts). */
export const integerInput = (message: string) =>
  z
    .string({ error: message })
    .trim()
    .transform((v, ctx) => {
      const n = parseInteger(v);
      if (n === null) ctx.addIssue({ code: 'custom', message });
      return n ?? z.NEVER;
    });

/** A row id chosen in a form (a card, a consent, a duplicate): a positive integer within the column's type. */
export const idInput = (message: string, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string({ error: message })
    .trim()
    .transform((v, ctx) => {
      const id = parseId(v, max);
      if (id === null) ctx.addIssue({ code: 'custom', message });
      return id ?? z.NEVER;
    });

export const wholeNumber = (message: string, max = 10_000_000) =>
  z.preprocess(
    blankToUndefined,
    integerInput(message).pipe(z.number().min(0, 'Не может быть меньше нуля').max(max, `Не более ${max}`)),
  );

export const checkbox = () => z.preprocess((v) => v === 'on' || v === 'true' || v === '1', z.boolean());

export const optionalEmail = () =>
  z
    .preprocess(
      blankToUndefined,
      z.email('Введите адрес электронной почты, например info@example.ru').max(254).optional(),
    )
    .transform((v) => v?.toLowerCase() ?? null);

/** Russian phone numbers to +7XXXXXXXXXX; other input is refused with a hint. */
export function normalizeRussianPhone(value: string): string | null {
  const digits = value.replace(/[\s()\-–.]/g, '');
  const m = /^(?:\+7|8|7)?(\d{10})$/.exec(digits);
  return m ? `+7${m[1]}` : null;
}

export const optionalPhone = () =>
  z.preprocess(blankToUndefined, z.string().trim().max(50).optional()).transform((v, ctx) => {
    if (v === undefined) return null;
    const phone = normalizeRussianPhone(v);
    if (!phone) ctx.addIssue({ code: 'custom', message: 'Введите телефон из 10 цифр, например +7 843 123-45-67' });
    return phone;
  });

export const optionalUrl = () =>
  z.preprocess(blankToUndefined, z.string().trim().max(300).optional()).transform((v, ctx) => {
    if (v === undefined) return null;
    const withScheme = /^https?:\/\//i.test(v) ? v : `https://${v}`;
    try {
      const url = new URL(withScheme);
      if (!url.hostname.includes('.')) throw new Error('no dot');
      // percent-encoding makes a Cyrillic path six times longer: the column holds 300 characters of the result
      if (url.toString().length > 300) {
        ctx.addIssue({ code: 'custom', message: 'Слишком длинный адрес сайта: не более 300 знаков' });
        return null;
      }
      return url.toString();
    } catch {
      ctx.addIssue({ code: 'custom', message: 'Введите адрес сайта, например school7.ru' });
      return null;
    }
  });

/** INN of a legal entity (10 digits) or of a person (12 digits), with the tax service's check digits. */
export function isValidInn(inn: string): boolean {
  const weights10 = [2, 4, 10, 3, 5, 9, 4, 6, 8];
  const weights11 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
  const weights12 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
  const d = inn.split('').map(Number);
  const check = (weights: number[]) => (weights.reduce((s, w, i) => s + w * d[i]!, 0) % 11) % 10;
  if (/^\d{10}$/.test(inn)) return check(weights10) === d[9];
  if (/^\d{12}$/.test(inn)) return check(weights11) === d[10] && check(weights12) === d[11];
  return false;
}

export const optionalInn = () =>
  z.preprocess(blankToUndefined, z.string().trim().optional()).transform((v, ctx) => {
    if (v === undefined) return null;
    if (!isValidInn(v))
      ctx.addIssue({
        code: 'custom',
        message: 'ИНН — 10 цифр для организации (12 для ИП) с верной контрольной цифрой',
      });
    return v;
  });

/** A select with an empty "not given" option: '' or missing → null. */
export const optionalChoice = <T extends readonly [string, ...string[]]>(values: T, message: string) =>
  z.preprocess((v) => (v === '' || v === undefined ? null : v), z.enum(values, { error: message }).nullable());

/** SNILS: 11 digits, the last two a checksum of the first nine (numbers up to 001-001-998 carry none). */
export function isValidSnils(value: string): boolean {
  if (!/^\d{11}$/.test(value)) return false;
  const body = value.slice(0, 9);
  if (Number(body) <= 1001998) return true;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(body[i]) * (9 - i);
  const check = sum < 100 ? sum : sum === 100 || sum === 101 ? 0 : sum % 101 === 100 ? 0 : sum % 101;
  return check === Number(value.slice(9));
}

export const optionalSnils = () =>
  z.preprocess(blankToUndefined, z.string().trim().optional()).transform((v, ctx) => {
    if (v === undefined) return null;
    const digits = v.replace(/[\s-]/g, '');
    if (!isValidSnils(digits))
      ctx.addIssue({ code: 'custom', message: 'СНИЛС — 11 цифр с верной контрольной суммой, например 112-233-445 95' });
    return digits;
  });

/** Surname, name or patronymic: Cyrillic letters, hyphens and spaces; stored capitalised (shared/person-names). */
export const personName = (message: string) =>
  z
    .preprocess((v) => (typeof v === 'string' ? v.replace(/\s+/g, ' ') : v), requiredString(message, 100))
    .pipe(z.string().regex(/^[А-ЯЁа-яё]+(?:[ -][А-ЯЁа-яё]+)*$/, 'Только русские буквы, дефис и пробел'))
    .transform(capitalizePersonName);

/** A name that may be left blank ('' → null). */
export const optionalPersonName = (message: string) =>
  z.preprocess((v) => (v === '' ? undefined : v), personName(message).optional()).transform((v) => v ?? null);

/** A birth date a person of the union may have: 14 to 100 years old this year of the union's calendar. */
export function plausibleBirthDate(iso: string): boolean {
  const year = Number(iso.slice(0, 4));
  const now = Number(todayIso().slice(0, 4));
  return year >= now - 100 && year <= now - 14;
}

/** What a birth date outside the plausible ages must say: the range itself, in dates. */
export function plausibleBirthRangeMessage(): string {
  const now = Number(todayIso().slice(0, 4));
  return `Проверьте дату рождения: от 14 до 100 лет, то есть с 01.01.${now - 100} по 31.12.${now - 14}`;
}

const plausible = (v: string | null, ctx: z.RefinementCtx) => {
  if (v && !plausibleBirthDate(v)) ctx.addIssue({ code: 'custom', message: plausibleBirthRangeMessage() });
};

/** A birth date of a member or an officer: a date, and a plausible one (the message names the range either way). */
export const requiredBirthDate = (message: string) =>
  requiredDate(message, plausibleBirthRangeMessage).superRefine(plausible);
export const optionalBirthDate = () => optionalDate(plausibleBirthRangeMessage).superRefine(plausible);

/** A `YYYY-MM-DD` query parameter that names a real date, else absent (a list's or a table's `?on=`). */
export const isoDateParam = () =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .refine((v) => parseDateInput(v) !== null)
    .optional()
    .catch(undefined);
