import type { Knex } from 'knex';
import { z } from 'zod';
import { recordAudit, type AuditContext } from '../audit/audit';
import { inTransaction } from '../db/transaction';
import { ValidationError } from '../http/errors';
import { todayIso } from '../shared/dates';
import { eventDates, since14, type EventDates } from '../shared/event-dates';
import { idInput, optionalChoice, requiredDate, requiredString } from '../shared/fields';
import { lockedMember } from './member-versions';
import { findActiveConsent, insertConsent, lockConsent, withdrawConsentRow } from './consents.repo';

export const CONSENT_KIND_LABELS = {
  processing: 'Обработка персональных данных',
  mailing: 'Получение рассылок',
} as const;
export const CHANNEL_LABELS = { email: 'e-mail', sms: 'SMS', push: 'push-уведомления' } as const;
export const SOURCE_LABELS = { paper: 'на бумаге', online: 'онлайн' } as const;

export const consentSchema = z
  .object({
    kind: z.enum(['processing', 'mailing'], { error: 'Выберите вид согласия' }),
    channel: optionalChoice(['email', 'sms', 'push'] as const, 'Выберите канал'),
    textVersion: requiredString('Укажите версию текста согласия', 50),
    source: z.enum(['paper', 'online'], { error: 'Укажите, как получено согласие' }),
    on: requiredDate('Укажите дату согласия'),
  })
  .superRefine((v, ctx) => {
    if (v.kind === 'mailing' && !v.channel)
      ctx.addIssue({ code: 'custom', path: ['channel'], message: 'Для рассылок укажите канал' });
  });
export type ConsentInput = z.output<typeof consentSchema>;
export const withdrawSchema = z.object({
  consentId: idInput('Выберите согласие'),
  on: requiredDate('Укажите дату отзыва'),
});

const fieldError = (field: string, message: string) => new ValidationError([{ field, message }]);

/** A new consent; the card is locked meanwhile, so the same consent registered twice at once is found by the second. */
export async function giveConsent(
  db: Knex,
  ctx: AuditContext,
  memberId: number,
  input: ConsentInput,
  dates: EventDates = eventDates(),
) {
  const channel = input.kind === 'mailing' ? input.channel : null;
  await inTransaction(db, async (trx) => {
    const member = await lockedMember(trx, memberId);
    dates.check('on', input.on, [since14(member.birthDate)]);
    if (await findActiveConsent(trx, member.id, input.kind, channel))
      throw fieldError('kind', 'Такое согласие уже действует: чтобы заменить его, сначала отзовите');
    const consentId = await insertConsent(trx, {
      memberId: member.id,
      kind: input.kind,
      channel,
      textVersion: input.textVersion,
      source: input.source,
      on: input.on,
      actorUserId: ctx.actorUserId,
    });
    await recordAudit(trx, ctx, {
      action: 'consent.given',
      entity: 'member',
      entityId: member.id,
      organizationId: member.organizationId,
      newValues: { consentId, ...input, channel },
    });
  });
}

export async function withdrawConsent(
  db: Knex,
  ctx: AuditContext,
  member: { id: number; organizationId: number },
  consentId: number,
  on: string,
  dates: EventDates = eventDates(),
) {
  await inTransaction(db, async (trx) => {
    // the member first, as every change of a member's consents (the counts of consents held rely on it)
    await lockedMember(trx, member.id);
    const consent = await lockConsent(trx, member.id, consentId);
    if (!consent || consent.withdrawnOn) throw fieldError('on', 'Действующее согласие не найдено');
    dates.check('on', on, [{ on: consent.givenOn, what: 'даты согласия' }]);
    await closeConsent(trx, ctx, member, consentId, { on });
  });
}

/** How an unsubscribe link's withdrawal is recorded; `actor` names the member when no signed-in user acted. */
const BY_LINK = { note: 'по ссылке отписки из письма' } as const;
export const BY_MEMBER = { actor: 'member', ...BY_LINK } as const;

/**
 * The member withdraws their active consent to mailings by `channel` themself, today (or on the day it
 * was given, when that is still to come). False when none is active: a second click changes nothing.
 * The audit row names no user and says the member acted, unless someone signed in to the registry
 * followed the link (then the row names them, as for any change they make).
 */
export async function withdrawMailingByMember(
  db: Knex,
  ctx: AuditContext,
  memberId: number,
  channel: 'email' | 'sms' | 'push',
): Promise<boolean> {
  return withdrawMailing(db, ctx, memberId, channel, ctx.actorUserId == null ? BY_MEMBER : BY_LINK);
}

/** A complaint about a mailing's letter («спам» in the member's mail client, RFC 5965): the member's own withdrawal. */
const BY_COMPLAINT = { actor: 'member', note: 'жалоба на письмо рассылки («спам»)' } as const;

/** The member complained about a letter: their consent to mailings by e-mail is withdrawn, as their own act. */
export async function withdrawMailingOnComplaint(db: Knex, memberId: number): Promise<boolean> {
  return withdrawMailing(db, { actorUserId: null, requestId: null, ip: null }, memberId, 'email', BY_COMPLAINT);
}

async function withdrawMailing(
  db: Knex,
  ctx: AuditContext,
  memberId: number,
  channel: 'email' | 'sms' | 'push',
  by: Record<string, string>,
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const member = await lockedMember(trx, memberId);
    const active = await findActiveConsent(trx, member.id, 'mailing', channel);
    const consent = active && (await lockConsent(trx, member.id, Number(active.id)));
    if (!active || !consent || consent.withdrawnOn) return false;
    const today = todayIso();
    const on = consent.givenOn > today ? consent.givenOn : today;
    await closeConsent(trx, ctx, member, Number(active.id), { on, channel, ...by });
    return true;
  });
}

/** Closes the consent and writes its audit row, in the caller's transaction. */
async function closeConsent(
  trx: Knex,
  ctx: AuditContext,
  member: { id: number; organizationId: number },
  consentId: number,
  values: { on: string } & Record<string, unknown>,
) {
  await withdrawConsentRow(trx, consentId, values.on);
  await recordAudit(trx, ctx, {
    action: 'consent.withdrawn',
    entity: 'member',
    entityId: member.id,
    organizationId: member.organizationId,
    newValues: { consentId, ...values },
  });
}
