import type { Knex } from 'knex';

/** Records a kept file for the user who checked it; returns its id (the file's name in the kept folder). */
export async function insertCheckedUpload(
  db: Knex,
  upload: { userId: number; organizationId: number; fileName: string },
): Promise<string> {
  const [row] = await db('checked_uploads')
    .insert({ user_id: upload.userId, organization_id: upload.organizationId, file_name: upload.fileName })
    .returning('id');
  return row.id as string;
}

/** Removes this user's record of the kept file and returns when it was kept; another user's id finds nothing. */
export async function takeCheckedUpload(
  db: Knex,
  id: string,
  userId: number,
  organizationId: number,
): Promise<{ createdAt: Date } | undefined> {
  const [row] = await db('checked_uploads')
    .where({ id, user_id: userId, organization_id: organizationId })
    .delete()
    .returning('created_at');
  return row && { createdAt: row.created_at };
}

/** Removes the records kept longer than `ttl` (an interval literal); returns their ids. */
export async function deleteCheckedUploadsOlderThan(db: Knex, ttl: string): Promise<string[]> {
  const expired: { id: string }[] = await db('checked_uploads')
    .whereRaw(`created_at < now() - ?::interval`, [ttl])
    .delete()
    .returning('id');
  return expired.map(({ id }) => id);
}
