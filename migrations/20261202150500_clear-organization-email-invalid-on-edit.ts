// Editing the passport's e-mail address clears its «адрес недействителен» mark (the function of the
// members' trigger, 20261202150300).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TRIGGER organizations_email_edited BEFORE UPDATE OF email ON organizations FOR EACH ROW
                  WHEN (NEW.email IS DISTINCT FROM OLD.email) EXECUTE FUNCTION clear_email_invalid()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER organizations_email_edited ON organizations');
}
