import type { Knex } from 'knex';

/**
 * Valid: the card has been handed to its holder and the holder is a member now (an exit blocks the live
 * card, but a card issued before a merge or a back-dated exit must not pass either).
 */
export const VALID_CARD_SQL = "(c.status = 'issued' AND m.left_on IS NULL AND m.merged_into_id IS NULL)";

/** «Е. С. В.»: the first letters of name, patronymic and surname, and nothing of a depersonalised card. */
const INITIALS = `CASE WHEN m.depersonalised_at IS NULL THEN concat_ws(' ',
  upper(left(m.name, 1)) || '.', upper(left(m.patronymic, 1)) || '.', upper(left(m.surname, 1)) || '.') END`;

export interface PublicCardCheck {
  number: string;
  valid: boolean;
  initials: string | null;
  organization: string;
}

/** What the public check shows of the card a token names; no other column of the member is read. */
export async function findCardByToken(db: Knex, token: string): Promise<PublicCardCheck | undefined> {
  const { rows } = await db.raw<{ rows: PublicCardCheck[] }>(
    `SELECT c.number, ${VALID_CARD_SQL} AS valid, ${INITIALS} AS initials, o.name AS organization
       FROM union_cards c JOIN members m ON m.id = c.member_id JOIN organizations o ON o.id = m.organization_id
      WHERE c.check_token = ?::uuid`,
    [token],
  );
  return rows[0];
}

export interface NumberCheck {
  number: string;
  found: boolean;
  valid: boolean;
  /** The holder, only when the card is registered inside one of `viewPaths`. */
  memberId: number | null;
  holder: string | null;
  organization: string | null;
}

/**
 * The cards of the given numbers in the order given; the holder's name and organization leave the
 * database only for cards registered inside the reader's member.view subtrees.
 */
export async function checkNumbers(db: Knex, numbers: string[], viewPaths: string[]): Promise<NumberCheck[]> {
  const { rows } = await db.raw<{ rows: NumberCheck[] }>(
    `SELECT n.number, c.id IS NOT NULL AS found, coalesce(${VALID_CARD_SQL}, false) AS valid,
            CASE WHEN v.inside THEN m.id END AS "memberId",
            CASE WHEN v.inside THEN concat_ws(' ', m.surname, m.name, m.patronymic) END AS holder,
            CASE WHEN v.inside THEN o.name END AS organization
       FROM unnest(?::text[]) WITH ORDINALITY n(number, ord)
       LEFT JOIN union_cards c ON c.number = n.number
       LEFT JOIN members m ON m.id = c.member_id
       LEFT JOIN organizations o ON o.id = m.organization_id
       CROSS JOIN LATERAL (SELECT coalesce(o.path <@ ?::ltree[], false) AS inside) v
      ORDER BY n.ord`,
    [numbers, viewPaths],
  );
  return rows.map((r) => ({ ...r, memberId: r.memberId == null ? null : Number(r.memberId) }));
}
