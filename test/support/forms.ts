import type { MatrixEntry } from '../authz-matrix';

export interface ScrapedForm {
  /** 'POST /members/:id/exit': the matrix route the form is sent to. */
  route: string;
  /** The names of the fields it sends (the CSRF token and the file of an upload aside). */
  fields: string[];
}

const NOT_FIELDS = new Set(['_csrf', 'file']);

/** The forms of a rendered page, each with the route it is sent to and its fields (those tied to it by `form="id"` too). */
export function scrapeForms(html: string, pageUrl: string, routes: Pick<MatrixEntry, 'method' | 'path'>[]): ScrapedForm[] {
  const patterns = routes.map((r) => ({ route: `${r.method} ${r.path}`, method: r.method, regex: new RegExp(`^${r.path.replace(/:\w+/g, '[^/]+')}$`) }));
  const found: ScrapedForm[] = [];
  for (const [, attributes, inner] of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const method = (/\bmethod="(\w+)"/.exec(attributes!)?.[1] ?? 'get').toUpperCase();
    const action = (/\baction="([^"]*)"/.exec(attributes!)?.[1] ?? pageUrl).replace(/&amp;/g, '&').split('?')[0]!;
    const id = /\bid="([^"]+)"/.exec(attributes!)?.[1];
    const tied = id ? [...html.matchAll(new RegExp(`<[^>]*\\bform="${id}"[^>]*>`, 'g'))].map((m) => m[0]).join('') : '';
    const names = [...`${inner}${tied}`.matchAll(/<(?:input|select|textarea|button)\b[^>]*\bname="([^"]+)"/g)].map((m) => m[1]!);
    const route = patterns.find((p) => p.method === method && p.regex.test(action))?.route ?? `${method} ${action} (no such route)`;
    found.push({ route, fields: [...new Set(names)].filter((n) => !NOT_FIELDS.has(n)) });
  }
  return found;
}
