import type { Express, Request } from 'express';
import type { SessionData } from 'express-session';

type Flash = NonNullable<SessionData['flash']>[number];

export function flash(req: Request, type: Flash['type'], text: string) {
  (req.session.flash ??= []).push({ type, text });
}

/** Messages survive exactly one redirect: they are moved to the view and removed from the session. */
export function setUpFlash(app: Express) {
  app.use((req, res, next) => {
    res.locals.flash = req.session?.flash ?? [];
    if (req.session?.flash) delete req.session.flash;
    next();
  });
}
