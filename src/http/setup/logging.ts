import crypto from 'node:crypto';
import type { Express } from 'express';
import type { Logger } from 'pino';

/**
 * Request logging with a request id (taken from X-Request-Id when sane, else generated) echoed back: one
 * line per request when it is answered, at info (4xx at warn, 5xx at error), written only when the level
 * is enabled. The request's own child logger (`req.log`, with the id) is made on first use — by an error
 * or a warning —, not for every request as pino-http did (issue 15: cheaper request logging).
 */
export function setUpRequestLogging(app: Express, logger: Logger) {
  app.use((req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && /^[\w-]{8,64}$/.test(incoming) ? incoming : crypto.randomUUID();
    res.setHeader('X-Request-Id', id);
    req.id = id;
    let child: Logger | undefined;
    Object.defineProperty(req, 'log', { get: () => (child ??= logger.child({ reqId: id })), configurable: true });
    if (req.url === '/healthz' || req.url.startsWith('/assets/')) return next();
    const started = performance.now();
    res.once('finish', () => {
      const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        {
          req: {
            id,
            method: req.method,
            url: withoutSecrets(req.originalUrl),
            remoteAddress: req.socket.remoteAddress,
          },
          res: { statusCode: res.statusCode },
          responseTime: Math.round(performance.now() - started),
        },
        'request completed',
      );
    });
    next();
  });
}

/** The path without its query, and without the one-time token of an invitation or reset link: a log reader must not be able to open an account. */
function withoutSecrets(url: string): string {
  return url.split('?')[0]!.replace(/^\/(invite|reset-password)\/[^/]+/, '/$1/…');
}
