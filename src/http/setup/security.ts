import express, { type Express, type Request } from 'express';
import helmet from 'helmet';
import { isOneClickUnsubscribe } from '../../shared/unsubscribe-path';
import { ForbiddenError } from '../errors';

/** Headers (no-store included), body limits and the cross-site Origin check. */
export function setUpSecurity(app: Express, { behindTls }: { behindTls: boolean }) {
  app.disable('x-powered-by');
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          ...(behindTls ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: behindTls,
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
  // Pages and files of the registry carry personal data: no browser or proxy keeps a copy of any response
  // from here on (the static assets, served before this step, keep their caching; so does /healthz).
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  // Flat key=value parsing only: no nested objects, so no `__proto__[x]` tricks reach a schema.
  app.use(express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 200 }));
  app.use(express.json({ limit: '100kb' }));
  app.use((req, _res, next) => {
    if (isStateChanging(req) && !sameOrigin(req) && !isOneClickUnsubscribe(req.method, req.path))
      return next(new ForbiddenError('Запрос с другого сайта отклонён'));
    next();
  });
}

export function isStateChanging(req: Request): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(req.method);
}

/** Browsers send Origin on cross-site POSTs; a request without it (curl, old clients) still needs the CSRF token. */
function sameOrigin(req: Request): boolean {
  const origin = req.get('origin');
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.get('host');
  } catch {
    return false;
  }
}
