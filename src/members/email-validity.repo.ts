import type { Knex } from 'knex';

/**
 * Marks a member card's e-mail address invalid after a hard bounce — only while the card still carries
 * that address (an address edited since is a new one) and is not marked already. Returns the card's
 * organization when it was marked (for the audit row), undefined otherwise.
 */
export async function markMemberEmailInvalid(
  db: Knex,
  memberId: number,
  address: string,
  reason: string,
): Promise<{ organizationId: number } | undefined> {
  const [row] = await db('members')
    .where({ id: memberId })
    .whereRaw('lower(btrim(email)) = lower(?)', [address])
    .whereNull('email_invalid_at')
    .update({ email_invalid_at: db.fn.now(), email_invalid_reason: reason.slice(0, 500) })
    .returning('organization_id as organizationId');
  return row;
}

/** The same for an organization passport's address (a chair written to at the organization's address). */
export async function markOrganizationEmailInvalid(
  db: Knex,
  organizationId: number,
  address: string,
  reason: string,
): Promise<boolean> {
  const count = await db('organizations')
    .where({ id: organizationId })
    .whereRaw('lower(btrim(email)) = lower(?)', [address])
    .whereNull('email_invalid_at')
    .update({ email_invalid_at: db.fn.now(), email_invalid_reason: reason.slice(0, 500) });
  return count > 0;
}

export interface InvalidAddressesOfChild {
  organizationId: number;
  /** Members on record in the child's subtree whose card address bounced for good. */
  members: number;
  /** Organizations of the child's subtree (itself included) whose passport address bounced for good. */
  passports: number;
}

/**
 * «Адрес недействителен» per child organization of `parent` (for monitoring tables): invalid addresses in
 * each child's subtree, counted set-based over the marked rows only (partial index on members; the
 * organizations' marks are few). Children without any are left out.
 */
export async function invalidAddressesPerChild(db: Knex, parent: { path: string }): Promise<InvalidAddressesOfChild[]> {
  const { rows } = await db.raw(
    `WITH marked AS (
       SELECT o.path, 1 AS members, 0 AS passports
         FROM members m JOIN organizations o ON o.id = m.organization_id
        WHERE m.email_invalid_at IS NOT NULL AND m.left_on IS NULL AND m.merged_into_id IS NULL
          AND o.path <@ ?::ltree AND nlevel(o.path) > nlevel(?::ltree)
       UNION ALL
       SELECT o.path, 0, 1 FROM organizations o
        WHERE o.email_invalid_at IS NOT NULL AND o.liquidated_on IS NULL
          AND o.path <@ ?::ltree AND nlevel(o.path) > nlevel(?::ltree))
     SELECT ltree2text(subpath(path, nlevel(?::ltree), 1))::int AS "organizationId",
            sum(members)::int AS members, sum(passports)::int AS passports
       FROM marked GROUP BY 1 ORDER BY 1`,
    [parent.path, parent.path, parent.path, parent.path, parent.path],
  );
  return rows;
}
