import type { Knex } from 'knex';
import { ValidationError } from '../http/errors';
import { findClaim } from '../http/setup/form-once.repo';
import { deleteDraft, deleteDraftsOlderThan, deleteUserDrafts, findDraft, upsertDraft } from './drafts.repo';

// Drafts of long typed forms, kept on the server so that what was typed survives a submit lost to a
// dropped connection (or a session that expired meanwhile). A draft is the user's own unsent input, not a
// change of the registry: it is read only by its author (every query is keyed by the user's id), is not
// audited (a save every few seconds of typing would bury the audit log; the save of the form itself is
// audited), and is gone after DRAFT_DAYS, after the form's successful save, on «Удалить черновик» and on «Выйти».

/** How long an unsent form is kept: long enough to come back after a weekend without a connection. */
export const DRAFT_DAYS = 7;
/** Bytes of a draft as JSON (the table's CHECK holds the same bound). */
const MAX_DRAFT_BYTES = 32_768;

/** The form's own fields out of a posted body: only the names the form has, only plain strings. */
export function draftFieldsOf(body: unknown, names: readonly string[]): Record<string, string> {
  const posted = (body ?? {}) as Record<string, unknown>;
  const fields: Record<string, string> = {};
  for (const name of names) {
    const value = Object.hasOwn(posted, name) ? posted[name] : undefined;
    if (typeof value === 'string') fields[name] = value;
  }
  return fields;
}

export function createDraftsService(db: Knex) {
  return {
    /**
     * Keeps the form as typed; a post with none of the form's fields keeps nothing (and forgets the older draft).
     * `formToken` is the one-time token of the form the draft was typed in: once the form itself has been sent
     * (its token claimed), a draft still on its way arrives late and is dropped, or it would outlive the save.
     */
    async save(userId: number, formKey: string, fields: Record<string, string>, formToken?: string): Promise<void> {
      if (formToken && (await findClaim(db, userId, formToken))) return;
      if (Object.keys(fields).length === 0) return deleteDraft(db, userId, formKey);
      if (Buffer.byteLength(JSON.stringify(fields)) > MAX_DRAFT_BYTES)
        throw new ValidationError([{ field: 'form', message: 'Черновик слишком большой' }]);
      await upsertDraft(db, userId, formKey, fields);
      // The form may have been sent between the check above and this write (its request claimed the token
      // and deleted the draft, this write waited on the row and then wrote it anew): asked again after the
      // write, the claim is visible, and the draft goes as the save meant.
      if (formToken && (await findClaim(db, userId, formToken))) await deleteDraft(db, userId, formKey);
    },
    find: (userId: number, formKey: string) => findDraft(db, userId, formKey, DRAFT_DAYS),
    discard: (userId: number, formKey: string) => deleteDraft(db, userId, formKey),
    discardAll: (userId: number) => deleteUserDrafts(db, userId),
  };
}

export type DraftsService = ReturnType<typeof createDraftsService>;

/** The hourly prune: drafts older than DRAFT_DAYS. */
export function pruneExpiredDrafts(db: Knex): Promise<number> {
  return deleteDraftsOlderThan(db, DRAFT_DAYS);
}
