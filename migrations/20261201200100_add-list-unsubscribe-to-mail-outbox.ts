// A letter that carries an unsubscribe link keeps its URL beside the text until it is sent: the worker
// puts it in the List-Unsubscribe header (RFC 8058). Like the text, it is cleared once the letter is sent.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE mail_outbox ADD COLUMN list_unsubscribe text CHECK (length(list_unsubscribe) <= 500)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE mail_outbox DROP COLUMN list_unsubscribe');
}
