/**
 * What a token of the API may read: a scope narrows what its owner's grants allow, never widens it (the
 * owner's `can(principal, action, org)` still decides every object). The member app's session token has `me`.
 */
export const API_SCOPES = ['me', 'orgs:read', 'members:read', 'reports:read'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export const API_SCOPE_LABELS: Record<ApiScope, string> = {
  me: 'свои данные члена Профсоюза (/me)',
  'orgs:read': 'организации: паспорт и структура',
  'members:read': 'члены Профсоюза организаций (списки и карточки)',
  'reports:read': 'статистические отчёты',
};

export function isApiScope(value: string): value is ApiScope {
  return (API_SCOPES as readonly string[]).includes(value);
}
