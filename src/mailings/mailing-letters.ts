/** The address part of MAIL_FROM (`Реестр <no-reply@reestr.local>` → no-reply@reestr.local). */
export function addressOfFrom(from: string): { local: string; domain: string } {
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from.trim();
  const at = address.lastIndexOf('@');
  return at > 0
    ? { local: address.slice(0, at), domain: address.slice(at + 1) }
    : { local: address, domain: 'localhost' };
}

/**
 * Where a letter's bounces go and what names it: the envelope sender carries the recipient's token
 * (VERP-like: `no-reply+b-{token}@domain`, so a report to it names the letter even when it quotes
 * nothing), and so does the Message-ID, which reports quote in the returned headers.
 */
export function letterIdentity(from: string, token: string) {
  const { local, domain } = addressOfFrom(from);
  return { envelopeFrom: `${local}+b-${token}@${domain}`, messageId: `<m-${token}@${domain}>` };
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The letter's HTML part: the letter's Markdown as rendered (renderMarkdown, once for all its letters) and,
 * for a member, the unsubscribe link at the end.
 */
export function letterHtml(renderedBody: string, unsubscribeLink: string | undefined): string {
  const footer = unsubscribeLink
    ? `<hr><p style="font-size:small;color:#666">Чтобы больше не получать рассылки Профсоюза, <a href="${escapeHtml(unsubscribeLink)}">откажитесь от рассылки</a>.</p>`
    : '';
  return `<!doctype html><html lang="ru"><head><meta charset="utf-8"></head><body>${renderedBody}${footer}</body></html>`;
}
