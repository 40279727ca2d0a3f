import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { authorizeGrant, authorizeUserAccess, isFederalAdmin, userManagementPaths } from '../access/grant-rules';
import type { Principal } from '../access/principal';
import { recordAudit, diffValues, type AuditContext } from '../audit/audit';
import { hashPassword } from '../auth/password';
import { deleteSessionsOfUser, forgetKeptPrincipal } from '../auth/logins.service';
import { inTransaction } from '../db/transaction';
import { ConflictError, NotFoundError } from '../http/errors';
import type { MailService } from '../mail/mail.service';
import { findOrgByInpo } from '../registry/organizations.service';
import type { PasswordLinksService } from './password-links.service';
import {
  findGrant,
  findUserDetail,
  grantPathsOf,
  hasAuditTrail,
  listLoginHistory,
  listRecentActions,
  listUserGrants,
  listUserSessions,
  listUsers,
  deleteGrant,
  deleteUser,
  insertGrant,
  insertUser,
  setUserBlocked,
  updateUserContacts,
  type UserListFilter,
} from './users-admin.repo';
import type { CreateUserInput, EditUserInput, GrantInput, UserListQuery } from './users.schemas';

export const USERS_PAGE_SIZE = 50;

/** The federal administrator sees every user; anyone else the users of their subtrees. */
function listScope(principal: Principal): string[] | null {
  return isFederalAdmin(principal) ? null : userManagementPaths(principal);
}

