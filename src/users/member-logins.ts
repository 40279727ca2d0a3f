import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { recordAudit, type AuditContext } from '../audit/audit';
import { hashPassword } from '../auth/password';
import type { MailService } from '../mail/mail.service';
import type { PasswordLinksService } from './password-links.service';
import { insertGrant, insertUser, linkUserToMember } from './users-admin.repo';

/** A password nobody knows, for a login whose person sets their own by the invitation (hashed before the transaction). */
export async function unusablePasswordHash(bcryptCost: number): Promise<string> {
  return hashPassword(crypto.randomBytes(24).toString('base64url'), bcryptCost);
}

/**
 * The personal account of a member card, in the caller's transaction: a `member` login (`member-{card}`)
 * linked to the card (users.member_id) with its grant on the card's organization, audited, and the
 * invitation to set a password queued with the transaction. Returns the login's id.
 */
export async function createMemberLogin(
  trx: Knex.Transaction,
  ctx: AuditContext & { actorUserId: number },
  deps: { links: PasswordLinksService; mail: MailService },
  member: { id: number; fullName: string; email: string; organizationId: number; organizationInpo: string },
  passwordHash: string,
): Promise<number> {
  const username = `member-${member.id}`;
  const { fullName, email } = member;
  const userId = await insertUser(trx, { username, fullName, email, passwordHash });
  await linkUserToMember(trx, userId, member.id);
  await insertGrant(trx, {
    userId,
    role: 'member',
    organizationId: member.organizationId,
    validUntil: null,
    grantedBy: ctx.actorUserId,
  });
  await recordAudit(trx, ctx, {
    action: 'user.created',
    entity: 'user',
    entityId: userId,
    organizationId: member.organizationId,
    newValues: { username, fullName, email, memberId: member.id },
  });
  await recordAudit(trx, ctx, {
    action: 'grant.added',
    entity: 'user',
    entityId: userId,
    organizationId: member.organizationId,
    newValues: { role: 'member', inpo: member.organizationInpo, validUntil: null },
  });
  const letter = await deps.links.prepareLetter(
    trx,
    { id: userId, username, fullName, email },
    'invitation',
    ctx.actorUserId,
  );
  await deps.mail.send(letter, { trx });
  return userId;
}
