/**
 * The JSON API's prefix. Its requests carry a bearer token instead of the session cookie, so they skip
 * the session, CSRF and login steps of the pages (app.ts mounts them before those), and the error handler
 * answers them as RFC 9457 problem+json.
 */
export const API_PREFIX = '/api/v1';

/** The realm of the API's `WWW-Authenticate: Bearer` challenges. */
export const API_REALM = 'realm="reestr-api"';

/** Where the problem types of the API are described (the `type` of a problem+json is this plus its code). */
export const PROBLEM_TYPE_BASE = `${API_PREFIX}/docs#problem-`;

export function isApiPath(path: string): boolean {
  return path === API_PREFIX || path.startsWith(`${API_PREFIX}/`);
}
