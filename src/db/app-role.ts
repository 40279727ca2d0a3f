import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { APP_ROLE } from './shared-constants';

/**
 * The app's own login role: DML on the registry's tables, no UPDATE/DELETE on the audit log, no DDL, no
 * role changes. The app used to log in as the owner and `SET ROLE` to it, which any injected statement
 * could undo with `RESET ROLE`; logging in as the role leaves nothing to reset to.
 */
export { APP_ROLE };

/**
 * With one URL (the owner's) the app derives its role's password from the owner's: every instance and
 * every database of a cluster computes the same one, so instances starting side by side never lock each
 * other out, and whoever may read it could log in as the owner anyway.
 */
export function appRolePassword(ownerUrl: string): string {
  const owner = new URL(ownerUrl);
  return crypto
    .createHmac('sha256', decodeURIComponent(owner.password))
    .update(`${APP_ROLE}@${decodeURIComponent(owner.username)}`)
    .digest('base64url');
}

/** The owner's URL with the app role's credentials: same server, same database, same parameters. */
export function appRoleUrl(ownerUrl: string): string {
  const url = new URL(ownerUrl);
  url.username = APP_ROLE;
  url.password = appRolePassword(ownerUrl);
  return url.toString();
}

/**
 * Lets the role log in with the derived password (the owner needs CREATEROLE for this; with separate
 * credentials — MIGRATION_DATABASE_URL — it is never asked to). Whatever rights it was given by hand
 * beyond the app's are taken back.
 */
export async function enableAppRoleLogin(ownerDb: Knex, ownerUrl: string): Promise<string> {
  // The password is base64url: nothing in it needs quoting, and ALTER ROLE takes no bind parameters.
  await ownerDb.raw(
    `ALTER ROLE ${APP_ROLE} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '${appRolePassword(ownerUrl)}'`,
  );
  return appRoleUrl(ownerUrl);
}

/** What the app's connection may do beyond its due; empty when it is as restricted as it must be. */
export async function excessRights(appDb: Knex): Promise<string[]> {
  const { rows } = await appDb.raw(
    `SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls,
            (SELECT tableowner = current_user FROM pg_tables WHERE schemaname = 'public' AND tablename = 'audit_log') AS owns_audit,
            has_table_privilege('audit_log', 'UPDATE') OR has_table_privilege('audit_log', 'DELETE') OR has_table_privilege('audit_log', 'TRUNCATE') AS rewrites_audit
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  const row = rows[0];
  const labels: Record<string, string> = {
    rolsuper: 'superuser',
    rolcreaterole: 'CREATEROLE',
    rolcreatedb: 'CREATEDB',
    rolbypassrls: 'BYPASSRLS',
    owns_audit: 'owns the tables',
    rewrites_audit: 'may rewrite the audit log',
  };
  return Object.entries(labels)
    .filter(([key]) => row?.[key] === true)
    .map(([, label]) => label);
}
