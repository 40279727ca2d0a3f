import type { Knex } from 'knex';
import { recordAudit, type AuditContext } from '../audit/audit';
import { inTransaction } from '../db/transaction';
import { ConflictError, ValidationError } from '../http/errors';
import { todayIso } from '../shared/dates';
import { bothUnmerged, moveCardHistory } from './duplicates.repo';
import { lockMembers } from './members.repo';

/**
 * Merges the duplicate card into the surviving one (both already the user's to edit): its history moves
 * over without counting the person twice on any day, and the merge is audited on the survivor.
 */
export async function mergeCards(
  db: Knex,
  ctx: AuditContext,
  survivor: { id: number; organizationId: number },
  duplicateId: number,
) {
  if (survivor.id === duplicateId)
    throw new ValidationError([{ field: 'duplicateId', message: 'Выберите другую карточку' }]);
  await inTransaction(db, async (trx) => {
    // both cards locked in one order (a merge the other way round waits instead of deadlocking), then re-checked
    await lockMembers(trx, [survivor.id, duplicateId]);
    if (!(await bothUnmerged(trx, [survivor.id, duplicateId])))
      throw new ConflictError('Карточка уже объединена с другой: обновите страницу');
    const periodsDropped = await moveCardHistory(trx, survivor.id, duplicateId, todayIso());
    await recordAudit(trx, ctx, {
      action: 'member.merged',
      entity: 'member',
      entityId: survivor.id,
      organizationId: survivor.organizationId,
      newValues: { mergedCard: duplicateId, periodsDropped },
    });
  });
}
