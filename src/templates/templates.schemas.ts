import { z } from 'zod';
import { CASE_FILTER_NAMES, CASE_FILTERS, isCaseFilter } from './person-cases';

// The union's document templates are data: a kind (what the document is, and which registry fields it may
// name), a version, and a body of blocks whose texts hold {{placeholders}}. A federal administrator uploads
// a new version as JSON; this module checks it — the shape with zod, then every placeholder against the
// kind's fields — and answers in Russian with the line of the uploaded text each problem is on.

/** What a person is called in the documents: the member card's fields and an online applicant's alike. */
const PERSON_FIELDS = {
  'member.surname': 'Фамилия',
  'member.name': 'Имя',
  'member.patronymic': 'Отчество',
  'member.fullName': 'Фамилия, имя, отчество',
  'member.birthDate': 'Дата рождения',
  'member.position': 'Должность',
  'member.phone': 'Телефон',
  'member.email': 'Электронная почта',
} as const;

const ORG_FIELDS = {
  'organization.name': 'Наименование организации Профсоюза',
  'organization.inpo': 'ИНПО',
  'organization.chairName': 'Председатель (фамилия и инициалы)',
  'organization.employerName': 'Наименование работодателя (из паспорта ППО)',
  'organization.employerInn': 'ИНН работодателя',
} as const;

/** The fields that are people's names: the ones a case filter ({{member.fullName|genitive}}) applies to. */
export const DECLINABLE_FIELDS: readonly string[] = [
  'member.surname',
  'member.name',
  'member.patronymic',
  'member.fullName',
  'organization.chairName',
];

const TODAY = { 'date.today': 'Дата формирования документа' } as const;

export const TEMPLATE_KINDS = {
  'membership-application': {
    label: 'Заявление о вступлении в Профсоюз',
    fields: { ...PERSON_FIELDS, 'member.workplace': 'Место работы или учёбы', ...ORG_FIELDS, ...TODAY },
  },
  consent: {
    label: 'Согласие на обработку персональных данных',
    fields: {
      ...PERSON_FIELDS,
      ...ORG_FIELDS,
      'consent.version': 'Версия текста согласия',
      'consent.text': 'Текст согласия (той версии, на которую дано согласие)',
      'consent.givenOn': 'Дата согласия',
      ...TODAY,
    },
  },
  'dues-withholding': {
    label: 'Заявление работодателю об удержании членских взносов',
    fields: { ...PERSON_FIELDS, ...ORG_FIELDS, ...TODAY },
  },
  'admission-extract': {
    label: 'Выписка из протокола о приёме в Профсоюз',
    fields: {
      ...PERSON_FIELDS,
      ...ORG_FIELDS,
      'admission.on': 'Дата приёма',
      'admission.protocolNumber': 'Номер протокола',
      'admission.protocolDate': 'Дата протокола',
      ...TODAY,
    },
  },
  certificate: {
    label: 'Справка о членстве в Профсоюзе',
    fields: {
      ...PERSON_FIELDS,
      ...ORG_FIELDS,
      'member.joinedOn': 'Член Профсоюза с',
      'card.number': 'Номер профсоюзного билета',
      'card.checkUrl': 'Адрес проверки билета (для QR-кода)',
      ...TODAY,
    },
  },
  'registration-card': {
    label: 'Регистрационная карта организации',
    fields: {
      ...ORG_FIELDS,
      'organization.shortName': 'Краткое наименование',
      'organization.level': 'Уровень организации',
      'organization.parentName': 'Вышестоящая организация',
      'organization.address': 'Адрес',
      'organization.phone': 'Телефон',
      'organization.email': 'Электронная почта',
      'organization.website': 'Сайт',
      'organization.employerKind': 'Тип работодателя',
      'organization.createdOn': 'Дата создания',
      'organization.membersCount': 'Членов Профсоюза на учёте',
      ...TODAY,
    },
  },
  'meeting-minutes': {
    label: 'Протокол собрания (заседания)',
    fields: {
      'organization.name': ORG_FIELDS['organization.name'],
      'organization.inpo': ORG_FIELDS['organization.inpo'],
      'organization.chairName': ORG_FIELDS['organization.chairName'],
      'meeting.body': 'Орган (собрание, профком, президиум, конференция, пленум)',
      'meeting.number': 'Номер протокола',
      'meeting.date': 'Дата собрания',
      'meeting.time': 'Время начала',
      'meeting.place': 'Место или ссылка на дистанционное собрание',
      'meeting.participants': 'Число участников',
      'meeting.present': 'Число зарегистрированных',
      'meeting.quorum': 'Кворум (правило и есть ли он)',
      'meeting.agenda': 'Повестка дня (пункты по порядку)',
      'meeting.decisions': 'Решения по пунктам повестки с итогами голосования',
      ...TODAY,
    },
  },
} as const satisfies Record<string, { label: string; fields: Record<string, string> }>;

export type TemplateKind = keyof typeof TEMPLATE_KINDS;
export const TEMPLATE_KIND_CODES = Object.keys(TEMPLATE_KINDS) as TemplateKind[];
export const isTemplateKind = (value: string): value is TemplateKind => Object.hasOwn(TEMPLATE_KINDS, value);

/** The values a document is generated from: every field of its kind, empty ones null (a line to fill by hand). */
export type FieldValues = Record<string, string | null>;

const text = (max: number) => z.string({ error: 'должен быть текст' }).trim().min(1, 'не должен быть пустым').max(max);

