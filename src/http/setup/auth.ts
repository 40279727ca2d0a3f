import type { Express } from 'express';
import type { Knex } from 'knex';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { AuthService } from '../../auth/auth.service';
import { loadPrincipal } from '../../auth/users.repo';
import { clientIp } from '../client-ip';

/** passport-local over the auth service; the session keeps only the user id, the principal is reloaded per request. */
export function setUpAuthentication(app: Express, db: Knex, authService: AuthService): Authenticator {
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
  passport.deserializeUser((id: number, done) => {
    loadPrincipal(db, id)
      .then((principal) => done(null, principal ?? false))
      .catch(done);
  });
  app.use(passport.initialize());
  app.use(passport.session());
  return passport;
}

export type Authenticator = InstanceType<typeof Passport>;
