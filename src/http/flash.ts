import type { Express, Request } from 'express';
import type { SessionData } from 'express-session';

type Flash = NonNullable<SessionData['flash']>[number];

export function flash(req: Request, type: Flash['type'], text: string) {
  (req.session.flash ??= []).push({ type, text });
}

/**
 * Messages survive exactly one redirect: the next page rendered shows them and removes them from the
 * session. They are taken when a page renders, not when any request passes: a request the browser makes
 * on its own between the redirect and the page (an icon, a prefetch) would otherwise swallow them.
 * A redirect carrying a message waits for the session to be stored: express-session saves at the end of
 * the response, but a browser follows a redirect on its headers and asked for the next page before the
 * message was in the database (the browser tests lost one in three on a loaded machine).
 */
export function setUpFlash(app: Express) {
  app.use((req, res, next) => {
    const redirect = res.redirect.bind(res) as (...args: unknown[]) => void;
    res.redirect = ((...args: unknown[]) => {
      if (!req.session?.flash?.length) return redirect(...args);
      req.session.save((err) => (err ? next(err) : redirect(...args)));
    }) as typeof res.redirect;
    const render = res.render.bind(res) as (...args: unknown[]) => void;
    res.render = ((...args: unknown[]) => {
      if (res.statusCode < 400 && req.session?.flash) {
        res.locals.flash = req.session.flash;
        delete req.session.flash;
      }
      render(...args);
    }) as typeof res.render;
    next();
  });
}
