// The authorization matrix (security.md): every route with the status each role gets for a target
// inside its subtree and outside it. test/integration/authz-matrix.test.ts fails when the router has a
// route that is not listed here, and calls every route as every role.
//
// Fixture: union → regions R1 and R2, each → territory → ППО. Users: admin on the union; coordinator and
// statistician on R1; chair and member on the ППО of R1. "inside" targets the ППО of R1, "outside" the
// ППО of R2. `null` = not applicable (the admin's subtree is the whole union).
import type { Role } from '../src/access/roles';

export type Subject = 'anonymous' | Role;
export type Statuses = Record<Subject, number>;

export interface MatrixEntry {
  method: 'GET' | 'POST';
  path: string;
  /** A form body that drives the route to a deterministic answer. */
  body?: Record<string, string>;
  inside: Statuses;
  /** Present for routes that address an object of the tree. */
  outside?: Record<Subject, number | null>;
  /** The call ends the caller's session: run it last. */
  endsSession?: boolean;
}

const all = (status: number): Statuses => ({ anonymous: status, admin: status, coordinator: status, chair: status, statistician: status, member: status });
const loggedIn = (anonymous: number, status: number): Statuses => ({ ...all(status), anonymous });

export const AUTHZ_MATRIX: MatrixEntry[] = [
  { method: 'GET', path: '/healthz', inside: all(200) },
  { method: 'GET', path: '/readyz', inside: all(200) },
  { method: 'GET', path: '/login', inside: loggedIn(200, 303) },
  { method: 'POST', path: '/login', body: { username: 'nobody-here', password: 'wrong-password' }, inside: all(401) },
  { method: 'GET', path: '/account/password', inside: loggedIn(303, 200) },
  { method: 'POST', path: '/account/password', body: {}, inside: loggedIn(401, 422) },
  { method: 'GET', path: '/', inside: loggedIn(303, 200) },
  {
    method: 'GET',
    path: '/orgs/:inpo',
    inside: { anonymous: 303, admin: 200, coordinator: 200, chair: 200, statistician: 200, member: 403 },
    outside: { anonymous: 303, admin: null, coordinator: 404, chair: 404, statistician: 404, member: 404 },
  },
  { method: 'POST', path: '/logout', inside: loggedIn(401, 303), endsSession: true },
];
