import type { Router } from 'express';
import { guardedRouter, publicRoute } from '../access/route-guards';
import type { Deps } from '../deps';

// The help page is public: someone locked out of the registry needs the contacts most of all.

/** The configured text as paragraphs (blank lines) of lines, escaped by the template. */
export function paragraphsOf(text: string): string[][] {
  return text
    .split(/\n\s*\n/)
    .map((p) =>
      p
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    )
    .filter((p) => p.length);
}

export function helpRoutes({ config }: Deps): Router {
  const routes = guardedRouter();
  const contacts = paragraphsOf(config.helpContacts);
  routes.get('/help', publicRoute, (_req, res) => {
    res.render('help/index', { title: 'Помощь', section: 'help', contacts });
  });
  return routes.router;
}
