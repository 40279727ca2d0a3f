import { z } from 'zod';
import {
  checkbox,
  idInput,
  inpoInput,
  integerInput,
  optionalChoice,
  optionalDate,
  optionalEmail,
  optionalPersonName,
  optionalPhone,
  optionalSnils,
  optionalText,
  personName,
  requiredBirthDate,
  requiredDate,
} from '../shared/fields';
import { CARD_STATUSES } from '../cards/card-statuses';
import { CATEGORIES, CATEGORY_LABELS, LEFT_REASONS, type Category } from '../membership/membership';
import type { CursorPart } from '../shared/cursor';
import { PROFESSIONAL_GROUPS } from './professional-groups';

/** A birth date that fits a member: 14 to 100 years old today. */
const birthDate = requiredBirthDate('Укажите дату рождения');

/** The person on the card: what the card form edits (category and posts change through dated events). */
export const personSchema = z.object({
  surname: personName('Укажите фамилию'),
  name: personName('Укажите имя'),
  patronymic: optionalPersonName('Укажите отчество'),
  sex: z.enum(['m', 'f'], { error: 'Укажите пол' }),
  birthDate,
  phone: optionalPhone(),
  email: optionalEmail(),
  snils: optionalSnils(),
  position: optionalText(200),
  // a name of the union's list (the cards reference professional_groups), stored as the card's text
  professionalGroup: optionalChoice(PROFESSIONAL_GROUPS, 'Выберите профессиональную группу из списка').transform(
    (group): string | null => group,
  ),
  studyForm: optionalChoice(['full_time', 'part_time', 'distance'] as const, 'Выберите форму обучения'),
  studyYear: z.preprocess(
    (v) => (v === '' || v === undefined ? null : v),
    integerInput('Курс от 1 до 7').pipe(z.number().min(1, 'Курс от 1 до 7').max(7, 'Курс от 1 до 7')).nullable(),
  ),
});
export type PersonInput = z.output<typeof personSchema>;

/** Ticks that only a working member may carry, by the label the form shows. */
const WORKING_ONLY_LABELS = {
  isPedagogical: 'Педагогическая должность',
  onParentalLeave: 'В отпуске по уходу за ребёнком',
} as const;

/** What another category than «Работающий» may not carry, each with a message that says what to do. */
export function workingOnlyErrors(input: {
  category: string;
  isPedagogical?: boolean;
  onParentalLeave?: boolean;
}): { field: keyof typeof WORKING_ONLY_LABELS; message: string }[] {
  if (input.category === 'working') return [];
  const category = CATEGORY_LABELS[input.category as Category] ?? input.category;
  return (Object.keys(WORKING_ONLY_LABELS) as (keyof typeof WORKING_ONLY_LABELS)[])
    .filter((field) => input[field])
    .map((field) => ({
      field,
      message: `«${WORKING_ONLY_LABELS[field]}» отмечается только у работающих: для категории «${category}» снимите эту отметку`,
    }));
}

/** The person plus the membership's starting category, for an admission. */
export const cardSchema = personSchema
  .extend({ category: z.enum(CATEGORIES, { error: 'Выберите категорию' }), isPedagogical: checkbox() })
  .superRefine((v, ctx) => {
    for (const e of workingOnlyErrors(v)) ctx.addIssue({ code: 'custom', path: [e.field], message: e.message });
  });

/** What an admission adds to the card: where, since when and on which document. */
export const admissionTermsSchema = z.object({
  organizationInpo: inpoInput('Выберите организацию'),
  joinedOn: requiredDate('Укажите дату вступления'),
  documentNumber: optionalText(50),
  documentDate: optionalDate(),
  notDuplicate: checkbox(),
});

export const admissionSchema = z.intersection(cardSchema, admissionTermsSchema);
/** What the admission form's draft keeps: everything typed but «Это другой человек», decided anew on sending. */
export const ADMISSION_DRAFT_FIELDS = [
  ...Object.keys(personSchema.shape),
  'category',
  'isPedagogical',
  ...Object.keys(admissionTermsSchema.shape).filter((name) => name !== 'notDuplicate'),
];
export type CardInput = z.output<typeof cardSchema>;
export type AdmissionTermsInput = z.output<typeof admissionTermsSchema>;
export type AdmissionInput = z.output<typeof admissionSchema>;

const eventFields = {
  on: requiredDate('Укажите дату'),
  documentNumber: optionalText(50),
  documentDate: optionalDate(),
};

export const transferSchema = z.object({ toInpo: inpoInput(), ...eventFields, reason: optionalText(300) });
export const exitSchema = z.object({ reason: z.enum(LEFT_REASONS, { error: 'Выберите причину' }), ...eventFields });
export const categorySchema = z.object({
  category: z.enum(CATEGORIES, { error: 'Выберите категорию' }),
  isPedagogical: checkbox(),
  onParentalLeave: checkbox(),
  ...eventFields,
});

export const cardRequestSchema = z.object({
  kind: z.enum(['plastic', 'virtual'], { error: 'Выберите вид карты' }),
  on: requiredDate('Укажите дату'),
});
export const cardMoveSchema = z.object({
  cardId: idInput('Не указана карта'),
  to: z.enum(CARD_STATUSES, { error: 'Выберите новое состояние' }),
  on: requiredDate('Укажите дату'),
  reason: optionalText(300),
});
export const readmitSchema = z.object({
  organizationInpo: inpoInput(),
  category: z.enum(CATEGORIES, { error: 'Выберите категорию' }),
  ...eventFields,
  notDuplicate: checkbox(),
});
export const mergeSchema = z.object({ duplicateId: idInput('Выберите карточку') });

const idList = z.preprocess(
  (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
  z.array(idInput('Отмечена несуществующая карточка')).max(10_000, 'Не больше 10 000 отмеченных'),
);
export const bulkSchema = z
  .discriminatedUnion(
    'action',
    [
      z.object({ action: z.literal('transfer'), toInpo: inpoInput(), on: requiredDate('Укажите дату') }),
      z.object({
        action: z.literal('exit'),
        reason: z.enum(LEFT_REASONS, { error: 'Выберите причину' }),
        on: requiredDate('Укажите дату'),
      }),
      z.object({
        action: z.literal('card'),
        from: z.enum(CARD_STATUSES, { error: 'Выберите состояние' }),
        to: z.enum(CARD_STATUSES, { error: 'Выберите состояние' }),
        on: requiredDate('Укажите дату'),
      }),
    ],
    { error: 'Выберите действие' },
  )
  .and(z.object({ scope: z.enum(['selected', 'filter'], { error: 'Укажите, к кому применить' }), ids: idList }));
export const decisionSchema = z.object({
  decision: z.enum(['accept', 'decline'], { error: 'Выберите решение' }),
  reason: optionalText(300),
  back: z.string().max(500).optional(),
});

/** The member list's sort orders (members.repo.ts maps each to its keyset of columns). */
export const MEMBER_SORT_KEYS = ['name', 'birth', 'joined'] as const;
export type MemberSort = (typeof MEMBER_SORT_KEYS)[number];
/** The column types of each sort's keyset, for checking a cursor that comes back from the URL. */
export const MEMBER_SORT_CURSORS: Record<MemberSort, CursorPart[]> = {
  name: ['text', 'text', 'bigint'],
  birth: ['date', 'bigint'],
  joined: ['date', 'bigint'],
};
