import type { Express, Request } from 'express';
import type { Principal } from '../../access/principal';
import type { Knex } from 'knex';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { AuthService } from '../../auth/auth.service';
import { loadPrincipal } from '../../auth/logins.service';
import { clientIp } from '../client-ip';

/**
 * passport-local over the auth service. The session keeps the user id and the resolved principal: a page
 * then costs no grants query (docs/performance.md named it the next step for pages at 32 clients). The
 * kept principal is reloaded after `principalCacheSeconds`; a block or a withdrawn grant ends the user's
 * sessions at once, a grant given or a renamed user drops the kept principal (`forgetKeptPrincipal`).
 * Organization paths are always read fresh: only the granted organization's own path can be stale, and
 * a stale one matches nothing (fail closed) until the reload.
 */
export function setUpAuthentication(
  app: Express,
  db: Knex,
  authService: AuthService,
  principalCacheSeconds: number,
): Authenticator {
  const cacheMs = principalCacheSeconds * 1000;
  // One passport instance per app: the global one would let a second app (tests) rewire the first.
  const passport = new Passport();
  passport.use(
    new LocalStrategy({ passReqToCallback: true }, (req, username, password, done) => {
      authService
        .authenticate(username, password, clientIp(req) ?? '0.0.0.0')
        .then(async (userId) => done(null, userId == null ? false : await loadPrincipal(db, userId)))
        .catch(done);
    }),
  );
  passport.serializeUser((user, done) => done(null, user.id));
  passport.deserializeUser((req: Request, id: number, done: (err: unknown, user?: Principal | false) => void) => {
    const kept = req.session.principal;
    if (kept && kept.value.id === id && Date.now() - kept.loadedAt < cacheMs) return done(null, kept.value);
    loadPrincipal(db, id)
      .then((principal) => {
        // an issued password is replaced within the session: that state is always read afresh
        if (principal && cacheMs > 0 && !principal.mustChangePassword)
          req.session.principal = { value: principal, loadedAt: Date.now() };
        else delete req.session.principal;
        done(null, principal ?? false);
      })
      .catch(done);
  });
  app.use(passport.initialize());
  app.use(passport.session());
  return passport;
}

export type Authenticator = InstanceType<typeof Passport>;
