import { z } from 'zod';
import { API_SCOPES } from './api-scopes';

/** How long a personal token works: its owner picks one when creating it. */
export const TOKEN_LIFETIME_DAYS = ['30', '90', '365'] as const;

/** The form of /account that creates a personal access token (a lone ticked box comes as a string). */
export const apiTokenFormSchema = z.object({
  tokenName: z
    .string({ error: 'Назовите токен: для чего он' })
    .trim()
    .min(1, 'Назовите токен: для чего он')
    .max(100, 'Не больше 100 знаков'),
  scopes: z.preprocess(
    (v) => (typeof v === 'string' ? [v] : (v ?? [])),
    z.array(z.enum(API_SCOPES, { error: 'Неизвестное право' })).min(1, 'Выберите хотя бы одно право'),
  ),
  days: z.enum(TOKEN_LIFETIME_DAYS, { error: 'Выберите срок действия' }),
});

export type ApiTokenForm = z.output<typeof apiTokenFormSchema>;
