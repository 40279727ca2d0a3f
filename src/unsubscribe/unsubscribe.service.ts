import type { Knex } from 'knex';
import type { AuditContext } from '../audit/audit';
import { NotFoundError } from '../http/errors';
import type { MailService } from '../mail/mail.service';
import { withdrawMailingByMember } from '../members/consents';
import { assertNotThrottled, countMiss } from './unsubscribe-throttle';
import { findUnsubscribeSubject, survivingCardOf } from './unsubscribe.repo';

const UNKNOWN_LINK = 'Ссылка отписки не найдена: она набрана с ошибкой или устарела.';

export interface UnsubscribePage {
  organizationName: string;
  subscribed: boolean;
}

/**
 * The public side of the unsubscribe links in letters to members: the page a link opens, and the
 * withdrawal of the member's consent to mailings by e-mail, recorded as the member's own act.
 */
export function createUnsubscribeService(db: Knex, mail: Pick<MailService, 'unsubscribeTarget'>) {
  /**
   * The member a link names (the surviving card if it was merged since the letter); 404 (and a counted miss)
   * for an unknown or expired one, 429 after too many.
   */
  async function memberOf(token: string, ip: string | null): Promise<number> {
    await assertNotThrottled(db, ip);
    const target = await mail.unsubscribeTarget(token);
    if (!target) {
      await countMiss(db, ip);
      throw new NotFoundError(UNKNOWN_LINK);
    }
    return survivingCardOf(db, target.memberId);
  }

  return {
    async page(token: string, ip: string | null): Promise<UnsubscribePage> {
      const subject = await findUnsubscribeSubject(db, await memberOf(token, ip));
      if (!subject) throw new NotFoundError(UNKNOWN_LINK);
      return subject;
    },

    /** True when this request withdrew the consent; false when it had been withdrawn already. */
    async unsubscribe(token: string, ctx: AuditContext): Promise<boolean> {
      const memberId = await memberOf(token, ctx.ip);
      // a member has no login: the row names no user and says the member acted (consents.ts BY_MEMBER)
      return withdrawMailingByMember(db, ctx, memberId, 'email');
    },
  };
}

export type UnsubscribeService = ReturnType<typeof createUnsubscribeService>;
