import { formatDate } from '../shared/format';
import { ConflictError, ValidationError } from './errors';

// Optimistic locking of edit forms. A form of a row others may edit carries, hidden, the row's version
// and a snapshot of what it showed (`base`). A save names that version; when the row has moved on, the
// save changes nothing and answers 409 with what the other user changed (snapshot vs saved row) and the
// form again: the user's own input kept, the other user's changes taken into the fields the user left
// alone, and the new version — so saving it again neither reverts the other change nor loses one's own.

const OUTDATED = 'Форма устарела: обновите страницу и внесите изменения ещё раз';

/** What a form was rendered from: the row's version (null for a row not yet created) and the shown values. */
export interface Seen {
  version: number | null;
  base: Record<string, unknown> | undefined;
}

/** How the fields of a form are named in messages, and how a value is shown when plain text is not enough. */
export interface FieldSpec {
  labels: Record<string, string>;
  show?: Record<string, (value: unknown) => string>;
}

const encodeBase = (values: Record<string, unknown>) => Buffer.from(JSON.stringify(values)).toString('base64url');

function decodeBase(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'string' || !value || value.length > 20_000) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The hidden fields of a versioned form. */
export function versionFields(version: number | null, snapshot: Record<string, unknown>): Record<string, string> {
  return { version: version == null ? '' : String(version), base: encodeBase(snapshot) };
}

/** The version and snapshot a submitted form was rendered from; `mayCreate` when an empty version means "the row did not exist yet". */
export function seenIn(body: unknown, mayCreate = false): Seen {
  const fields = (body ?? {}) as Record<string, unknown>;
  const raw = typeof fields.version === 'string' ? fields.version.trim() : '';
  const version = /^[1-9]\d{0,8}$/.test(raw) ? Number(raw) : null;
  if (version === null && !(mayCreate && raw === '')) throw new ValidationError([{ field: 'form', message: OUTDATED }]);
  return { version, base: decodeBase(fields.base) };
}

/** A form value as a browser sends it back: what tells "left as shown" from "changed by the user". */
function asFormValue(value: unknown): string {
  if (value === true) return 'on';
  if (value === false || value == null) return '';
  return String(value);
}

function shown(spec: FieldSpec, key: string, value: unknown): string {
  if (value == null || value === '') return '—';
  if (spec.show?.[key]) return spec.show[key](value);
  if (typeof value === 'boolean') return value ? 'да' : 'нет';
  return /^\d{4}-\d{2}-\d{2}$/.test(String(value)) ? formatDate(String(value)) : String(value);
}

export class StaleEditError extends ConflictError {
  constructor(
    message: string,
    /** The hidden fields to render the form with again (the row's present version and snapshot). */
    readonly hidden: Record<string, string>,
    /** The saved values, keyed like the form's fields. */
    readonly current: Record<string, unknown>,
    readonly base: Record<string, unknown> | undefined,
  ) {
    super(message);
  }
}

/**
 * The 409 of a save from a form whose row has moved on since: the message lists each field another
 * user changed (snapshot vs `current`) with its new value.
 */
export function staleEdit(
  spec: FieldSpec,
  seen: Seen,
  current: Record<string, unknown>,
  hidden: Record<string, string>,
  subject = 'эти данные',
): StaleEditError {
  const changed = Object.keys(spec.labels).filter(
    (key) => seen.base && JSON.stringify(seen.base[key] ?? null) !== JSON.stringify(current[key] ?? null),
  );
  const list = changed.map((key) => `${spec.labels[key]}: ${shown(spec, key, current[key])}`).join('; ');
  const message = `Пока форма была открыта, ${subject} изменил другой пользователь${list ? ` — ${list}` : ''}. Ничего не сохранено: изменения другого пользователя подставлены в форму, проверьте её и сохраните ещё раз.`;
  return new StaleEditError(message, hidden, current, seen.base);
}

/** The form's values after a stale save: the user's input, and the saved value wherever the user left the field as it was shown. */
export function mergeStale(submitted: Record<string, unknown>, err: StaleEditError): Record<string, unknown> {
  const values: Record<string, unknown> = { ...submitted, ...err.hidden };
  if (!err.base) return values;
  for (const [key, value] of Object.entries(err.current)) {
    if (key in err.base && asFormValue(err.base[key]) === asFormValue(submitted[key])) values[key] = value;
  }
  return values;
}
