import type { MatrixEntry } from '../authz-matrix';
import type { Agent } from './agents';

/** HTML attribute text back to the characters EJS escaped. */
function unescapeHtml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * The hidden fields of the (first) form that posts to `action` on a page — what a browser sends along
 * untouched: the CSRF token, the one-time form token, the version the form was rendered from.
 */
export function hiddenFields(html: string, action: string): Record<string, string> {
  const start = html.indexOf(`action="${action}"`);
  if (start === -1) throw new Error(`no form posting to ${action} on the page`);
  const form = html.slice(start, html.indexOf('</form>', start));
  const fields: Record<string, string> = {};
  for (const input of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
    fields[input[1]!] = unescapeHtml(input[2]!);
  return fields;
}

/** Opens the page with the form, then posts it with its hidden fields and `body` — what a user filling it in does. */
export async function submitForm(agent: Agent, page: string, action: string, body: Record<string, unknown>) {
  const html = (await agent.get(page).expect(200)).text;
  return agent
    .post(action)
    .type('form')
    .send({ ...hiddenFields(html, action), ...body });
}

export interface ScrapedForm {
  /** 'POST /members/:id/exit': the matrix route the form is sent to. */
  route: string;
  /** The names of the fields it sends (the CSRF token and the file of an upload aside). */
  fields: string[];
}

// the protocol of every form, not a field of its route: the CSRF token and the one-time form token (and an upload's file)
const NOT_FIELDS = new Set(['_csrf', 'formToken', 'file']);

/** The forms of a rendered page, each with the route it is sent to and its fields (those tied to it by `form="id"` too). */
export function scrapeForms(
  html: string,
  pageUrl: string,
  routes: Pick<MatrixEntry, 'method' | 'path'>[],
): ScrapedForm[] {
  const patterns = routes.map((r) => ({
    route: `${r.method} ${r.path}`,
    method: r.method,
    regex: new RegExp(`^${r.path.replace(/:\w+/g, '[^/]+')}$`),
  }));
  const found: ScrapedForm[] = [];
  for (const [, attributes, inner] of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const method = (/\bmethod="(\w+)"/.exec(attributes!)?.[1] ?? 'get').toUpperCase();
    const action = (/\baction="([^"]*)"/.exec(attributes!)?.[1] ?? pageUrl).replace(/&amp;/g, '&').split('?')[0]!;
    const id = /\bid="([^"]+)"/.exec(attributes!)?.[1];
    const tied = id ? [...html.matchAll(new RegExp(`<[^>]*\\bform="${id}"[^>]*>`, 'g'))].map((m) => m[0]).join('') : '';
    const names = [...`${inner}${tied}`.matchAll(/<(?:input|select|textarea|button)\b[^>]*\bname="([^"]+)"/g)].map(
      (m) => m[1]!,
    );
    const route =
      patterns.find((p) => p.method === method && p.regex.test(action))?.route ?? `${method} ${action} (no such route)`;
    found.push({ route, fields: [...new Set(names)].filter((n) => !NOT_FIELDS.has(n)) });
  }
  return found;
}
