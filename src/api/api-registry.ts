import type { Request, Response } from 'express';
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import type { Guard, GuardedRouter } from '../access/route-guards';
import { BearerChallengeError, ValidationError } from '../http/errors';
import { parseForm } from '../http/forms';
import { API_PREFIX, API_REALM } from '../shared/api-path';
import type { ApiScope } from './api-scopes';
import { problemSchema } from './api.schemas';

type Shape = z.ZodObject;
type Empty = z.ZodObject<Record<string, never>>;

/** What the errors of an operation mean, as the document lists them (each a problem+json). */
const ERROR_DESCRIPTIONS: Record<number, string> = {
  401: 'Нет токена, он не найден, истёк или отозван (заголовок WWW-Authenticate: Bearer)',
  403: 'У токена нет нужного права (scope) или у его владельца нет такого права на эту организацию',
  404: 'Объекта нет или он вне организаций владельца токена',
  422: 'Параметры запроса не прошли проверку: `errors` называет каждое поле',
  429: 'Слишком много запросов: повторите через Retry-After секунд',
};

/** One operation of the API: its schemas validate the request and describe it in the OpenAPI document. */
export interface ApiOperation<P extends Shape, Q extends Shape, B extends Shape, R extends z.ZodType> {
  method: 'get' | 'post';
  /** The path as OpenAPI writes it (`/api/v1/orgs/{inpo}`); Express gets `:inpo`. */
  path: string;
  /** The route's permission, first on its line as on every route (access/route-guards.ts). */
  guard: Guard;
  /** The token's scope the operation needs; null for the public ones. */
  scope: ApiScope | null;
  tag: string;
  summary: string;
  description?: string;
  params?: P;
  query?: Q;
  body?: B;
  response: R;
  status?: 200 | 201;
  /** The statuses of its refusals, besides the 401/429 of every token-checked operation. */
  errors: number[];
  handle(req: Request, input: { params: z.output<P>; query: z.output<Q>; body: z.output<B> }): Promise<z.input<R>>;
}

function parsed<S extends z.ZodType>(schema: S | undefined, input: unknown): z.output<S> {
  if (!schema) return {} as z.output<S>;
  const result = parseForm(schema, input);
  if (!result.ok) throw new ValidationError(result.errors);
  return result.data;
}

/**
 * The API's routes on a guarded router, each registered in the OpenAPI registry by the same call: the
 * document lists exactly what the router serves (the test walks the router to make sure).
 */
export function createApiRegistry(routes: GuardedRouter) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description:
      'Персональный токен доступа (создаётся на странице «Мой аккаунт») или токен входа приложения (POST /api/v1/sessions). Права токена (scopes) указаны у каждой операции.',
  });
  let document: ReturnType<OpenApiGeneratorV31['generateDocument']> | undefined;

  const problems = (statuses: number[]) =>
    Object.fromEntries(
      statuses.map((s) => [
        s,
        {
          description: ERROR_DESCRIPTIONS[s] ?? 'Ошибка',
          content: { 'application/problem+json': { schema: problemSchema } },
        },
      ]),
    );

  /** A token's scope: 403 with the RFC 6750 challenge naming the scope it lacks. */
  const requireScope = (scope: ApiScope) => (_req: Request, res: Response, next: () => void) => {
    if (!(res.locals.apiScopes as ApiScope[] | undefined)?.includes(scope))
      throw new BearerChallengeError(
        403,
        'insufficient_scope',
        `У токена нет права «${scope}», нужного для этого запроса`,
        `Bearer ${API_REALM}, error="insufficient_scope", scope="${scope}"`,
      );
    next();
  };

  return {
    operation<
      P extends Shape = Empty,
      Q extends Shape = Empty,
      B extends Shape = Empty,
      R extends z.ZodType = z.ZodType,
    >(op: ApiOperation<P, Q, B, R>) {
      const status = op.status ?? 200;
      const errors = [...new Set([...(op.scope ? [401, 403, 429] : []), ...op.errors])].sort();
      registry.registerPath({
        method: op.method,
        path: op.path,
        tags: [op.tag],
        summary: op.summary,
        description: op.description,
        security: op.scope ? [{ bearerAuth: [op.scope] }] : [],
        request: {
          params: op.params,
          query: op.query,
          body: op.body ? { required: true, content: { 'application/json': { schema: op.body } } } : undefined,
        },
        responses: {
          [status]: { description: 'Успешно', content: { 'application/json': { schema: op.response } } },
          ...problems(errors),
        },
      });
      const expressPath = op.path.replace(/\{(\w+)\}/g, ':$1');
      const handler = async (req: Request, res: Response) => {
        const input = {
          params: parsed(op.params, req.params),
          query: parsed(op.query, req.query),
          body: parsed(op.body, req.body),
        };
        // the answer goes through its schema: what it does not declare is dropped
        res.status(status).json(op.response.parse(await op.handle(req, input)));
      };
      if (op.scope) routes[op.method](expressPath, op.guard, requireScope(op.scope), handler);
      else routes[op.method](expressPath, op.guard, handler);
    },

    /** A route that is no JSON operation (the document itself, its reference page), described by hand. */
    describe(path: string, summary: string, contentType: string) {
      registry.registerPath({
        method: 'get',
        path,
        tags: ['Справочник'],
        summary,
        security: [],
        responses: {
          200: {
            description: 'Успешно',
            content: { [contentType]: { schema: { type: contentType === 'application/json' ? 'object' : 'string' } } },
          },
        },
      });
    },

    /** The OpenAPI 3.1 document of every operation registered (built once, on first use). */
    document() {
      document ??= new OpenApiGeneratorV31(registry.definitions).generateDocument({
        openapi: '3.1.0',
        info: {
          title: 'Реестр Профсоюза образования: API',
          version: '1.0.0',
          description:
            'JSON API реестра. Доступ — по токену в заголовке `Authorization: Bearer …`; права те же, что у владельца токена на страницах реестра: объекты вне его организаций отвечают 404. Ошибки — в формате RFC 9457 (application/problem+json).',
        },
        servers: [{ url: '/' }],
      });
      return document;
    },
  };
}

export type ApiRegistry = ReturnType<typeof createApiRegistry>;
export { API_PREFIX };
