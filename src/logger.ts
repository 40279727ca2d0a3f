import pino, { type Logger } from 'pino';

/** JSON logs; credentials and personal contacts never reach them. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'res.headers["set-cookie"]',
        '*.password',
        '*.newPassword',
        '*.currentPassword',
        '*._csrf',
      ],
      censor: '[скрыто]',
    },
  });
}
