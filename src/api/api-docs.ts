/**
 * The reference page of the API (/api/v1/docs), read from the generated OpenAPI document itself: the
 * operations with their parameters, bodies and answers, the schemas with their fields, the problem types.
 * No third-party viewer: a server-rendered page like every other.
 */
type Json = Record<string, unknown>;

export interface DocField {
  name: string;
  type: string;
  /** the anchor of a named schema this field refers to */
  ref: string | null;
  required: boolean;
  description: string;
}

/** The problem types (`type` of a problem+json: /api/v1/docs#problem-{code}) a client may meet. */
export const PROBLEM_TYPES: { code: string; status: number; meaning: string }[] = [
  { code: 'unauthenticated', status: 401, meaning: 'Нет заголовка Authorization: Bearer …' },
  { code: 'invalid_token', status: 401, meaning: 'Токен не найден, истёк или отозван; или его владелец заблокирован' },
  { code: 'invalid_credentials', status: 401, meaning: 'Вход приложения: неверное имя пользователя или пароль' },
  { code: 'insufficient_scope', status: 403, meaning: 'У токена нет права (scope), нужного операции' },
  { code: 'forbidden', status: 403, meaning: 'У владельца токена нет такого права на эту организацию' },
  { code: 'not_found', status: 404, meaning: 'Объекта нет или он вне организаций владельца токена' },
  { code: 'validation', status: 422, meaning: 'Параметры не прошли проверку: поле errors называет каждое' },
  { code: 'too_many_requests', status: 429, meaning: 'Превышен предел запросов: повторите через Retry-After секунд' },
  { code: 'bad_request', status: 400, meaning: 'Запрос не разобран (например, неверный JSON)' },
  { code: 'internal', status: 500, meaning: 'Внутренняя ошибка сервера' },
  { code: 'database_unavailable', status: 503, meaning: 'База данных временно недоступна: повторите запрос' },
];

const refName = (ref: string) => ref.split('/').pop() ?? ref;

function typeOf(schema: Json | undefined): { type: string; ref: string | null } {
  if (!schema) return { type: '—', ref: null };
  if (typeof schema.$ref === 'string') return { type: refName(schema.$ref), ref: refName(schema.$ref) };
  const variants = (schema.anyOf ?? schema.oneOf) as Json[] | undefined;
  if (variants) {
    const parts = variants.map(typeOf);
    return { type: parts.map((p) => p.type).join(' | '), ref: parts.find((p) => p.ref)?.ref ?? null };
  }
  if (Array.isArray(schema.enum)) return { type: schema.enum.map(String).join(' | '), ref: null };
  if (schema.const !== undefined) return { type: JSON.stringify(schema.const), ref: null };
  const types = ([] as unknown[]).concat(schema.type ?? 'любое').map(String);
  if (types.includes('array')) {
    const item = typeOf(schema.items as Json | undefined);
    return { type: `массив ${item.type}`, ref: item.ref };
  }
  const format = typeof schema.format === 'string' ? ` (${schema.format})` : '';
  return { type: `${types.join(' | ')}${format}`, ref: null };
}

function fieldsOf(schema: Json): DocField[] {
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries((schema.properties as Record<string, Json> | undefined) ?? {}).map(([name, prop]) => ({
    name,
    ...typeOf(prop),
    required: required.has(name),
    description: typeof prop.description === 'string' ? prop.description : '',
  }));
}

export function docsViewModel(doc: unknown) {
  const document = doc as Json;
  const info = document.info as { title: string; version: string; description?: string };
  const operations = Object.entries((document.paths as Record<string, Record<string, Json>>) ?? {}).flatMap(
    ([path, item]) =>
      Object.entries(item).map(([method, op]) => {
        const security = (op.security as Record<string, string[]>[] | undefined) ?? [];
        const body = (op.requestBody as { content?: Record<string, { schema?: Json }> } | undefined)?.content;
        return {
          id: `${method}-${path.replace(/[^a-z0-9]+/gi, '-')}`,
          method: method.toUpperCase(),
          path,
          summary: String(op.summary ?? ''),
          description: String(op.description ?? ''),
          tag: ((op.tags as string[] | undefined) ?? [])[0] ?? '',
          scopes: security.flatMap((s) => Object.values(s).flat()),
          parameters: ((op.parameters as Json[] | undefined) ?? []).map((p) => ({
            name: String(p.name),
            in: String(p.in),
            ...typeOf(p.schema as Json | undefined),
            required: Boolean(p.required),
            description: String(p.description ?? (p.schema as Json | undefined)?.description ?? ''),
          })),
          body: body ? typeOf(Object.values(body)[0]?.schema) : null,
          responses: Object.entries((op.responses as Record<string, Json>) ?? {}).map(([status, r]) => {
            const content = (r.content as Record<string, { schema?: Json }> | undefined) ?? {};
            const [mediaType, media] = Object.entries(content)[0] ?? ['', undefined];
            return { status, description: String(r.description ?? ''), mediaType, ...typeOf(media?.schema) };
          }),
        };
      }),
  );
  const schemas = Object.entries(
    ((document.components as Json | undefined)?.schemas as Record<string, Json>) ?? {},
  ).map(([name, schema]) => ({
    name,
    description: typeof schema.description === 'string' ? schema.description : '',
    fields: fieldsOf(schema),
  }));
  return { info, operations, schemas, problems: PROBLEM_TYPES };
}
