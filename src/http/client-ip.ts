import net from 'node:net';
import type { Request } from 'express';

/**
 * The client's address, when it is one. Behind a proxy (TRUST_PROXY) Express takes it from X-Forwarded-For,
 * which carries whatever the client put there; the audit log and the login throttle store it as `inet`.
 */
export function clientIp(req: Request): string | null {
  return req.ip && net.isIP(req.ip) ? req.ip : null;
}
