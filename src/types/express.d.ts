import type { AccessTarget } from '../access/loaders';
import type { Principal } from '../access/principal';

declare global {
  namespace Express {
    // passport's req.user is the principal loaded by deserializeUser
    interface User extends Principal {}
    interface Request {
      /** The object the route's URL names, resolved within the user's subtrees by a loader in access/loaders. */
      access?: AccessTarget;
    }
  }
}

declare module 'express-session' {
  interface SessionData {
    csrfToken?: string;
    /** Epoch ms of the login: the 12-hour absolute limit counts from here. */
    authenticatedAt?: number;
    flash?: { type: 'success' | 'info' | 'warning' | 'danger'; text: string }[];
  }
}

export {};
