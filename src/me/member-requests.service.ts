import type { Knex } from 'knex';
import { can, memberOrgRef } from '../access/access';
import type { Principal } from '../access/principal';
import { recordAudit, type AuditContext } from '../audit/audit';
import { inTransaction } from '../db/transaction';
import { NotFoundError } from '../http/errors';
import { createMembersService, personOfCard } from '../members/members.service';
import type { PersonInput } from '../members/members.schemas';
import type { OrgRow } from '../registry/organizations.service';
import { pathWithin } from '../shared/org-paths';
import type { NotificationsService } from '../notifications/notifications.service';
import type { EventDates } from '../shared/event-dates';
import { lockMember } from './me.repo';
import {
  countPendingIn,
  decideRequestRow,
  lockRequest,
  pendingRequestsIn,
  type MemberRequestRow,
} from './member-requests.repo';
import type { DecisionInput } from './me.schemas';

type MemberRow = NonNullable<Awaited<ReturnType<typeof lockMember>>>;

/** One page of the queue: a ППО's requests are a handful; a region's past this many wait for the next look. */
export const QUEUE_PAGE = 200;

/** The pending requests of the members registered in `root`'s subtree. */
export function countPendingRequests(db: Knex, root: Pick<OrgRow, 'path'>): Promise<number> {
  return countPendingIn(db, root.path);
}

/** The card's fields as the card form gives them, with the approved corrections applied. */
function correctedPerson(member: MemberRow, request: MemberRequestRow): PersonInput {
  const { category: _category, ...personal } = request.changes;
  return { ...personOfCard(member), ...personal } as PersonInput;
}

/**
 * The chair's queue of what members asked for from their personal accounts: corrections of the card and
 * requests to leave. Whoever may edit the card decides; an approval changes the card through the members'
 * own edit path (versions, events, audit) in one transaction, and every audit row it writes names the
 * approver (its actor) and the member who asked (`proposerUserId`, `requestId`).
 */
export function createMemberRequestsService(db: Knex, dates: EventDates, notify?: NotificationsService['notify']) {
  const decidable = (principal: Principal, member: MemberRow) => can(principal, 'member.edit', memberOrgRef(member));

  return {
    async queue(principal: Principal, root: OrgRow) {
      const rows = await pendingRequestsIn(db, root.path, QUEUE_PAGE);
      return rows.filter((r) => can(principal, 'member.edit', memberOrgRef(r)));
    },

    count: (root: OrgRow) => countPendingRequests(db, root),

    /** Approves or rejects a pending request of a member inside `root` that the user may edit; 404 for any other. */
    async decide(principal: Principal, ctx: AuditContext, root: OrgRow, input: DecisionInput) {
      return inTransaction(db, async (trx) => {
        const request = await lockRequest(trx, input.requestId);
        // the card locked before it is read: the corrections apply to it as it is, not as another edit left it
        const member = request && (await lockMember(trx, request.memberId));
        if (!request || !member || !pathWithin(member.organizationPath, root.path) || !decidable(principal, member))
          throw new NotFoundError('Запрос не найден');
        if (request.status !== 'pending') throw new NotFoundError('Запрос уже рассмотрен');
        const about = { requestId: request.id, proposerUserId: request.proposedBy };
        if (input.decision === 'approve') {
          // the members' edit path on this transaction: the card and its audit rows commit with the decision
          const members = createMembersService(trx, dates);
          const owed: AuditContext = { ...ctx, extra: { ...about, proposedBy: 'member' } };
          if (request.kind === 'leave') {
            await members.exit(principal, owed, member.id, {
              reason: 'voluntary',
              on: request.leaveOn!,
              documentNumber: null,
              documentDate: null,
            });
          } else {
            await members.updateCard(principal, owed, member.id, correctedPerson(member, request), undefined, true);
            const category = request.changes.category;
            if (category && category !== member.category) {
              const working = category === 'working';
              await members.changeCategory(principal, owed, member.id, {
                category,
                isPedagogical: working && member.isPedagogical,
                onParentalLeave: working && member.onParentalLeave,
                on: dates.today(),
                documentNumber: null,
                documentDate: null,
              });
            }
          }
        }
        const status = input.decision === 'approve' ? 'approved' : 'rejected';
        await decideRequestRow(
          trx,
          request.id,
          status,
          ctx.actorUserId,
          input.decision === 'reject' ? input.reason : null,
        );
        await recordAudit(trx, ctx, {
          action: `member.request_${status}`,
          entity: 'member',
          entityId: member.id,
          organizationId: member.organizationId,
          newValues: { ...about, kind: request.kind, ...(input.reason ? { reason: input.reason } : {}) },
        });
        const what = request.kind === 'leave' ? 'Заявление о выходе из Профсоюза' : 'Исправление ваших данных';
        await notify?.(trx, {
          kind: 'member_request_decided',
          to: { userIds: [request.proposedBy] },
          title: `${what}: ${status === 'approved' ? 'принято' : 'отклонено'}`,
          body: status === 'rejected' ? `Причина: ${input.reason}` : null,
          link: '/me',
        });
        return { kind: request.kind, status };
      });
    },
  };
}

export type MemberRequestsService = ReturnType<typeof createMemberRequestsService>;
