import path from 'node:path';
import { createRequire } from 'node:module';
import express, { type Express } from 'express';
import { PUBLIC_DIR } from '../../app-paths';
import { publicRoute } from '../../access/route-guards';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

/** Every asset comes from this app (CSP allows no other origin): our own files and files of npm packages. */
export function setUpStatic(app: Express, { isProduction }: { isProduction: boolean }) {
  const options = { maxAge: isProduction ? '7d' : 0, index: false, fallthrough: true } as const;
  app.use('/assets/bootstrap', express.static(path.join(packageDir('bootstrap'), 'dist'), options));
  app.use('/assets/htmx', express.static(path.join(packageDir('htmx.org'), 'dist'), options));
  app.use('/assets', express.static(PUBLIC_DIR, options));
  // browsers still ask for /favicon.ico now and then: answered here, before sessions, so the request never
  // passes through a user's session
  app.get('/favicon.ico', publicRoute, (_req, res) => res.redirect(301, '/assets/img/favicon.svg'));
}
