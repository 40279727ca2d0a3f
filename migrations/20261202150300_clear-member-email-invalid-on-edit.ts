// Editing a member's e-mail address clears its «адрес недействителен» mark, however the card is written
// (the card form, an import, a merge): the new address has not bounced.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION clear_email_invalid() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.email_invalid_at := NULL;
      NEW.email_invalid_reason := NULL;
      RETURN NEW;
    END $$`);
  await knex.raw(`CREATE TRIGGER members_email_edited BEFORE UPDATE OF email ON members FOR EACH ROW
                  WHEN (NEW.email IS DISTINCT FROM OLD.email) EXECUTE FUNCTION clear_email_invalid()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER members_email_edited ON members');
  await knex.raw('DROP FUNCTION clear_email_invalid()');
}
