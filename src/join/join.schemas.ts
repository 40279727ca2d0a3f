import { z } from 'zod';
import { CATEGORIES } from '../membership/membership';
import { checkbox, optionalText } from '../shared/fields';
import { personSchema } from '../members/members.schemas';

/**
 * The application: the person as the member card validates it (names, sex, birth date, phone, SNILS with
 * its checksum), an e-mail that is required (the confirmation goes there), the category, where they work
 * or study, and the consents — to processing required, to mailings optional.
 */
export const applicationSchema = personSchema
  .pick({ surname: true, name: true, patronymic: true, sex: true, birthDate: true, phone: true, snils: true })
  .extend({
    email: z.preprocess(
      (v) => (typeof v === 'string' ? v.trim() : v),
      z
        .string({ error: 'Укажите адрес электронной почты: на него придёт ссылка для подтверждения' })
        .min(1, 'Укажите адрес электронной почты: на него придёт ссылка для подтверждения')
        .pipe(z.email('Введите адрес электронной почты, например ivanova@example.ru').max(254))
        .transform((v) => v.toLowerCase()),
    ),
    category: z.enum(CATEGORIES, { error: 'Выберите категорию' }),
    workplace: optionalText(300),
    position: optionalText(200),
    consentProcessing: checkbox().refine(
      (v) => v,
      'Без согласия на обработку персональных данных заявление не принять',
    ),
    consentMailing: checkbox(),
  });
export type ApplicationInput = z.output<typeof applicationSchema>;

export const rejectSchema = z.object({
  reason: z
    .string({ error: 'Укажите причину отказа' })
    .trim()
    .min(1, 'Укажите причину отказа: её получит заявитель')
    .max(1000, 'Не длиннее 1000 символов'),
});

export const acceptSchema = z.object({ notDuplicate: checkbox() });
