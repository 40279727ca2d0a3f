import { z } from 'zod';
import type { FieldError } from './errors';

// Russian messages for every built-in zod check; schemas override where a domain wording is clearer.
z.config(z.locales.ru());

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldError[] };

/** Body or query → typed data, or one Russian message per field (the first problem of each). */
export function parseForm<S extends z.ZodType>(schema: S, input: unknown): FormResult<z.output<S>> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldError[] = [];
  for (const issue of result.error.issues) {
    const field = issue.path.length ? issue.path.map(String).join('.') : 'form';
    if (!errors.some((e) => e.field === field)) errors.push({ field, message: issue.message });
  }
  return { ok: false, errors };
}

/** What the views need: a summary list linking to fields and a per-field lookup. */
export function errorViewModel(errors: FieldError[]) {
  return {
    errorList: errors.map((e) => ({ href: `#${e.field}`, text: e.message })),
    fieldErrors: Object.fromEntries(errors.map((e) => [e.field, e.message])) as Record<string, string>,
  };
}
