// A questionnaire as data: sections of questions of six kinds, required flags and «show if question X has
// answer Y». The definition is stored as JSON (surveys.definition, format version 1) and checked here on every
// save; answers are checked against it on the server (a hidden question is not required and its answer dropped).
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { parseDateInput } from '../shared/fields';

export const FORMAT_VERSION = 1;
export const QUESTION_KINDS = ['single', 'multiple', 'number', 'text', 'date', 'table'] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];
export const QUESTION_KIND_LABELS: Record<QuestionKind, string> = {
  single: 'один вариант',
  multiple: 'несколько вариантов',
  number: 'число',
  text: 'текст',
  date: 'дата',
  table: 'таблица чисел',
};
export const TEXT_ANSWER_MAX = 5000;

const label = (what: string, max: number) =>
  z
    .string({ error: `Укажите ${what}` })
    .trim()
    .min(1, `Укажите ${what}`)
    .max(max, `Не длиннее ${max} символов: ${what}`);
const labels = (what: string, min: number) =>
  z
    .array(label(what, 200), { error: `Перечислите ${what}` })
    .min(min, `Нужно хотя бы ${min}: ${what}`)
    .max(100, `Не больше 100: ${what}`)
    .refine((list) => new Set(list).size === list.length, `Повторяются ${what}`);

const questionBase = {
  id: z
    .string({ error: 'У вопроса нет кода (id)' })
    .regex(
      /^[a-z][a-z0-9]{0,19}$/,
      'Код вопроса (id) — латинские строчные буквы и цифры, начиная с буквы, до 20 знаков',
    ),
  text: label('текст вопроса', 1000),
  hint: z.string().trim().max(1000, 'Подсказка не длиннее 1000 символов').optional(),
  required: z.boolean({ error: 'required — true или false' }).default(false),
  showIf: z
    .object(
      { question: z.string({ error: 'В условии укажите код вопроса' }), answer: label('ответ в условии', 200) },
      { error: 'Условие — {"question": код, "answer": вариант}' },
    )
    .strict()
    .optional(),
};

const question = z.discriminatedUnion(
  'kind',
  [
    z.object({ ...questionBase, kind: z.literal('single'), options: labels('варианты ответа', 2) }).strict(),
    z.object({ ...questionBase, kind: z.literal('multiple'), options: labels('варианты ответа', 2) }).strict(),
    z
      .object({
        ...questionBase,
        kind: z.literal('number'),
        min: z.number({ error: 'min — число' }).optional(),
        max: z.number({ error: 'max — число' }).optional(),
        integer: z.boolean({ error: 'integer — true или false' }).default(false),
      })
      .strict(),
    z.object({ ...questionBase, kind: z.literal('text') }).strict(),
    z.object({ ...questionBase, kind: z.literal('date') }).strict(),
    z
      .object({
        ...questionBase,
        kind: z.literal('table'),
        rows: labels('строки таблицы', 1),
        columns: labels('столбцы таблицы', 1),
      })
      .strict(),
  ],
  { error: `Вид вопроса (kind) — один из: ${QUESTION_KINDS.join(', ')}` },
);
export type Question = z.output<typeof question>;

const section = z
  .object({
    title: label('название раздела', 300),
    questions: z.array(question, { error: 'В разделе нужен список вопросов' }).min(1, 'В разделе нет вопросов'),
  })
  .strict();

export const definitionSchema = z
  .object({ sections: z.array(section, { error: 'Нужен список разделов (sections)' }).min(1, 'Нет ни одного раздела') })
  .strict()
  .superRefine((definition, ctx) => {
    const seen = new Map<string, Question>();
    definition.sections.forEach((s, si) =>
      s.questions.forEach((q, qi) => {
        const path = ['sections', si, 'questions', qi];
        if (seen.has(q.id))
          ctx.addIssue({ code: 'custom', path: [...path, 'id'], message: `Код вопроса «${q.id}» повторяется` });
        if (q.kind === 'number' && q.min !== undefined && q.max !== undefined && q.min > q.max)
          ctx.addIssue({ code: 'custom', path: [...path, 'min'], message: `Вопрос «${q.id}»: min больше max` });
        if (q.showIf) {
          const on = seen.get(q.showIf.question);
          if (!on || (on.kind !== 'single' && on.kind !== 'multiple'))
            ctx.addIssue({
              code: 'custom',
              path: [...path, 'showIf'],
              message: `Вопрос «${q.id}»: условие ссылается на «${q.showIf.question}» — это должен быть вопрос с вариантами выше него`,
            });
          else if (!on.options.includes(q.showIf.answer))
            ctx.addIssue({
              code: 'custom',
              path: [...path, 'showIf'],
              message: `Вопрос «${q.id}»: в вопросе «${on.id}» нет варианта «${q.showIf.answer}»`,
            });
        }
        seen.set(q.id, q);
      }),
    );
  });
