import type { Principal } from '../access/principal';

declare global {
  namespace Express {
    // passport's req.user is the principal loaded by deserializeUser
    interface User extends Principal {}
  }
}

declare module 'express-session' {
  interface SessionData {
    csrfToken?: string;
    /** Epoch ms of the login: the 12-hour absolute limit counts from here. */
    authenticatedAt?: number;
    /** The principal resolved at `loadedAt` (epoch ms), reused for PRINCIPAL_CACHE_SECONDS; dropped by grant changes. */
    principal?: { value: Principal; loadedAt: number };
    flash?: { type: 'success' | 'info' | 'warning' | 'danger'; text: string }[];
  }
}

export {};
