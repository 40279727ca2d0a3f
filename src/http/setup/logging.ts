import crypto from 'node:crypto';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

/** Request logging with a request id (taken from X-Request-Id when sane, else generated) echoed back. */
export function setUpRequestLogging(app: Express, logger: Logger) {
  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && /^[\w-]{8,64}$/.test(incoming) ? incoming : crypto.randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      serializers: {
        req: (req) => ({
          id: req.id,
          method: req.method,
          url: withoutSecrets(String(req.url)),
          remoteAddress: req.remoteAddress,
        }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url?.startsWith('/assets/') === true },
    }),
  );
}

/** The path without its query, and without the one-time token of an invitation or reset link: a log reader must not be able to open an account. */
function withoutSecrets(url: string): string {
  return url.split('?')[0]!.replace(/^\/(invite|reset-password)\/[^/]+/, '/$1/…');
}
