import { z } from 'zod';
import { optionalDate, optionalText } from '../shared/fields';
import { ACTION_LABELS, ENTITY_GROUPS, type EntityGroup } from './labels';

const oneOf = <T extends string>(allowed: readonly T[], message: string) =>
  optionalText(100)
    .refine((v) => v === null || (allowed as readonly string[]).includes(v), message)
    .transform((v) => v as T | null);

/** The audit viewer's filter (query string); every field optional, each refusal in Russian next to its field. */
export const auditFilterSchema = z
  .object({
    actor: optionalText(64).transform((v) => v?.toLowerCase() ?? null),
    org: optionalText(10).refine((v) => v === null || /^\d{10}$/.test(v), 'ИНПО — 10 цифр'),
    action: oneOf(Object.keys(ACTION_LABELS), 'Выберите действие из списка'),
    entity: oneOf(Object.keys(ENTITY_GROUPS) as EntityGroup[], 'Выберите объект из списка'),
    from: optionalDate(),
    to: optionalDate(),
    after: z.string().max(20).optional(),
  })
  .refine((v) => !v.from || !v.to || v.from <= v.to, { path: ['to'], message: 'Конец периода раньше его начала' });
