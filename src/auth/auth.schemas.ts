import { z } from 'zod';
import { MAX_PASSWORD_LENGTH } from './password';

export const loginSchema = z.object({
  username: z
    .string({ error: 'Введите имя пользователя' })
    .trim()
    .min(1, 'Введите имя пользователя')
    .max(64, 'Не более 64 символов'),
  password: z
    .string({ error: 'Введите пароль' })
    .min(1, 'Введите пароль')
    .max(MAX_PASSWORD_LENGTH, 'Слишком длинный пароль'),
  next: z.string().max(500).optional(),
});

export const changePasswordSchema = z
  .object({
    currentPassword: z
      .string({ error: 'Введите текущий пароль' })
      .min(1, 'Введите текущий пароль')
      .max(MAX_PASSWORD_LENGTH),
    newPassword: z
      .string({ error: 'Введите новый пароль' })
      .min(1, 'Введите новый пароль')
      .max(MAX_PASSWORD_LENGTH, `Не более ${MAX_PASSWORD_LENGTH} символов`),
    confirmPassword: z.string({ error: 'Повторите новый пароль' }).min(1, 'Повторите новый пароль'),
  })
  .refine((v) => v.newPassword === v.confirmPassword, { path: ['confirmPassword'], message: 'Пароли не совпадают' });
