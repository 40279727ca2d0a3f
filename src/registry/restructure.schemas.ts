import { z } from 'zod';
import { INPO_PATTERN } from '../shared/inpo';
import { checkbox, inpoInput, optionalChoice, optionalText, requiredDate, requiredString } from '../shared/fields';
import { EMPLOYER_KINDS, LEVELS } from './levels';

// the picker's field takes a typed name too: a name sent without a picked suggestion is not an ИНПО
const inpo = (message: string) =>
  z
    .string({ error: message })
    .trim()
    .regex(INPO_PATTERN, 'Выберите организацию из списка подсказок или введите её ИНПО — 10 цифр');
const optionalInpo = z.preprocess((v) => (v === '' ? undefined : v), inpoInput().optional());
const confirmed = z.preprocess((v) => v === 'yes', z.boolean());

export const childSchema = z.object({
  level: z
    .enum(LEVELS.filter((l) => l !== 'union') as [string, ...string[]], { error: 'Выберите уровень' })
    .transform((v) => v as (typeof LEVELS)[number]),
  name: requiredString('Укажите полное наименование', 500),
  shortName: optionalText(200),
  employerKind: optionalChoice(EMPLOYER_KINDS, 'Выберите тип из списка'),
  hasTerritorialRights: checkbox(),
});

export const moveSchema = z.object({
  target: inpo('Укажите ИНПО новой вышестоящей организации'),
  on: requiredDate('Укажите дату'),
  confirm: confirmed,
});
export const mergeSchema = z.object({
  target: inpo('Укажите ИНПО организации, к которой присоединяется эта'),
  on: requiredDate('Укажите дату'),
  confirm: confirmed,
});
export const liquidateSchema = z.object({
  on: requiredDate('Укажите дату ликвидации'),
  transferTo: optionalInpo,
  confirm: confirmed,
});
