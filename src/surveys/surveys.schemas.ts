import { z } from 'zod';
import { LEVELS, type Level } from '../registry/levels';
import { targetFilterOf, type TargetFilter } from '../members/member-list-query';
import { checkbox, requiredDate } from '../shared/fields';
import { parseDefinition, type Definition } from './survey-definition';

/** The levels a survey may be sent to: every organization level below the union. */
export const TARGET_LEVELS = LEVELS.filter((level) => level !== 'union') as [Level, ...Level[]];
export const DEFINITION_MAX = 200_000;

const levels = z.preprocess(
  (v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]),
  z.array(z.enum(TARGET_LEVELS)),
);

export const AUDIENCES = ['organizations', 'members'] as const;
export type Audience = (typeof AUDIENCES)[number];

/** The member list's filters a member poll may use (today's members of the subtree, as a mailing's). */
export type MemberFilter = TargetFilter;
/** The member filters of the form, read as the member list reads them. */
export const memberFilterOf = targetFilterOf;

/** The builder's form: the title, the dates, who answers and the questionnaire (JSON, survey-definition.ts). */
export const surveyForm = z
  .object({
    title: z
      .string({ error: 'Введите название опроса' })
      .trim()
      .min(1, 'Введите название опроса')
      .max(300, 'Название не длиннее 300 символов'),
    description: z.string().trim().max(5000, 'Пояснение не длиннее 5000 символов').catch(''),
    audience: z.enum(AUDIENCES).catch('organizations'),
    anonymous: checkbox(),
    levels,
    opensOn: requiredDate('Укажите дату начала опроса'),
    closesOn: requiredDate('Укажите дату окончания опроса'),
    definition: z
      .string({ error: 'Опишите вопросы анкеты' })
      .trim()
      .min(1, 'Опишите вопросы анкеты')
      .max(DEFINITION_MAX, `Анкета не длиннее ${DEFINITION_MAX} символов`)
      .transform((text, ctx): Definition => {
        const parsed = parseDefinition(text);
        if (parsed.ok) return parsed.definition;
        ctx.addIssue({ code: 'custom', message: parsed.message });
        return z.NEVER;
      }),
  })
  .superRefine((form, ctx) => {
    if (form.audience === 'organizations' && !form.levels.length)
      ctx.addIssue({ code: 'custom', path: ['levels'], message: 'Отметьте хотя бы один уровень организаций' });
    if (form.audience === 'organizations' && form.anonymous)
      ctx.addIssue({ code: 'custom', path: ['anonymous'], message: 'Анонимным бывает только опрос членов Профсоюза' });
    if (form.opensOn && form.closesOn && form.closesOn < form.opensOn)
      ctx.addIssue({ code: 'custom', path: ['closesOn'], message: 'Дата окончания раньше даты начала' });
  });
export type SurveyForm = z.output<typeof surveyForm>;

/** The answer form's button: keep a draft or submit. */
export const answerStep = z.object({ step: z.enum(['draft', 'submit']).catch('draft') });