const block = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('heading'), text: text(300) }),
    z.strictObject({
      type: z.literal('paragraph'),
      text: text(5000),
      align: z.enum(['left', 'center', 'right', 'justify']).optional(),
    }),
    z.strictObject({
      type: z.literal('fields'),
      rows: z
        .array(z.strictObject({ label: text(200), value: text(1000) }))
        .min(1)
        .max(40),
    }),
    z.strictObject({ type: z.literal('signatures'), lines: z.array(text(200)).min(1).max(10) }),
    z.strictObject({ type: z.literal('qr'), value: text(300), caption: text(300).optional() }),
  ],
  { error: 'type: блок должен быть heading, paragraph, fields, signatures или qr' },
);
export type TemplateBlock = z.output<typeof block>;

export const templateBodySchema = z.strictObject({
  kind: z.enum(TEMPLATE_KIND_CODES as [TemplateKind, ...TemplateKind[]], {
    error: `kind: вид шаблона должен быть одним из: ${TEMPLATE_KIND_CODES.join(', ')}`,
  }),
  title: text(200),
  blocks: z.array(block).min(1, 'в шаблоне нет ни одного блока').max(100),
});
export type TemplateBody = z.output<typeof templateBodySchema>;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** A placeholder's field and filter as written ({{ member.fullName | genitive }} is member.fullName|genitive). */
const placeholderKey = (inside: string) => inside.replace(/\s*\|\s*/g, '|');

const FILTER_LIST = CASE_FILTER_NAMES.map((f) => `${f} — ${CASE_FILTERS[f]}`).join(', ');

/** What is wrong with one placeholder of a kind's template (null: nothing). */
function placeholderProblem(inside: string, known: Record<string, string>, kindLabel: string): string | null {
  const [field = '', ...filters] = placeholderKey(inside).split('|');
  if (!Object.hasOwn(known, field))
    return `неизвестное поле {{${inside}}}: в шаблоне «${kindLabel}» доступны ${Object.keys(known).join(', ')}`;
  if (filters.length > 1)
    return `в {{${inside}}} больше одного фильтра: падеж пишется один, например {{${field}|genitive}}`;
  const [filter] = filters;
  if (filter === undefined) return null;
  if (!isCaseFilter(filter)) return `неизвестный фильтр «${filter}» в {{${inside}}}: доступны ${FILTER_LIST}`;
  if (!DECLINABLE_FIELDS.includes(field))
    return `фильтр «${filter}» в {{${inside}}} склоняет только имена людей: ${DECLINABLE_FIELDS.join(', ')}`;
  return null;
}

/** Every text of a block that may hold placeholders. */
function textsOf(b: TemplateBlock): string[] {
  switch (b.type) {
    case 'heading':
    case 'paragraph':
      return [b.text];
    case 'fields':
      return b.rows.flatMap((r) => [r.label, r.value]);
    case 'signatures':
      return b.lines;
    case 'qr':
      return [b.value, ...(b.caption ? [b.caption] : [])];
  }
}

/** The 1-based line of the uploaded text where `needle` first occurs (0 when it does not, e.g. an escaped one). */
function lineOf(source: string, needle: string): number {
  const at = source.indexOf(needle);
  return at < 0 ? 0 : source.slice(0, at).split('\n').length;
}

const where = (line: number) => (line ? `Строка ${line}: ` : '');

export type CheckOutcome = { ok: true; body: TemplateBody } | { ok: false; errors: string[] };

/**
 * A template's uploaded text checked: JSON, the block format, then every {{placeholder}} against the fields
 * its kind declares. Each problem is one Russian message naming the placeholder and its line.
 */
export function checkTemplate(source: string, json: unknown): CheckOutcome {
  const parsed = templateBodySchema.safeParse(json);
  if (!parsed.success)
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => {
        const path = i.path.join('.');
        const message = i.message.includes(': ') ? i.message : `${path || 'шаблон'}: ${i.message}`;
        const key = i.path.at(-1);
        return `${where(typeof key === 'string' ? lineOf(source, `"${key}"`) : 0)}${message}`;
      }),
    };
  const body = parsed.data;
  const kind = TEMPLATE_KINDS[body.kind];
  const known: Record<string, string> = kind.fields;
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const b of body.blocks) {
    for (const t of textsOf(b)) {
      for (const [whole, inside] of t.matchAll(PLACEHOLDER)) {
        const problem = placeholderProblem(inside!, known, kind.label);
        if (!problem || seen.has(whole)) continue;
        seen.add(whole);
        errors.push(`${where(lineOf(source, whole))}${problem}`);
      }
      const stray = t.replace(PLACEHOLDER, '');
      if (/\{\{|\}\}/.test(stray) && !seen.has(t)) {
        seen.add(t);
        errors.push(
          `${where(lineOf(source, t.slice(0, 40)))}незакрытая подстановка: пишите поле как {{member.surname}}`,
        );
      }
    }
  }
  if (body.blocks.some((b) => b.type === 'qr' && !/^\s*\{\{[^{}]+\}\}\s*$/.test(b.value)))
    errors.push('qr: в QR-код подставляется одно поле, например {{card.checkUrl}}');
  return errors.length ? { ok: false, errors } : { ok: true, body };
}

/**
 * Placeholders replaced by their values (a filtered one by the value under its whole key, e.g.
 * `member.fullName|genitive`: see person-cases.ts); an empty value is a line to fill in by hand.
 */
export function fillText(template: string, values: FieldValues, blank = '____________'): string {
  return template.replace(PLACEHOLDER, (_m, inside: string) => values[placeholderKey(inside)] || blank);
}

/** The QR block's value, or null when its field is empty (the member has no card): the block is left out. */
export function qrValue(template: string, values: FieldValues): string | null {
  const inside = /\{\{\s*([^{}]*?)\s*\}\}/.exec(template)?.[1];
  return inside ? (values[placeholderKey(inside)] ?? null) : null;
}
