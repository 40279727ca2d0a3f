import type { Express } from 'express';
import { permissionOf } from '../../src/access/route-guards';

interface Layer {
  rawPath?: string;
  handle?: { stack?: Layer[] };
  route?: { path: string; methods: Record<string, boolean>; stack: Layer[] };
}

interface RouteInfo {
  key: string;
  /** What the route's first handler declares it needs (can(...), signedIn, publicRoute), if it names anything. */
  permission: string | undefined;
}

function walkRoutes(app: Express): RouteInfo[] {
  const found: RouteInfo[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) {
          if (method !== '_all')
            found.push({
              key: `${method.toUpperCase()} ${prefix}${layer.route.path}`,
              permission: permissionOf(layer.route.stack[0]?.handle),
            });
        }
      } else if (layer.handle?.stack) {
        const mount = layer.rawPath && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return found;
}

/** Every method + path the real router serves, nested routers included (`GET /orgs/:inpo`). */
export function listRoutes(app: Express): string[] {
  return [...new Set(walkRoutes(app).map((r) => r.key))].sort();
}

/** Routes whose first handler names no permission: each must say what it needs (see src/access/route-guards). */
export function routesWithoutPermission(app: Express): string[] {
  return [
    ...new Set(
      walkRoutes(app)
        .filter((r) => !r.permission)
        .map((r) => r.key),
    ),
  ].sort();
}
