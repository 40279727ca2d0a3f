import type { Agent } from './agents';

/** HTML attribute text back to the characters EJS escaped. */
function unescapeHtml(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
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
  for (const input of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields[input[1]!] = unescapeHtml(input[2]!);
  return fields;
}

/** Opens the page with the form, then posts it with its hidden fields and `body` — what a user filling it in does. */
export async function submitForm(agent: Agent, page: string, action: string, body: Record<string, unknown>) {
  const html = (await agent.get(page).expect(200)).text;
  return agent.post(action).type('form').send({ ...hiddenFields(html, action), ...body });
}