export type Definition = z.output<typeof definitionSchema>;

/** The definition's text (JSON) → a checked definition, or Russian messages naming where the problem is. */
export function parseDefinition(text: string): { ok: true; definition: Definition } | { ok: false; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, message: `Анкета — не JSON: ${(err as Error).message}` };
  }
  const parsed = definitionSchema.safeParse(json);
  if (parsed.success) return { ok: true, definition: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { ok: false, message: `${issue.message} (${whereIs(issue.path)})` };
}

function whereIs(path: PropertyKey[]): string {
  const parts: string[] = [];
  for (let i = 0; i < path.length; i++) {
    if (path[i] === 'sections' && typeof path[i + 1] === 'number') parts.push(`раздел ${(path[++i] as number) + 1}`);
    else if (path[i] === 'questions' && typeof path[i + 1] === 'number')
      parts.push(`вопрос ${(path[++i] as number) + 1}`);
    else parts.push(String(path[i]));
  }
  return parts.join(', ') || 'анкета';
}

export const questionsOf = (definition: Definition): Question[] => definition.sections.flatMap((s) => s.questions);

/**
 * A published questionnaire may only gain options: the new definition must be the old one with some options
 * appended to its choice questions. Returns the refusal's message, or null when the change is allowed.
 */
export function publishedChangeRefusal(before: Definition, after: Definition): string | null {
  const strip = (d: Definition) =>
    d.sections.map((s) => ({
      ...s,
      questions: s.questions.map((q) =>
        q.kind === 'single' || q.kind === 'multiple' ? { ...q, options: [] as string[] } : q,
      ),
    }));
  // key order is not kept by jsonb: compared as values
  if (!isDeepStrictEqual(strip(before), strip(after)))
    return 'Опрос опубликован: менять вопросы нельзя, можно только добавить варианты ответа. Для других изменений сделайте копию';
  const old = questionsOf(before);
  const changed = questionsOf(after).find((q, i) => {
    const was = old[i]!;
    if (!('options' in q) || !('options' in was)) return false;
    return was.options.some((o, j) => q.options[j] !== o);
  });
  return changed
    ? `Опрос опубликован: в вопросе «${changed.id}» варианты ответа можно только добавить в конец, прежние — не менять`
    : null;
}

export type AnswerValue = string | string[] | number | (number | null)[][];
export type Answers = Record<string, AnswerValue>;

/** The questions shown for these answers: a condition's question must be shown and have the answer. */
export function visibleQuestions(definition: Definition, answers: Answers): Set<string> {
  const shown = new Set<string>();
  for (const q of questionsOf(definition)) {
    if (q.showIf) {
      const given = answers[q.showIf.question];
      const has = Array.isArray(given) ? (given as unknown[]).includes(q.showIf.answer) : given === q.showIf.answer;
      if (!shown.has(q.showIf.question) || !has) continue;
    }
    shown.add(q.id);
  }
  return shown;
}

/** The form field of a question (`q_<id>`) and of a table's cell (`q_<id>_<row>_<column>`). */
export const fieldOf = (id: string, row?: number, column?: number) =>
  row === undefined ? `q_${id}` : `q_${id}_${row}_${column}`;

