// Issue 18, item 4: a card is checked at /card/{token} (its QR code) by anyone who holds it. The number
// is a region code and a union-wide sequence, so it can be guessed; the token is a random UUID (122 random
// bits) that cannot. New cards take theirs from the default. The column is added without a default first
// (a volatile default would rewrite the 4 M cards under an exclusive lock), the existing cards are filled
// in batches that each commit (a card change waits for one batch at most), then the column is required.
import type { Knex } from 'knex';

export const config = { transaction: false };

const BATCH = 50_000;

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE union_cards ADD COLUMN IF NOT EXISTS check_token uuid');
  await knex.raw('ALTER TABLE union_cards ALTER COLUMN check_token SET DEFAULT gen_random_uuid()');
  for (;;) {
    const { rowCount } = await knex.raw(
      `UPDATE union_cards SET check_token = gen_random_uuid()
        WHERE id IN (SELECT id FROM union_cards WHERE check_token IS NULL LIMIT ${BATCH})`,
    );
    if (!rowCount) break;
  }
  await knex.raw('ALTER TABLE union_cards ALTER COLUMN check_token SET NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE union_cards DROP COLUMN check_token');
}