export function createUsersService(
  db: Knex,
  mail: MailService,
  links: PasswordLinksService,
  options: { bcryptCost: number; logger: Logger },
) {
  /** The organization a form names by ИНПО, as a field error when it is not in the registry. */
  async function orgOfForm(inpo: string) {
    const org = await findOrgByInpo(db, inpo.trim());
    if (!org) throw new NotFoundError('Организация с таким ИНПО не найдена');
    return org;
  }

  async function userFor(principal: Principal, userId: number, change: boolean) {
    const user = await findUserDetail(db, userId);
    if (!user) throw new NotFoundError();
    authorizeUserAccess(principal, { id: user.id, grantPaths: await grantPathsOf(db, user.id) }, change);
    return user;
  }

  /** Mail goes out after the commit; a mail server's failure leaves the change made and says so. */
  async function sendAfterCommit(letter: Parameters<MailService['send']>[0]): Promise<boolean> {
    try {
      await mail.send(letter);
      return true;
    } catch (err) {
      options.logger.warn({ err }, 'invitation not sent');
      return false;
    }
  }

  /** The users section exists only for those who manage users somewhere: others get 404, as for any page not theirs. */
  function assertManager(principal: Principal): void {
    if (!userManagementPaths(principal).length) throw new NotFoundError();
  }

  return {
    assertManager,

    async list(principal: Principal, query: UserListQuery) {
      assertManager(principal);
      const scope = listScope(principal);
      const filter: UserListFilter = { q: query.q, role: query.role, status: query.status, after: query.after };
      if (query.inpo) {
        const org = await findOrgByInpo(db, query.inpo);
        // an organization outside the manager's subtrees filters to nothing rather than telling it exists
        filter.orgPath = org?.path ?? '0';
      }
      const rows = await listUsers(db, scope, filter, USERS_PAGE_SIZE + 1);
      const next = rows.length > USERS_PAGE_SIZE ? rows[USERS_PAGE_SIZE - 1]!.username : null;
      return { rows: rows.slice(0, USERS_PAGE_SIZE), next };
    },

    async page(principal: Principal, userId: number) {
      const user = await userFor(principal, userId, false);
      const [grants, sessions, logins, actions] = await Promise.all([
        listUserGrants(db, userId),
        listUserSessions(db, userId),
        listLoginHistory(db, user, 20),
        listRecentActions(db, userId, 20),
      ]);
      return { user, grants, sessions, logins, actions };
    },

    async findVisible(principal: Principal, userId: number) {
      return userFor(principal, userId, false);
    },

    async findForEdit(principal: Principal, userId: number) {
      return userFor(principal, userId, true);
    },

    /** A login with its first grant; the person gets an invitation to set their own password. Returns the id and whether the letter went out. */
    async create(
      principal: Principal,
      input: CreateUserInput,
      ctx: AuditContext,
    ): Promise<{ id: number; mailed: boolean }> {
      assertManager(principal);
      const org = await orgOfForm(input.inpo);
      authorizeGrant(principal, { userId: 0, role: input.role, organizationPath: org.path });
      // nobody knows this password: the invitation sets the real one
      const unusable = await hashPassword(crypto.randomBytes(24).toString('base64url'), options.bcryptCost);
      const { id, letter } = await inTransaction(db, async (trx) => {
        const { username, fullName, email } = input;
        const id = await insertUser(trx, { username, fullName, email, passwordHash: unusable });
        await insertGrant(trx, {
          userId: id,
          role: input.role,
          organizationId: org.id,
          validUntil: input.validUntil,
          grantedBy: principal.id,
        });
        await recordAudit(trx, ctx, {
          action: 'user.created',
          entity: 'user',
          entityId: id,
          organizationId: org.id,
          newValues: { username: input.username, fullName: input.fullName, email: input.email },
        });
        await recordAudit(trx, ctx, {
          action: 'grant.added',
          entity: 'user',
          entityId: id,
          organizationId: org.id,
          newValues: { role: input.role, inpo: org.inpo, validUntil: input.validUntil },
        });
        const letter = await links.prepareLetter(
          trx,
          { id, username: input.username, fullName: input.fullName, email: input.email },
          'invitation',
          principal.id,
        );
        return { id, letter };
      });
      return { id, mailed: await sendAfterCommit(letter) };
    },

    /** A new e-mail is unverified until its owner follows a link sent to it. */
    async update(principal: Principal, userId: number, input: EditUserInput, ctx: AuditContext): Promise<void> {
      const user = await userFor(principal, userId, true);
      const { oldValues, newValues, changed } = diffValues({ fullName: user.fullName, email: user.email }, input);
      if (!changed) return;
      await inTransaction(db, async (trx) => {
        await updateUserContacts(trx, userId, input, input.email !== user.email);
        await recordAudit(trx, ctx, { action: 'user.updated', entity: 'user', entityId: userId, oldValues, newValues });
        await forgetKeptPrincipal(trx, userId);
      });
    },

    async invite(principal: Principal, userId: number, ctx: AuditContext): Promise<boolean> {
      const user = await userFor(principal, userId, true);
      if (user.blockedAt) throw new ConflictError('Пользователь заблокирован: сначала разблокируйте');
      if (!user.email) throw new ConflictError('У пользователя не указана электронная почта');
      const letter = await inTransaction(db, async (trx) => {
        await recordAudit(trx, ctx, {
          action: 'user.invited',
          entity: 'user',
          entityId: userId,
          newValues: { email: user.email },
        });
        return links.prepareLetter(
          trx,
          { id: userId, username: user.username, fullName: user.fullName, email: user.email! },
          'invitation',
          principal.id,
        );
      });
      return sendAfterCommit(letter);
    },

    /** Blocking ends every session of the user at once: their next request finds no login. */
    async setBlocked(principal: Principal, userId: number, blocked: boolean, ctx: AuditContext): Promise<void> {
      const user = await userFor(principal, userId, true);
      if (Boolean(user.blockedAt) === blocked) return;
      await inTransaction(db, async (trx) => {
        if (!(await setUserBlocked(trx, userId, blocked))) return;
        if (blocked) await deleteSessionsOfUser(trx, userId);
        await recordAudit(trx, ctx, {
          action: blocked ? 'user.blocked' : 'user.unblocked',
          entity: 'user',
          entityId: userId,
        });
      });
    },

    /** Only a login that never did anything may disappear; one with an audit trail is blocked instead. */
    async remove(principal: Principal, userId: number, ctx: AuditContext): Promise<void> {
      const user = await userFor(principal, userId, true);
      if (await hasAuditTrail(db, userId)) {
        throw new ConflictError(
          'Пользователь уже работал в реестре: его действия записаны в журнале, поэтому удалить его нельзя. Заблокируйте его.',
        );
      }
      await inTransaction(db, async (trx) => {
        await deleteSessionsOfUser(trx, userId);
        if (!(await deleteUser(trx, userId))) return;
        await recordAudit(trx, ctx, {
          action: 'user.deleted',
          entity: 'user',
          entityId: userId,
          oldValues: { username: user.username, fullName: user.fullName, email: user.email },
        });
      });
    },

    async addGrant(principal: Principal, userId: number, input: GrantInput, ctx: AuditContext): Promise<void> {
      await userFor(principal, userId, false);
      const org = await orgOfForm(input.inpo);
      authorizeGrant(principal, { userId, role: input.role, organizationPath: org.path });
      await inTransaction(db, async (trx) => {
        await insertGrant(trx, {
          userId,
          role: input.role,
          organizationId: org.id,
          validUntil: input.validUntil,
          grantedBy: principal.id,
        });
        await recordAudit(trx, ctx, {
          action: 'grant.added',
          entity: 'user',
          entityId: userId,
          organizationId: org.id,
          newValues: { role: input.role, inpo: org.inpo, validUntil: input.validUntil },
        });
        // a wider set of grants keeps the sessions; they pick it up on their next request
        await forgetKeptPrincipal(trx, userId);
      });
    },

    /** A narrower set of grants ends the user's sessions: pages open in them must not outlive the right to see them. */
    async revokeGrant(principal: Principal, userId: number, grantId: number, ctx: AuditContext): Promise<void> {
      const grant = await findGrant(db, grantId);
      if (!grant || grant.userId !== userId) throw new NotFoundError();
      await userFor(principal, userId, false);
      authorizeGrant(principal, { userId, role: grant.role, organizationPath: grant.organizationPath });
      await inTransaction(db, async (trx) => {
        if (!(await deleteGrant(trx, grantId))) return;
        await deleteSessionsOfUser(trx, userId);
        await recordAudit(trx, ctx, {
          action: 'grant.revoked',
          entity: 'user',
          entityId: userId,
          organizationId: grant.organizationId,
          oldValues: { role: grant.role, inpo: grant.inpo, validUntil: grant.validUntil },
        });
      });
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
