export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Страница не найдена') {
    super(404, 'not_found', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Недостаточно прав') {
    super(403, 'forbidden', message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super(409, 'conflict', message);
  }
}

export interface FieldError {
  field: string;
  message: string;
}

export class ValidationError extends AppError {
  constructor(readonly fields: FieldError[]) {
    super(422, 'validation', 'Проверьте введённые данные');
  }
}

export class TooManyRequestsError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, 'too_many_requests', message);
  }
}

/** The database cannot be reached for now (a restart, a failover, a full pool): the request may simply be repeated. */
export class ServiceUnavailableError extends AppError {
  readonly retryAfterSeconds = 5;
  constructor() {
    super(
      503,
      'database_unavailable',
      'База данных временно недоступна. Повторите действие через несколько секунд: если оно не было выполнено, ничего не изменилось.',
    );
  }
}

/**
 * A refusal of a bearer-token call (the JSON API): 401 for a missing, unknown, expired or revoked token, 403
 * for a token without the scope a route needs, with the RFC 6750 challenge the error handler sends as
 * `WWW-Authenticate`.
 */
export class BearerChallengeError extends AppError {
  constructor(
    status: 401 | 403,
    code: string,
    message: string,
    readonly challenge: string,
  ) {
    super(status, code, message);
  }
}
