import { z } from 'zod';
import { OFFICER_POSTS, OFFICER_POST_LABELS } from '../registry/officer-posts';
import type { OFFICER_FILE_TABLES } from '../shared/officer-file-tables';
import {
  blankToUndefined,
  inpoInput,
  integerInput,
  optionalDate,
  optionalText,
  requiredDate,
  requiredString,
} from '../shared/fields';

// The personnel file's sections that are lists of rows, each described once: its table, its columns, its form
// (zod schema and fields) and how a row reads in the file and in the audit log. The repo, the service, the
// routes and the one form view are written over these descriptions, not once per section.

export const EDUCATION_LEVELS = ['general', 'vocational', 'higher', 'postgraduate', 'other'] as const;
export const EDUCATION_LEVEL_LABELS: Record<(typeof EDUCATION_LEVELS)[number], string> = {
  general: 'Общее',
  vocational: 'Среднее профессиональное',
  higher: 'Высшее',
  postgraduate: 'Послевузовское (аспирантура, докторантура)',
  other: 'Иное (переподготовка и т. п.)',
};
export const AWARD_KINDS = ['union', 'other'] as const;
export const AWARD_KIND_LABELS: Record<(typeof AWARD_KINDS)[number], string> = {
  union: 'Профсоюзная',
  other: 'Иная (государственная, ведомственная, региональная)',
};

export interface SectionField {
  name: string;
  label: string;
  type: 'text' | 'date' | 'number' | 'select' | 'textarea';
  required?: boolean;
  hint?: string;
  options?: { value: string; label: string }[];
}

const optionsOf = <T extends string>(values: readonly T[], labels: Record<T, string>) =>
  values.map((value) => ({ value, label: labels[value] }));

/** A whole number typed in a form, within bounds; blank is none. */
const optionalWhole = (message: string, min: number, max: number) =>
  z
    .preprocess(blankToUndefined, integerInput(message).pipe(z.number().min(min, message).max(max, message)).optional())
    .transform((v) => v ?? null);

/** An end date, when given, is not before the start (`start` names the field it follows). */
const endNotBefore =
  (start: string, end: string, message: string) => (v: Record<string, unknown>, ctx: z.RefinementCtx) => {
    const from = v[start] as string | null;
    const to = v[end] as string | null;
    if (from && to && to < from) ctx.addIssue({ code: 'custom', path: [end], message });
  };

const educationSchema = z.object({
  level: z.enum(EDUCATION_LEVELS, { error: 'Выберите уровень образования' }),
  institution: requiredString('Укажите учебное заведение'),
  graduatedYear: optionalWhole('Год окончания — четыре цифры, с 1930 по 2100', 1930, 2100),
  speciality: optionalText(),
});

const experienceSchema = z
  .object({
    organization: requiredString('Укажите организацию Профсоюза'),
    position: requiredString('Укажите должность'),
    startedOn: requiredDate('Укажите дату начала работы'),
    endedOn: optionalDate(),
  })
  .superRefine(endNotBefore('startedOn', 'endedOn', 'Дата окончания раньше даты начала'));

const trainingSchema = z
  .object({
    course: requiredString('Укажите название программы обучения'),
    organizer: optionalText(),
    startedOn: requiredDate('Укажите дату начала обучения'),
    endedOn: optionalDate(),
    hours: optionalWhole('Количество часов — целое число от 1 до 10000', 1, 10_000),
    certificateNumber: optionalText(100),
  })
  .superRefine(endNotBefore('startedOn', 'endedOn', 'Дата окончания раньше даты начала'));

const awardSchema = z.object({
  kind: z.enum(AWARD_KINDS, { error: 'Выберите вид награды' }),
  title: requiredString('Укажите название награды'),
  awardedOn: requiredDate('Укажите дату награждения'),
  decision: optionalText(),
});

const reserveSchema = z
  .object({
    post: z.enum(OFFICER_POSTS, { error: 'Выберите должность, на которую человек в резерве' }),
    organizationInpo: inpoInput('Укажите ИНПО организации (10 цифр)'),
    since: requiredDate('Укажите дату включения в резерв'),
    until: optionalDate(),
    removedReason: optionalText(),
  })
  .superRefine(endNotBefore('since', 'until', 'Дата исключения раньше даты включения'))
  .superRefine((v, ctx) => {
    if (v.removedReason && !v.until)
      ctx.addIssue({ code: 'custom', path: ['until'], message: 'Укажите дату исключения из резерва' });
  });

export interface Section {
  key: 'education' | 'experience' | 'trainings' | 'awards' | 'reserve';
  title: string;
  /** what «добавить» adds, in the accusative */
  noun: string;
  table: Exclude<(typeof OFFICER_FILE_TABLES)[number], 'officer_documents'>;
  /** the URL parameter of one row (`/orgs/:inpo/officers/:postId/trainings/:trainingId`) */
  param: string;
  /** form field → column */
  columns: Record<string, string>;
  schema: z.ZodType<Record<string, unknown>>;
  fields: SectionField[];
  orderBy: string;
}

