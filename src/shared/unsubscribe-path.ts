/** The public page (and RFC 8058 one-click target) an unsubscribe link in a letter opens: `/unsubscribe/{token}`. */
export const UNSUBSCRIBE_PATH = '/unsubscribe';

const ONE_CLICK = /^\/unsubscribe\/[A-Za-z0-9_-]{1,100}$/;

/**
 * A POST to an unsubscribe link: RFC 8058's one-click request, which a mail provider sends from its own
 * servers with no cookie, no CSRF token and no Origin of ours. The token in the URL (256 random bits) is
 * itself the proof the request may act, and the POST does nothing but withdraw that member's consent to
 * mailings, so this one path is left out of the CSRF and Origin checks; every other stays covered.
 */
export function isOneClickUnsubscribe(method: string, path: string): boolean {
  return method === 'POST' && ONE_CLICK.test(path);
}
