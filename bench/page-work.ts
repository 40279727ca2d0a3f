import type { Knex } from 'knex';
import type { Principal } from '../src/access/principal';
import { createAnalyticsService } from '../src/analytics/analytics.service';
import { loadPrincipal } from '../src/auth/users.repo';
import { primaryReads } from '../src/db/replica';
import { createMembersService } from '../src/members/members.service';
import { findLineageByInpo } from '../src/registry/orgs.repo';
import { createPassportService } from '../src/registry/passport.service';
import type { Session } from './session';

// What a page request does in the database, for the direct column: the session lookup every logged-in
// request makes (connect-pg-simple's own statement), then the calls the route makes — the same services,
// so the direct call runs exactly the page's queries (the card's audit insert included), no more.

export interface PageWork {
  db: Knex;
  /** the session row, as the session store reads it on every request */
  session: () => Promise<unknown>;
  /** the organization of a URL's ИНПО with its ancestors (the `:inpo` loader) */
  lineage: (inpo: string) => Promise<Awaited<ReturnType<typeof findLineageByInpo>>>;
  principal: Principal;
  passport: ReturnType<typeof createPassportService>;
  members: ReturnType<typeof createMembersService>;
  analytics: ReturnType<typeof createAnalyticsService>;
  audit: { actorUserId: number; requestId: string; ip: string };
}

/** The session id inside the signed cookie `reestr.sid=s%3A<id>.<signature>`. */
function sessionIdOf(session: Session): string {
  const raw = /reestr\.sid=([^;]+)/.exec(session.cookie)?.[1];
  if (!raw) throw new Error('the session has no reestr.sid cookie');
  const value = decodeURIComponent(raw);
  return value.slice(2, value.lastIndexOf('.'));
}

export async function pageWork(db: Knex, session: Session, username: string): Promise<PageWork> {
  const sid = sessionIdOf(session);
  const user = await db('users').where({ username }).first('id');
  // the principal is kept with the session (PRINCIPAL_CACHE_SECONDS): a page reads it from the session row
  const principal = (await loadPrincipal(db, user.id))!;
  return {
    db,
    session: () =>
      db.raw('SELECT sess FROM "sessions" WHERE sid = ? AND expire >= to_timestamp(?)', [sid, Date.now() / 1000]),
    lineage: (inpo) => findLineageByInpo(db, inpo),
    principal,
    passport: createPassportService(db),
    members: createMembersService(db),
    analytics: createAnalyticsService(db, primaryReads(db)),
    audit: { actorUserId: user.id, requestId: 'bench', ip: '127.0.0.1' },
  };
}