const dateField = (name: string, label: string, required = false): SectionField => ({
  name,
  label,
  type: 'date',
  required,
});

export const SECTIONS: readonly Section[] = [
  {
    key: 'education',
    param: 'educationId',
    title: 'Образование',
    noun: 'сведения об образовании',
    table: 'officer_education',
    columns: { level: 'level', institution: 'institution', graduatedYear: 'graduated_year', speciality: 'speciality' },
    schema: educationSchema,
    fields: [
      {
        name: 'level',
        label: 'Уровень',
        type: 'select',
        required: true,
        options: optionsOf(EDUCATION_LEVELS, EDUCATION_LEVEL_LABELS),
      },
      { name: 'institution', label: 'Учебное заведение', type: 'text', required: true },
      { name: 'graduatedYear', label: 'Год окончания', type: 'number' },
      { name: 'speciality', label: 'Специальность', type: 'text' },
    ],
    orderBy: 'graduated_year DESC NULLS FIRST, id',
  },
  {
    key: 'experience',
    param: 'experienceId',
    title: 'Работа в Профсоюзе (вне реестра)',
    noun: 'период работы',
    table: 'officer_experience',
    columns: { organization: 'organization', position: 'position', startedOn: 'started_on', endedOn: 'ended_on' },
    schema: experienceSchema,
    fields: [
      {
        name: 'organization',
        label: 'Организация Профсоюза',
        type: 'text',
        required: true,
        hint: 'Периоды до ведения реестра или в организациях вне его; выборные должности из реестра учитываются сами',
      },
      { name: 'position', label: 'Должность', type: 'text', required: true },
      dateField('startedOn', 'С', true),
      dateField('endedOn', 'По (пусто — по настоящее время)'),
    ],
    orderBy: 'started_on DESC, id',
  },
  {
    key: 'trainings',
    param: 'trainingId',
    title: 'Обучение',
    noun: 'обучение',
    table: 'officer_trainings',
    columns: {
      course: 'course',
      organizer: 'organizer',
      startedOn: 'started_on',
      endedOn: 'ended_on',
      hours: 'hours',
      certificateNumber: 'certificate_number',
    },
    schema: trainingSchema,
    fields: [
      { name: 'course', label: 'Программа (курс)', type: 'text', required: true },
      { name: 'organizer', label: 'Организатор', type: 'text' },
      dateField('startedOn', 'Начало', true),
      dateField('endedOn', 'Окончание'),
      { name: 'hours', label: 'Часов', type: 'number' },
      { name: 'certificateNumber', label: 'Номер удостоверения (сертификата)', type: 'text' },
    ],
    orderBy: 'started_on DESC, id',
  },
  {
    key: 'awards',
    param: 'awardId',
    title: 'Награды',
    noun: 'награду',
    table: 'officer_awards',
    columns: { kind: 'kind', title: 'title', awardedOn: 'awarded_on', decision: 'decision' },
    schema: awardSchema,
    fields: [
      {
        name: 'kind',
        label: 'Вид',
        type: 'select',
        required: true,
        options: optionsOf(AWARD_KINDS, AWARD_KIND_LABELS),
      },
      { name: 'title', label: 'Награда', type: 'text', required: true },
      dateField('awardedOn', 'Дата', true),
      { name: 'decision', label: 'Решение (кем и когда награждён)', type: 'text' },
    ],
    orderBy: 'awarded_on DESC, id',
  },
  {
    key: 'reserve',
    param: 'reserveId',
    title: 'Кадровый резерв',
    noun: 'запись о резерве',
    table: 'officer_reserve',
    columns: {
      post: 'post',
      organizationId: 'organization_id',
      since: 'since',
      until: 'until',
      removedReason: 'removed_reason',
    },
    schema: reserveSchema,
    fields: [
      {
        name: 'post',
        label: 'На должность',
        type: 'select',
        required: true,
        options: optionsOf(OFFICER_POSTS, OFFICER_POST_LABELS),
      },
      { name: 'organizationInpo', label: 'В организации (ИНПО)', type: 'text', required: true },
      dateField('since', 'В резерве с', true),
      dateField('until', 'Исключён(а) из резерва'),
      { name: 'removedReason', label: 'Причина исключения', type: 'text' },
    ],
    orderBy: 'since DESC, id',
  },
];

export type SectionKey = Section['key'];
export const SECTION_KEYS = SECTIONS.map((s) => s.key);
export const sectionOf = (key: SectionKey): Section => SECTIONS.find((s) => s.key === key)!;

/** Notes: free text, one per file. */
export const notesSchema = z.object({ notes: z.string().max(5000, 'Не более 5000 символов').default('') });

/** An attached document's title (the file itself comes as the upload). */
export const documentSchema = z.object({ title: requiredString('Укажите, что это за документ') });
