// Issue 21, item 2: a post's term of office follows the rules of the organization's level (the union's
// charter: elected bodies and officers serve five years), so the end of a term is computed from the election
// date and the rule — never typed. `term_until` stays on org_officers as that computation, kept by a trigger
// whenever an officer's organization, post or election date is written, and recomputed by the app for the
// current officers when the federal administrator changes a rule: the expired-term filters, the passport's
// gap counts and the reminders keep reading the one column. The ends typed before, where they differ from the
// rule, are kept in officer_terms_typed for review, and put back by a rollback.
import type { Knex } from 'knex';

const LEVELS = ['union', 'regional', 'okrug', 'territorial', 'primary', 'subdivision', 'group'];
const ELECTED_POSTS = ['chair', 'deputy', 'committee', 'presidium', 'audit', 'commission', 'group_organizer', 'safety_rep'];
const COMPUTED = 'officer_term_until(f.organization_id, f.post, f.elected_on)';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE term_rules (
      level text NOT NULL CHECK (level IN (${LEVELS.map((l) => `'${l}'`).join(', ')})),
      post text NOT NULL,
      -- null: the post has no fixed term at this level
      years smallint CHECK (years BETWEEN 1 AND 10),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (level, post)
    )`);
  await knex.raw(
    `INSERT INTO term_rules (level, post, years)
     SELECT l, p, 5 FROM unnest(?::text[]) l CROSS JOIN unnest(?::text[]) p`,
    [LEVELS, ELECTED_POSTS],
  );
  await knex.raw(`
    CREATE FUNCTION officer_term_until(org_id integer, officer_post text, elected date) RETURNS date
    LANGUAGE sql STABLE AS $$
      SELECT (elected + make_interval(years => r.years))::date
        FROM organizations o JOIN term_rules r ON r.level = o.level AND r.post = officer_post
       WHERE o.id = org_id AND r.years IS NOT NULL
    $$`);
  await knex.raw(`
    CREATE TABLE officer_terms_typed (
      officer_id integer PRIMARY KEY REFERENCES org_officers (id) ON DELETE CASCADE,
      term_until date,
      noted_at timestamptz NOT NULL DEFAULT now()
    )`);
  await knex.raw(`
    INSERT INTO officer_terms_typed (officer_id, term_until)
    SELECT f.id, f.term_until FROM org_officers f WHERE f.term_until IS DISTINCT FROM ${COMPUTED}`);
  await knex.raw(`UPDATE org_officers f SET term_until = ${COMPUTED} WHERE f.term_until IS DISTINCT FROM ${COMPUTED}`);
  await knex.raw(`
    CREATE FUNCTION org_officers_compute_term() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.term_until := officer_term_until(NEW.organization_id, NEW.post, NEW.elected_on);
      RETURN NEW;
    END $$`);
  await knex.raw(`
    CREATE TRIGGER org_officers_compute_term BEFORE INSERT OR UPDATE OF organization_id, post, elected_on, term_until
    ON org_officers FOR EACH ROW EXECUTE FUNCTION org_officers_compute_term()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER org_officers_compute_term ON org_officers');
  await knex.raw('DROP FUNCTION org_officers_compute_term()');
  await knex.raw('UPDATE org_officers f SET term_until = t.term_until FROM officer_terms_typed t WHERE t.officer_id = f.id');
  await knex.raw('DROP TABLE officer_terms_typed');
  await knex.raw('DROP FUNCTION officer_term_until(integer, text, date)');
  await knex.raw('DROP TABLE term_rules');
}
