/**
 * What other features do with logins and their sessions: users/ administers logins, registry/ withdraws
 * grants from a liquidated organization, the session middleware loads the signed-in principal. Each
 * takes the caller's handle (a Knex or its transaction), so the change commits with the caller's.
 */
export {
  deleteSessionsOfUser,
  findUserById,
  findUserByUsername,
  forgetKeptPrincipal,
  loadPrincipal,
  setPasswordByLink,
} from './users.repo';
