import { z } from 'zod';
import { ROLES, type Role } from '../access/roles';
import { blankToUndefined, idInput, inpoInput, optionalDate, optionalText, requiredString } from '../shared/fields';
import { INPO_PATTERN } from '../shared/inpo';
import { INT4_MAX } from '../shared/numbers';

export const CATEGORIES = ['normative', 'methodological', 'forms', 'templates', 'training'] as const;
export type Category = (typeof CATEGORIES)[number];
export const CATEGORY_LABELS: Record<Category, string> = {
  normative: 'Нормативные документы',
  methodological: 'Методические материалы',
  forms: 'Формы',
  templates: 'Шаблоны документов',
  training: 'Обучение',
};

export const VISIBILITIES = ['union', 'subtree', 'role'] as const;
export type Visibility = (typeof VISIBILITIES)[number];
export const VISIBILITY_LABELS: Record<Visibility, string> = {
  union: 'всем в Профсоюзе',
  subtree: 'организации и входящим в неё',
  role: 'обладателям роли',
};

export type FileKind = 'pdf' | 'docx' | 'xlsx' | 'odt';
export const FILE_KINDS: Record<FileKind, { label: string; mime: string }> = {
  pdf: { label: 'PDF', mime: 'application/pdf' },
  docx: { label: 'DOCX', mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
  xlsx: { label: 'XLSX', mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
  odt: { label: 'ODT', mime: 'application/vnd.oasis.opendocument.text' },
};

/** The document's description (the upload form and the edit form). */
export const documentSchema = z
  .object({
    title: requiredString('Укажите название документа'),
    category: z.enum(CATEGORIES, { error: 'Выберите раздел библиотеки' }),
    issuerInpo: inpoInput('Укажите ИНПО организации, издавшей документ (10 цифр)'),
    issuedOn: optionalDate(),
    number: optionalText(100),
    tags: z
      .string()
      .max(1000, 'Метки — не длиннее 1000 знаков')
      .default('')
      .transform((v) => [...new Set(v.split(',').map((t) => t.trim().toLowerCase()))].filter(Boolean))
      .refine((tags) => tags.length <= 20 && tags.every((t) => t.length <= 50), 'Не больше 20 меток по 50 знаков'),
    visibility: z.enum(VISIBILITIES, { error: 'Выберите, кому виден документ' }),
    visibleInpo: z.string().trim().max(20).default(''),
    visibleRole: z.string().trim().max(20).default(''),
    supersededBy: z
      .preprocess(blankToUndefined, idInput('Укажите номер документа библиотеки (из его адреса)', INT4_MAX).optional())
      .transform((v) => v ?? null),
  })
  .superRefine((v, ctx) => {
    if (v.visibility === 'subtree' && !INPO_PATTERN.test(v.visibleInpo))
      ctx.addIssue({
        code: 'custom',
        path: ['visibleInpo'],
        message: 'Укажите ИНПО организации, которой виден документ',
      });
    if (v.visibility === 'role' && !(ROLES as readonly string[]).includes(v.visibleRole))
      ctx.addIssue({ code: 'custom', path: ['visibleRole'], message: 'Выберите роль' });
  })
  .transform((v) => ({
    ...v,
    visibleInpo: v.visibility === 'subtree' ? v.visibleInpo : null,
    visibleRole: v.visibility === 'role' ? (v.visibleRole as Role) : null,
  }));
export type DocumentInput = z.output<typeof documentSchema>;

/** The library's search and filters (the list's query). */
export const searchSchema = z.object({
  q: z.string().trim().max(200).catch('').default(''),
  category: z.enum(CATEGORIES).optional().catch(undefined),
  status: z.enum(['in_force', 'superseded']).optional().catch(undefined),
  tag: z.string().trim().toLowerCase().max(50).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(500).catch(1).default(1),
});
export type SearchQuery = z.output<typeof searchSchema>;

export const PAGE_SIZE = 20;
/** A search counts its matches up to this many: past it the page says «более 1 000» (counting reads every match). */
export const COUNT_CAP = 1000;

/** The markers ts_headline puts around a hit: control characters no extracted text keeps (library-text.ts). */
export const HIT_START = '\u0001';
export const HIT_END = '\u0002';
