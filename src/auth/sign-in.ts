import type { Knex } from 'knex';
import { recordAudit } from '../audit/audit';
import { touchLastLogin } from './users.repo';

/**
 * A login completed (after the password, or after the code when the user has a second factor): the user
 * list's «последний вход» and the user page's login history (refused attempts are the throttle's failures).
 */
export async function recordSignIn(db: Knex, userId: number, ip: string | null): Promise<void> {
  await touchLastLogin(db, userId);
  await recordAudit(
    db,
    { actorUserId: userId, requestId: null, ip },
    { action: 'user.logged_in', entity: 'user', entityId: userId },
  );
}
