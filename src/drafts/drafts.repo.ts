import type { Knex } from 'knex';

export interface DraftRow {
  fields: Record<string, string>;
  savedAt: Date;
}

/** Keeps the latest typing of the form (one row per user and form). */
export async function upsertDraft(db: Knex, userId: number, formKey: string, fields: Record<string, string>) {
  await db('form_drafts')
    .insert({ user_id: userId, form_key: formKey, fields: JSON.stringify(fields), saved_at: db.fn.now() })
    .onConflict(['user_id', 'form_key'])
    .merge(['fields', 'saved_at']);
}

/** The user's own draft of the form, when saved less than `days` ago (an older one awaits the hourly prune). */
export async function findDraft(
  db: Knex,
  userId: number,
  formKey: string,
  days: number,
): Promise<DraftRow | undefined> {
  const row = await db('form_drafts')
    .where({ user_id: userId, form_key: formKey })
    .whereRaw('saved_at > now() - make_interval(days => ?)', [days])
    .first('fields', 'saved_at');
  return row && { fields: row.fields as Record<string, string>, savedAt: row.saved_at as Date };
}

export async function deleteDraft(db: Knex, userId: number, formKey: string) {
  await db('form_drafts').where({ user_id: userId, form_key: formKey }).delete();
}

export async function deleteUserDrafts(db: Knex, userId: number) {
  await db('form_drafts').where({ user_id: userId }).delete();
}

export async function deleteDraftsOlderThan(db: Knex, days: number): Promise<number> {
  return db('form_drafts').whereRaw('saved_at <= now() - make_interval(days => ?)', [days]).delete();
}
