import { z } from 'zod';
import { EMPLOYER_KINDS, LEVELS } from '../../registry/levels';

// The format of a form definition: forms are data, loaded without a code change. Structure is checked here; meaning
// (known indicators, existing lines, no cycles) is checked by validateDefinition.

export const COLUMN_KEYS = ['total', 'women', 'youth'] as const;
export type ColumnKey = (typeof COLUMN_KEYS)[number];

/** Form codes travel in URLs, so they are ASCII: 5-SP, KDK-1. */
export const FORM_CODE_PATTERN = /^[A-Z0-9]{1,10}(-[A-Z0-9]{1,10})?$/;
const lineNumber = z.string().regex(/^\d{2,3}$/, 'номер строки — две или три цифры, например «09»');
const monthDay = z
  .string()
  .regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'дата отчёта — в виде ММ-ДД, например «01-01»');

const lineSchema = z
  .object({
    no: lineNumber,
    label: z.string().min(1).max(300),
    /** numeric lines: an expression over indicators and other lines (@02); text lines: a text field */
    formula: z.string().min(1).max(500).optional(),
    text: z.string().min(1).max(60).optional(),
    type: z.enum(['count', 'percent', 'flag', 'text']).default('count'),
    /** the columns this line has; the form's columns when omitted */
    columns: z.array(z.enum(COLUMN_KEYS)).min(1).optional(),
    /** the indicator whose cards are "behind" the line (listed when a control on it fails) */
    cards: z.string().max(60).optional(),
    /** the «?» beside the line: what it counts and from where; built from the formula when omitted */
    hint: z.string().trim().min(1).max(400).optional(),
  })
  .strict()
  .refine((l) => (l.type === 'text') === (l.text !== undefined) && (l.type === 'text') !== (l.formula !== undefined), {
    message: 'строка задаётся либо формулой (formula), либо текстовым полем (text, для type = "text")',
  });

const controlSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9_-]{1,40}$/, 'идентификатор проверки — латиница, цифры, «_» и «-»'),
    rule: z.string().min(3).max(500),
    columns: z.array(z.enum(COLUMN_KEYS)).min(1).default(['total']),
    message: z.string().min(1).max(300),
    severity: z.enum(['error', 'warning']).default('error'),
    cards: z.string().max(60).optional(),
  })
  .strict();

const sectionSchema = z
  .object({ title: z.string().min(1).max(300), lines: z.array(lineSchema).min(1).max(200) })
  .strict();

const listColumnSchema = z.object({ key: z.string().min(1).max(60), label: z.string().min(1).max(200) }).strict();

const common = {
  code: z.string().regex(FORM_CODE_PATTERN, 'код формы — латиница и цифры, например «5-SP»'),
  name: z.string().min(1).max(20),
  title: z.string().min(1).max(300),
  version: z.number().int().positive(),
  appliesTo: z
    .object({
      levels: z.array(z.enum(LEVELS)).min(1),
      employerKinds: z.array(z.enum(EMPLOYER_KINDS)).min(1).optional(),
      territorialRights: z.boolean().optional(),
    })
    .strict(),
  reportingDates: z.array(monthDay).min(1).max(12),
  /** days after the reporting date the report is due to the higher organization */
  dueDays: z.number().int().min(0).max(90).default(4),
};

const linesFormSchema = z
  .object({
    ...common,
    kind: z.literal('lines'),
    columns: z.array(z.object({ key: z.enum(COLUMN_KEYS), label: z.string().min(1).max(60) }).strict()).min(1),
    /** forms of the children whose filed reports this form consolidates */
    consolidates: z.array(z.string().regex(FORM_CODE_PATTERN)).optional(),
    sections: z.array(sectionSchema).min(1).max(20),
    controls: z.array(controlSchema).max(200).default([]),
    /** women ≤ total and youth ≤ total on every count line */
    columnControls: z.boolean().default(true),
    /**
     * A primary form's movement starts from what it filed: these columns of this line of the report filed at
     * the previous reporting date stand for the indicator (a back-dated change then fails the movement
     * control); the other columns are counted again (youth changes as people age).
     */
    carriedForward: z
      .object({
        line: lineNumber,
        indicator: z.string().min(1).max(60),
        columns: z.array(z.enum(COLUMN_KEYS)).min(1, 'назовите графы, которые берутся из сданного отчёта'),
      })
      .strict()
      .optional(),
  })
  .strict();

const listFormSchema = z
  .object({
    ...common,
    kind: z.literal('list'),
    list: z.string().min(1).max(60),
    listColumns: z.array(listColumnSchema).min(1).max(30),
  })
  .strict();

export const formDefinitionSchema = z.discriminatedUnion('kind', [linesFormSchema, listFormSchema]);
export type FormDefinition = z.output<typeof formDefinitionSchema>;
export type LinesForm = z.output<typeof linesFormSchema>;
export type ListForm = z.output<typeof listFormSchema>;
export type FormLine = z.output<typeof lineSchema>;
export type FormControl = z.output<typeof controlSchema>;
