import type { Knex } from 'knex';
import { recordAudit, type AuditContext } from '../audit/audit';
import { inTransaction } from '../db/transaction';
import { markMemberEmailInvalid, markOrganizationEmailInvalid } from './email-validity.repo';

export { invalidAddressesPerChild, type InvalidAddressesOfChild } from './email-validity.repo';

/** No user acts: the mail server refused the address. */
const BY_MAIL_SERVER: AuditContext = { actorUserId: null, requestId: null, ip: null };

/**
 * A hard bounce's mark «адрес недействителен»: on the member card whose address it was, or on the
 * organization passport (a chair written to at the organization's address), audited as the change of the
 * card or passport it is. Nothing happens when the address was edited since (or is marked already).
 */
export async function markAddressInvalid(
  db: Knex,
  where: { source: 'member' | 'passport'; memberId: number | null; organizationId: number; address: string },
  reason: string,
): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const newValues = { email: where.address, reason };
    if (where.source === 'member' && where.memberId !== null) {
      const marked = await markMemberEmailInvalid(trx, where.memberId, where.address, reason);
      if (marked) {
        const entry = { action: 'member.email_invalid', entity: 'member', entityId: where.memberId };
        await recordAudit(trx, BY_MAIL_SERVER, { ...entry, organizationId: marked.organizationId, newValues });
      }
      return !!marked;
    }
    if (where.source !== 'passport') return false;
    const marked = await markOrganizationEmailInvalid(trx, where.organizationId, where.address, reason);
    if (marked) {
      const entry = { action: 'org.email_invalid', entity: 'organization', entityId: where.organizationId };
      await recordAudit(trx, BY_MAIL_SERVER, { ...entry, organizationId: where.organizationId, newValues });
    }
    return marked;
  });
}