const asStrings = (v: unknown): string[] =>
  v === undefined || v === '' ? [] : (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
const single = (v: unknown): string => (typeof v === 'string' ? v.trim() : Array.isArray(v) ? '' : '');

function parseNumber(text: string): number | null {
  const normalized = text.replace(/\s/g, '').replace(',', '.');
  if (!/^-?\d+(\.\d+)?$/.test(normalized)) return null;
  const n = Number(normalized);
  return Number.isFinite(n) && Math.abs(n) < 1e12 ? n : null;
}

export interface AnswerCheck {
  answers: Answers;
  errors: { field: string; message: string }[];
}

/**
 * The form's fields → the answers of the shown questions, with a Russian message per wrong field. `submit`
 * asks for every shown required question; a draft keeps what is valid and reports the rest too.
 */
export function readAnswers(definition: Definition, body: Record<string, unknown>, submit: boolean): AnswerCheck {
  const answers: Answers = {};
  const errors: AnswerCheck['errors'] = [];
  const fail = (field: string, message: string) => errors.push({ field, message });
  for (const q of questionsOf(definition)) {
    const field = fieldOf(q.id);
    const raw = body[field];
    if (q.kind === 'single') {
      const v = single(raw);
      if (v && !q.options.includes(v)) fail(field, 'Выберите один из предложенных вариантов');
      else if (v) answers[q.id] = v;
    } else if (q.kind === 'multiple') {
      const v = asStrings(raw);
      if (v.some((x) => !q.options.includes(x))) fail(field, 'Выберите из предложенных вариантов');
      else if (v.length) answers[q.id] = q.options.filter((o) => v.includes(o));
    } else if (q.kind === 'number') {
      const text = single(raw);
      if (!text) continue;
      const n = parseNumber(text);
      if (n === null) fail(field, 'Введите число');
      else if (q.integer && !Number.isInteger(n)) fail(field, 'Введите целое число');
      else if ((q.min !== undefined && n < q.min) || (q.max !== undefined && n > q.max))
        fail(field, `Введите число от ${q.min ?? '−∞'} до ${q.max ?? '∞'}`);
      else answers[q.id] = n;
    } else if (q.kind === 'text') {
      const v = single(raw);
      if (v.length > TEXT_ANSWER_MAX) fail(field, `Ответ не длиннее ${TEXT_ANSWER_MAX} символов`);
      else if (v) answers[q.id] = v;
    } else if (q.kind === 'date') {
      const text = single(raw);
      if (!text) continue;
      const iso = parseDateInput(text);
      if (!iso) fail(field, 'Введите дату в формате ДД.ММ.ГГГГ');
      else answers[q.id] = iso;
    } else {
      let any = false;
      let bad = false;
      const cells = q.rows.map((_r, ri) =>
        q.columns.map((_c, ci) => {
          const text = single(body[fieldOf(q.id, ri, ci)]);
          if (!text) return null;
          const n = parseNumber(text);
          if (n === null || n < 0) {
            if (!bad) fail(fieldOf(q.id, ri, ci), 'В ячейках таблицы — неотрицательные числа');
            bad = true;
            return null;
          }
          any = true;
          return n;
        }),
      );
      if (any && !bad) answers[q.id] = cells;
    }
  }
  const shown = visibleQuestions(definition, answers);
  for (const id of Object.keys(answers)) if (!shown.has(id)) delete answers[id];
  const errorsShown = errors.filter((e) => shown.has(e.field.replace(/^q_/, '').split('_')[0]!));
  if (submit)
    for (const q of questionsOf(definition))
      if (
        q.required &&
        shown.has(q.id) &&
        !filled(q, answers[q.id]) &&
        !errorsShown.some((e) => e.field.startsWith(fieldOf(q.id)))
      )
        errorsShown.push({
          field: q.kind === 'table' ? fieldOf(q.id, 0, 0) : fieldOf(q.id),
          message: q.kind === 'table' ? 'Заполните все ячейки таблицы' : 'Ответьте на этот вопрос',
        });
  return { answers, errors: errorsShown };
}

function filled(q: Question, value: AnswerValue | undefined): boolean {
  if (value === undefined) return false;
  if (q.kind === 'table') return (value as (number | null)[][]).every((row) => row.every((c) => c !== null));
  return true;
}

/** An example the builder starts from: one section of each kind of question and a condition. */
export const EXAMPLE_DEFINITION: Definition = {
  sections: [
    {
      title: 'Общие сведения',
      questions: [
        {
          id: 'agreement',
          kind: 'single',
          text: 'Заключён ли в организации коллективный договор?',
          required: true,
          options: ['Да', 'Нет'],
        },
        {
          id: 'reason',
          kind: 'text',
          text: 'Почему договор не заключён?',
          required: true,
          showIf: { question: 'agreement', answer: 'Нет' },
        },
        {
          id: 'topics',
          kind: 'multiple',
          text: 'Какие темы обсуждались на собраниях?',
          required: false,
          options: ['Оплата труда', 'Охрана труда', 'Отдых и оздоровление'],
        },
        {
          id: 'meetings',
          kind: 'number',
          text: 'Сколько собраний проведено за год?',
          required: true,
          min: 0,
          max: 100,
          integer: true,
        },
        { id: 'lastmeeting', kind: 'date', text: 'Дата последнего собрания', required: false },
      ],
    },
    {
      title: 'Численность',
      questions: [
        {
          id: 'staff',
          kind: 'table',
          text: 'Численность работников',
          required: false,
          rows: ['Педагогические работники', 'Прочие работники'],
          columns: ['Всего', 'Члены Профсоюза'],
        },
      ],
    },
  ],
};

/** Stored answers as the form's fields (what the answer page fills its inputs with). */
export function answerFields(definition: Definition, answers: Answers): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const q of questionsOf(definition)) {
    const value = answers[q.id];
    if (value === undefined) continue;
    if (q.kind === 'table')
      (value as (number | null)[][]).forEach((row, ri) =>
        row.forEach((cell, ci) => {
          if (cell !== null) fields[fieldOf(q.id, ri, ci)] = String(cell);
        }),
      );
    else if (q.kind === 'date') fields[fieldOf(q.id)] = (value as string).split('-').reverse().join('.');
    else fields[fieldOf(q.id)] = Array.isArray(value) ? (value as string[]) : String(value);
  }
  return fields;
}
