import type { Knex } from 'knex';

/** Claims the user's form token; false when another request claimed it first. */
export async function claimToken(db: Knex, userId: number, token: string): Promise<boolean> {
  const claimed = await db('form_submissions')
    .insert({ user_id: userId, token })
    .onConflict(['user_id', 'token'])
    .ignore()
    .returning('token');
  return claimed.length > 0;
}

/** The claim as it stands: undefined when released, `resultUrl` null while its request runs. */
export async function findClaim(
  db: Knex,
  userId: number,
  token: string,
): Promise<{ resultUrl: string | null } | undefined> {
  const row = await db('form_submissions').where({ user_id: userId, token }).first('result_url');
  return row && { resultUrl: (row.result_url as string | null) ?? null };
}

/** Records where the claimed form led. */
export async function settleClaim(db: Knex, userId: number | undefined, token: string, resultUrl: string) {
  await db('form_submissions').where({ user_id: userId, token }).update({ result_url: resultUrl });
}

/** Releases the claim, so that a repeat of the form is handled anew. */
export async function releaseClaim(db: Knex, userId: number | undefined, token: string) {
  await db('form_submissions').where({ user_id: userId, token }).delete();
}

export async function deleteClaimsOlderThanADay(db: Knex): Promise<number> {
  return db('form_submissions').whereRaw("claimed_at < now() - interval '1 day'").delete();
}
