import { AppError, ConflictError, ValidationError } from '../http/errors';

// The database has the last word on races: two users who pass the same check at the same moment meet
// at a unique index, an exclusion constraint or a lock. Its refusal is turned here into the message the
// user would have got had they come one after the other — on the field it concerns (a ValidationError,
// 422) or about the whole record (a ConflictError, 409). This is the one list: every form gets its
// refusals from here (services through inTransaction, anything else through the error handler). A
// unique, foreign-key or exclusion refusal of a constraint not listed still gets a message about the
// whole record (and a warning in the log, so that it gets its own line here); other errors are bugs.

interface PgError {
  code?: string;
  constraint?: string;
}

type Refusal = { field: string; message: string } | { conflict: string };

/** Refusals by constraint name: unique indexes (23505), foreign keys (23503), exclusions (23P01), checks (23514). */
const BY_CONSTRAINT: Record<string, Refusal> = {
  transfer_requests_one_pending: {
    field: 'toInpo',
    message: 'Запрос на перевод этого члена Профсоюза уже ждёт ответа',
  },
  member_consents_one_active: {
    field: 'kind',
    message: 'Такое согласие уже действует: чтобы заменить его, сначала отзовите',
  },
  union_cards_one_live_per_member: { field: 'kind', message: 'У члена Профсоюза уже есть действующая карта' },
  union_cards_number_key: { conflict: 'Номер карты только что выдан другой карте: повторите' },
  org_officers_one_chair: {
    field: 'electedOn',
    message: 'Председатель только что избран другим пользователем: обновите страницу',
  },
  org_officers_one_group_organizer: {
    field: 'electedOn',
    message: 'Профгрупорг только что избран другим пользователем: обновите страницу',
  },
  org_headcounts_organization_id_as_of_key: {
    field: 'asOf',
    message: 'Численность на эту дату только что указал другой пользователь: обновите страницу',
  },
  collective_agreements_pkey: {
    conflict: 'Сведения о коллективном договоре только что заполнил другой пользователь: обновите страницу',
  },
  report_versions_report_id_number_key: { conflict: 'Отчёт только что сдан другим пользователем' },
  form_versions_code_version_key: {
    conflict: 'Другой пользователь только что загрузил версию этой формы: обновите страницу',
  },
  form_versions_one_active: { conflict: 'Другая версия этой формы только что активирована: обновите страницу' },
  role_grants_user_id_role_organization_id_key: {
    field: 'role',
    message: 'Эта роль на этой организации у пользователя уже есть',
  },
  users_username_key: { field: 'username', message: 'Это имя пользователя уже занято' },
  organizations_inpo_key: { conflict: 'ИНПО уже занят: повторите' },
  member_periods_no_overlap: {
    field: 'on',
    message: 'На эту дату у члена Профсоюза уже есть членство: периоды не могут пересекаться',
  },
  member_card_matches_open_period: {
    conflict: 'Карточку только что изменил другой пользователь: обновите страницу и повторите',
  },
  persons_snils_idx: {
    field: 'snils',
    message: 'Человека с этим СНИЛС только что внёс другой пользователь: повторите',
  },
  members_organization_id_fkey: { field: 'organizationInpo', message: 'Организация не найдена' },
};

/** Refusals by SQLSTATE alone: the transaction lost a race as a whole, or met a row another user just wrote. */
const BY_CODE: Record<string, string> = {
  '23505': 'Такая запись уже есть: её только что внёс другой пользователь. Обновите страницу и проверьте',
  '23503': 'Связанную запись только что изменил или удалил другой пользователь: обновите страницу и повторите',
  '23P01': 'Запись пересекается с той, что только что внёс другой пользователь: обновите страницу и проверьте даты',
  '40001': 'Запись одновременно изменили несколько пользователей: повторите действие',
  '40P01': 'Запись одновременно изменили несколько пользователей: повторите действие',
  '55P03': 'Запись сейчас изменяет другой пользователь: повторите через минуту',
};

/** The user-facing error for a PostgreSQL error, or undefined when it is not a known refusal. */
export function mapPgError(err: unknown): AppError | undefined {
  const { code, constraint } = (err ?? {}) as PgError;
  if (typeof code !== 'string') return undefined;
  const refusal = code.startsWith('23') && constraint ? BY_CONSTRAINT[constraint] : undefined;
  if (refusal)
    return 'conflict' in refusal
      ? new ConflictError(refusal.conflict)
      : new ValidationError([{ field: refusal.field, message: refusal.message }]);
  return code in BY_CODE ? new ConflictError(BY_CODE[code]!) : undefined;
}

/** Whether the refusal names a constraint this module has no message of its own for. */
export function isUnlistedRefusal(err: unknown): boolean {
  const { code, constraint } = (err ?? {}) as PgError;
  return (
    typeof code === 'string' && code.startsWith('23') && code in BY_CODE && !(constraint && constraint in BY_CONSTRAINT)
  );
}

/** Runs `work`, turning known database refusals into the app's errors. */
export async function withPgErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw mapPgError(err) ?? err;
  }
}
