import { z } from 'zod';
import { ROLES } from '../access/roles';
import { todayIso } from '../shared/dates';
import { blankToUndefined, optionalDate, requiredString } from '../shared/fields';

/** Logins are case-insensitive: typed in any case, stored and compared in lower case. */
export const usernameField = () =>
  z
    .string({ error: 'Введите имя пользователя' })
    .trim()
    .min(1, 'Введите имя пользователя')
    .transform((v) => v.toLowerCase())
    .pipe(
      z
        .string()
        .regex(/^[a-z0-9._-]{3,64}$/, 'От 3 до 64 символов: латинские буквы, цифры, точка, дефис, подчёркивание'),
    );

const emailField = () =>
  z
    .email('Введите адрес электронной почты, например chair@example.ru')
    .max(254, 'Не более 254 символов')
    .transform((v) => v.toLowerCase());

const validUntilField = () =>
  optionalDate().refine((v) => v === null || v >= todayIso(), 'Дата окончания не может быть в прошлом');

export const grantSchema = z.object({
  role: z.enum(ROLES, { error: 'Выберите роль' }),
  inpo: requiredString('Укажите ИНПО организации', 20),
  validUntil: validUntilField(),
});

export const createUserSchema = grantSchema.extend({
  username: usernameField(),
  fullName: requiredString('Укажите фамилию, имя и отчество', 200),
  email: emailField(),
});

export const editUserSchema = z.object({
  fullName: requiredString('Укажите фамилию, имя и отчество', 200),
  email: emailField(),
});

export const userListQuery = z.object({
  q: z.preprocess(blankToUndefined, z.string().trim().max(100).optional()).catch(undefined),
  inpo: z.preprocess(blankToUndefined, z.string().trim().max(20).optional()).catch(undefined),
  role: z.preprocess(blankToUndefined, z.enum(ROLES).optional()).catch(undefined),
  status: z.preprocess(blankToUndefined, z.enum(['active', 'blocked', 'never_signed_in']).optional()).catch(undefined),
  after: z.string().max(200).optional().catch(undefined),
});

export type CreateUserInput = z.output<typeof createUserSchema>;
export type GrantInput = z.output<typeof grantSchema>;
export type EditUserInput = z.output<typeof editUserSchema>;
export type UserListQuery = z.output<typeof userListQuery>;

/** The chair-provisioning list's status filter (chair-provisioning.repo.ts computes each). */
export const CHAIR_STATUSES = ['signed_in', 'invited', 'ready', 'no_email', 'no_chair'] as const;
export type ChairStatus = (typeof CHAIR_STATUSES)[number];

/** What a one-time e-mail link is for: an invitation sets the first password, a reset a new one. */
export type TokenPurpose = 'invitation' | 'reset';
