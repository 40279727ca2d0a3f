import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Principal } from '../access/principal';
import { secondFactorRequired } from '../access/second-factor';
import { recordAudit, type AuditContext } from '../audit/audit';
import type { AuthService } from '../auth/auth.service';
import { loadPrincipal } from '../auth/logins.service';
import { inTransaction } from '../db/transaction';
import { BearerChallengeError, ForbiddenError, NotFoundError, TooManyRequestsError } from '../http/errors';
import { ABSOLUTE_TIMEOUT_MS } from '../http/setup/session';
import { API_REALM } from '../shared/api-path';
import { isApiScope, type ApiScope } from './api-scopes';
import type { ApiTokenForm } from './api-tokens.schemas';
import {
  deleteDeadTokens,
  deleteExpiredSessionTokens,
  insertApiToken,
  personalTokensOf,
  revokeApiToken,
  useApiToken,
  type ApiTokenKind,
} from './api-tokens.repo';

/** `rst_` and 256 random bits: recognisable in a leaked log or repository, unguessable. */
const TOKEN_PATTERN = /^rst_[A-Za-z0-9_-]{43}$/;
const DAY_MS = 24 * 60 * 60 * 1000;
/** The member app's session token lives as long as a browser session may at most. */
export const SESSION_TOKEN_MS = ABSOLUTE_TIMEOUT_MS;

const hashOf = (token: string) => crypto.createHash('sha256').update(token).digest();

/** The caller of an API request: the token's owner as the pages see a signed-in user, and what the token may read. */
export interface ApiCaller {
  principal: Principal;
  tokenId: number;
  scopes: ApiScope[];
}

export function createApiTokensService(
  db: Knex,
  auth: AuthService,
  options: { ratePerMinute: number; totpRequired: boolean },
) {
  async function issue(
    trx: Knex,
    userId: number,
    token: { kind: ApiTokenKind; name: string; scopes: ApiScope[]; expiresAt: Date },
  ) {
    const secret = `rst_${crypto.randomBytes(32).toString('base64url')}`;
    const row = await insertApiToken(trx, { userId, ...token, hash: hashOf(secret) });
    return { secret, row };
  }

  const invalid = (message: string) =>
    new BearerChallengeError(401, 'invalid_token', message, `Bearer ${API_REALM}, error="invalid_token"`);

  return {
    /** A personal access token: its secret is returned once, only its hash is kept. */
    async create(userId: number, form: ApiTokenForm, ctx: AuditContext) {
      const expiresAt = new Date(Date.now() + Number(form.days) * DAY_MS);
      return inTransaction(db, async (trx) => {
        const created = await issue(trx, userId, {
          kind: 'personal',
          name: form.tokenName,
          scopes: form.scopes,
          expiresAt,
        });
        await recordAudit(trx, ctx, {
          action: 'user.api_token_created',
          entity: 'user',
          entityId: userId,
          newValues: { tokenName: form.tokenName, scopes: form.scopes, expiresAt: expiresAt.toISOString() },
        });
        return created;
      });
    },

    list: (userId: number) => personalTokensOf(db, userId),

    async revoke(userId: number, id: number, ctx: AuditContext) {
      await inTransaction(db, async (trx) => {
        const revoked = await revokeApiToken(trx, userId, id);
        if (!revoked) throw new NotFoundError('Токен не найден или уже отозван');
        await recordAudit(trx, ctx, {
          action: 'user.api_token_revoked',
          entity: 'user',
          entityId: userId,
          oldValues: { tokenName: revoked.name, scopes: revoked.scopes },
        });
      });
    },

    /**
     * The member app's sign-in: the web login's own throttled bcrypt check (`auth.authenticate`, which also
     * records the sign-in), then a token with scope `me` for a session's lifetime. A password alone cannot
     * stand for a second factor: its holders use a personal token made on /account.
     */
    async signIn(username: string, password: string, ip: string) {
      const userId = await auth.authenticate(username, password, ip);
      if (userId == null)
        throw new BearerChallengeError(
          401,
          'invalid_credentials',
          'Неверное имя пользователя или пароль',
          `Bearer ${API_REALM}`,
        );
      const principal = await loadPrincipal(db, userId);
      if (!principal) throw invalid('Неверное имя пользователя или пароль');
      if (principal.secondFactorEnrolled || (options.totpRequired && secondFactorRequired(principal)))
        throw new ForbiddenError(
          'Для вашей учётной записи нужен второй фактор, а вход в приложение по паролю его не проверяет. Создайте персональный токен доступа на сайте: «Мой аккаунт» → «Токены доступа к API».',
        );
      if (principal.mustChangePassword)
        throw new ForbiddenError('Сначала смените выданный вам пароль на сайте реестра, затем войдите в приложение.');
      const expiresAt = new Date(Date.now() + SESSION_TOKEN_MS);
      await deleteExpiredSessionTokens(db, userId);
      const { secret } = await issue(db, userId, {
        kind: 'session',
        name: 'Вход в приложение',
        scopes: ['me'],
        expiresAt,
      });
      return { token: secret, tokenType: 'Bearer' as const, expiresAt: expiresAt.toISOString(), scopes: ['me'] };
    },

    /**
     * The caller of a bearer token: 401 unless it is a live token of a user who may sign in, 429 past the
     * token's requests of the minute. The owner is loaded as a session loads them (grants in force today).
     */
    async authenticate(token: string): Promise<ApiCaller> {
      const used = TOKEN_PATTERN.test(token) ? await useApiToken(db, hashOf(token)) : undefined;
      if (!used) throw invalid('Токен доступа не найден, истёк или отозван');
      if (used.windowRequests > options.ratePerMinute)
        throw new TooManyRequestsError(
          `Слишком много запросов с этим токеном: не больше ${options.ratePerMinute} в минуту. Повторите через ${used.windowSecondsLeft} с.`,
          used.windowSecondsLeft,
        );
      const principal = await loadPrincipal(db, used.userId);
      if (!principal) throw invalid('Учётная запись владельца токена заблокирована');
      if (principal.mustChangePassword) throw invalid('Владелец токена должен сменить выданный пароль на сайте');
      return { principal, tokenId: used.id, scopes: used.scopes.filter(isApiScope) };
    },
  };
}

export type ApiTokensService = ReturnType<typeof createApiTokensService>;

/** How long the account page still lists a token after it expired or was revoked. */
const DEAD_TOKEN_DAYS = 30;

/** The hourly prune: tokens expired or revoked over DEAD_TOKEN_DAYS ago. */
export function pruneApiTokens(db: Knex): Promise<number> {
  return deleteDeadTokens(db, DEAD_TOKEN_DAYS);
}
