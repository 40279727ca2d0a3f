import type { AccessTarget } from '../access/loaders';
import type { Principal } from '../access/principal';
import type { Logger } from 'pino';

declare global {
  namespace Express {
    // passport's req.user is the principal loaded by deserializeUser; declaration merging needs the
    // interface form, which the rule below would collapse into a type alias that merges nothing
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface User extends Principal {}
    interface Request {
      /** The object the route's URL names, resolved within the user's subtrees by a loader in access/loaders. */
      access?: AccessTarget;
      /** The request's id (X-Request-Id), set by the request logging (http/setup/logging.ts). */
      id?: string;
      /** A logger that names the request's id, made on first use. */
      log?: Logger;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    csrfToken?: string;
    /** Epoch ms of the login: the 12-hour absolute limit counts from here. */
    authenticatedAt?: number;
    /** Between the password and the code: whose login waits for its second factor (no user is logged in yet). */
    pendingSecondFactor?: { userId: number; username: string; next: string; startedAt: number };
    /** The device and address the session was started from, for the user's list of their sessions. */
    client?: { userAgent: string; ip: string | null; startedAt: number };
    /** A TOTP secret offered on the enrolment page and not yet confirmed by a code. */
    enrolmentSecret?: string;
    /** The principal resolved at `loadedAt` (epoch ms), reused for PRINCIPAL_CACHE_SECONDS; dropped by grant changes. */
    principal?: { value: Principal; loadedAt: number };
    flash?: { type: 'success' | 'info' | 'warning' | 'danger'; text: string }[];
  }
}

export {};
