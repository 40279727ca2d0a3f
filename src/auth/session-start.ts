import type { Request } from 'express';
import type { Principal } from '../access/principal';
import { clientIp } from '../http/client-ip';
import { safeLocalPath } from '../http/guards';

/**
 * The full session, made only once every factor is checked. passport regenerates the session id (a planted
 * id is worthless after login); the device and address are kept for the user's own list of sessions.
 */
export function startSession(req: Request, principal: Principal, done: (err?: unknown) => void) {
  req.login(principal, (err) => {
    if (err) return done(err);
    const now = Date.now();
    req.session.authenticatedAt = now;
    req.session.client = { userAgent: (req.get('user-agent') ?? '').slice(0, 400), ip: clientIp(req), startedAt: now };
    // stored before the redirect that follows, which the browser may follow before this response has ended
    req.session.save(done);
  });
}

export function landingAfterLogin(principal: Principal, next: unknown): string {
  return principal.mustChangePassword ? '/account/password' : safeLocalPath(next, '/');
}
