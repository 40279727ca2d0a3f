import fs from 'node:fs';
import path from 'node:path';
import { VIEWS_DIR } from '../../app-paths';
import ejs from 'ejs';
import type { Express } from 'express';
import { ROLE_LABELS } from '../../access/roles';
import {
  formatDate,
  formatDateTime,
  formatNumber,
  formatPercent,
  formatPhone,
  formatSnils,
  formCodeLabel,
  fullName,
  plural,
} from '../../shared/format';

const LAYOUT = path.join(VIEWS_DIR, 'layouts', 'main.ejs');

type RenderCallback = (err: Error | null, html?: string) => void;

/**
 * `partial('/partials/field', { name, label, … })`: a partial rendered with its parameters alone. EJS's `include`
 * copies the page's whole data (its ~60 names) into the partial's, twice, on every call: the member list's
 * 20 fields spent more on those copies than on rendering, the card page's 30 includes a fifth of its CPU (issue 15,
 * pages at 32 clients). The partial sees nothing else: helpers (formatDate, csrfToken) and page data it reads are
 * parameters too. Its own includes copy only those parameters.
 */
export function partialRenderer({ cache }: { cache: boolean }) {
  const compiled = new Map<string, ejs.TemplateFunction>();
  const compile = (name: string) => {
    const filename = path.join(VIEWS_DIR, `${name}.ejs`);
    // `cache` reaches the partial's own includes, which EJS would otherwise read and compile on every call
    return ejs.compile(fs.readFileSync(filename, 'utf8'), { filename, root: VIEWS_DIR, cache });
  };
  return (name: string, params: Record<string, unknown>): string => {
    let template = compiled.get(name);
    if (!template) {
      template = compile(name);
      if (cache) compiled.set(name, template);
    }
    return template(params) as string;
  };
}

/** EJS with one layout: a view renders first, then `layouts/main` wraps its HTML as `body`. */
export function setUpViews(app: Express, { cache }: { cache: boolean }) {
  app.set('views', VIEWS_DIR);
  app.set('view engine', 'ejs');
  app.set('view cache', cache);
  // Includes name their file from the views folder ('/partials/field'): EJS resolves such a path without
  // asking the file system, where a relative one cost an existsSync per include (6% of a list page's CPU).
  app.engine('ejs', (file: string, options: object, callback: RenderCallback) => {
    const data = options as Record<string, unknown>;
    const ejsOptions = { root: VIEWS_DIR, cache: Boolean(data.cache) };
    ejs.renderFile(file, data, ejsOptions, (err, body) => {
      if (err) return callback(err);
      if (data.layout === false) return callback(null, body);
      ejs.renderFile(LAYOUT, { ...data, body }, ejsOptions, callback);
    });
  });
  Object.assign(app.locals, {
    partial: partialRenderer({ cache }),
    formatDate,
    formatDateTime,
    formatNumber,
    formatPercent,
    formatPhone,
    formatSnils,
    formCodeLabel,
    fullName,
    plural,
    ROLE_LABELS,
  });
  // Error pages can be rendered before the session and navigation steps ran: the layout's inputs default here.
  app.use((_req, res, next) => {
    Object.assign(res.locals, { currentUser: null, nav: [], userOrganizations: [], flash: [], csrfToken: () => '' });
    next();
  });
}
