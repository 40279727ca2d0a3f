import { z } from 'zod';
import { CATEGORIES } from '../membership/membership';
import {
  idInput,
  optionalEmail,
  optionalPersonName,
  optionalPhone,
  optionalText,
  personName,
  requiredDate,
  requiredString,
} from '../shared/fields';

/**
 * What a member may propose to change on their card: contacts, name (with a reason), category and post.
 * The form comes filled with the card; what differs from it is the proposal (me.service `proposeCorrection`).
 */
export const correctionSchema = z.object({
  surname: personName('Укажите фамилию'),
  name: personName('Укажите имя'),
  patronymic: optionalPersonName('Укажите отчество'),
  nameReason: optionalText(300),
  phone: optionalPhone(),
  email: optionalEmail(),
  category: z.enum(CATEGORIES, { error: 'Выберите категорию' }),
  position: optionalText(200),
  professionalGroup: optionalText(200),
});
export type CorrectionInput = z.output<typeof correctionSchema>;

/** The card's fields a correction may carry, in the order the queue shows them. */
export const CORRECTED_FIELDS = [
  'surname',
  'name',
  'patronymic',
  'phone',
  'email',
  'category',
  'position',
  'professionalGroup',
] as const;
export type CorrectedField = (typeof CORRECTED_FIELDS)[number];
export type Changes = Partial<Record<CorrectedField, string | null>>;
export const NAME_FIELDS: readonly CorrectedField[] = ['surname', 'name', 'patronymic'];

export const leaveSchema = z.object({
  reason: requiredString('Укажите причину выхода', 500),
  on: requiredDate('Укажите дату выхода'),
});
export type LeaveInput = z.output<typeof leaveSchema>;

/** The member's own consent forms: a withdrawal names an active consent, giving again names a kind and channel. */
export const ownWithdrawSchema = z.object({ consentId: idInput('Выберите согласие') });
export const ownConsentSchema = z.object({
  kind: z.enum(['processing', 'mailing'], { error: 'Выберите вид согласия' }),
  channel: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['email', 'sms', 'push']).optional()),
});
export type OwnConsentInput = z.output<typeof ownConsentSchema>;

export const decisionSchema = z
  .object({
    requestId: idInput('Не указан запрос'),
    decision: z.enum(['approve', 'reject'], { error: 'Выберите решение' }),
    reason: optionalText(500),
  })
  .superRefine((v, ctx) => {
    if (v.decision === 'reject' && !v.reason)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'Укажите причину отказа: её увидит член Профсоюза' });
  });
export type DecisionInput = z.output<typeof decisionSchema>;
