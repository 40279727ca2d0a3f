// The union-wide consolidation (every organization, every line) computed live reads 4 M member periods,
// 135,000 officers and 150,000 organizations: 1.6–2 s even with the member state maintained. Its
// indicators are kept here per block of 512 consecutive organization ids and per (date, period start):
// the union's figure is the sum of ~300 rows per indicator (src/reports/indicators/union-stats.ts).
//
// `union_stats_fresh` says which blocks are up to date for a (date, start). Every change that can alter
// a block's figures forgets that block for the dates it can affect; the next union report recomputes just
// those blocks. What a block's figures depend on, and so what the triggers below forget:
// - member periods: the organizations of the changed periods, and of every period of the same members (a
//   period is an admission or an exit depending on its neighbours), and their parents and grandparents in
//   any position (a ППО's size counts its subdivisions' and groups' members);
// - exit events (the reason of an exit), the person's sex and birth date (officers read them from the card);
// - officers: the posts of the same persons too (a person counts once, in the block of their first post);
// - organizations (level, kind, rights, dates, position), headcounts, agreements and their annexes, filed reports.
// Builders hold an exclusive advisory lock and changes a shared one (as for member_state_cache), so a
// build never stores numbers older than a change that committed before it. A builder may first build the
// member state under that cache's lock, so every change takes the member state's shared lock before this
// one: the same order everywhere, whatever table a transaction writes first (a merge re-parents before
// it transfers members), and no two transactions can wait for each other.
import type { Knex } from 'knex';

// The advisory lock keys of src/reports/indicators/member-state-cache.ts and union-stats.ts.
const MEMBER_STATE_LOCK = 748201;
const UNION_STATS_LOCK = 748202;
const BLOCK = 'id >> 9';

const TABLES = ['member_periods', 'membership_events', 'org_officers', 'organizations', 'org_headcounts', 'collective_agreements', 'agreement_annexes', 'reports'];

/** A statement trigger per operation, each handing its transition tables to the table's function. */
async function triggers(knex: Knex, table: string) {
  await knex.raw(`CREATE TRIGGER union_stats_forget_inserted AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION union_stats_forget_${table}()`);
  await knex.raw(`CREATE TRIGGER union_stats_forget_deleted AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION union_stats_forget_${table}()`);
  await knex.raw(`CREATE TRIGGER union_stats_forget_updated AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION union_stats_forget_${table}()`);
}

/** A trigger function over the changed rows of both sides: `body(rows)` is run for new_rows and for old_rows. */
const onBothSides = (table: string, body: (rows: string) => string) => `
  CREATE FUNCTION union_stats_forget_${table}() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP <> 'DELETE' THEN ${body('new_rows')} END IF;
    IF TG_OP <> 'INSERT' THEN ${body('old_rows')} END IF;
    RETURN NULL;
  END $$`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE union_stats (
      as_of date NOT NULL,
      since date NOT NULL,
      block integer NOT NULL,
      indicator text NOT NULL,
      total bigint,
      women bigint,
      youth bigint
    )`);
  await knex.raw('CREATE INDEX union_stats_idx ON union_stats (as_of, since, block)');
  await knex.raw('CREATE TABLE union_stats_fresh (as_of date NOT NULL, since date NOT NULL, block integer NOT NULL, PRIMARY KEY (as_of, since, block))');
  await knex.raw('CREATE INDEX union_stats_fresh_block_idx ON union_stats_fresh (block, as_of)');
  // the organizations of a block, for one block or (hashed) for all
  await knex.raw(`CREATE INDEX organizations_block_idx ON organizations ((${BLOCK}))`);
  // the other posts of a person outside the registry are found by their names
  await knex.raw(`CREATE INDEX org_officers_names_idx ON org_officers (lower(surname || ' ' || name || ' ' || coalesce(patronymic, ''))) WHERE member_id IS NULL`);

  // the shared locks; then whether any block is kept for a date from `from_date` on (if none, there is nothing to forget)
  await knex.raw(`
    CREATE FUNCTION union_stats_kept(from_date date) RETURNS boolean LANGUAGE plpgsql AS $$
    BEGIN
      IF from_date IS NULL THEN RETURN false; END IF;
      PERFORM pg_advisory_xact_lock_shared(${MEMBER_STATE_LOCK});
      PERFORM pg_advisory_xact_lock_shared(${UNION_STATS_LOCK});
      RETURN EXISTS (SELECT 1 FROM union_stats_fresh WHERE as_of >= from_date);
    END $$`);
  await knex.raw(`
    CREATE FUNCTION union_stats_forget(stale int[], from_date date) RETURNS void LANGUAGE sql AS $$
      DELETE FROM union_stats_fresh WHERE block = ANY(stale) AND as_of >= from_date
    $$`);
  // the blocks of organizations and of their parents and grandparents in every position they held
  // (arrays are de-duplicated and joined: an import of 100,000 periods spends ~0.7 s here at full scale)
  await knex.raw(`
    CREATE FUNCTION union_stats_blocks_near(orgs int[]) RETURNS int[] LANGUAGE sql STABLE AS $$
      SELECT ARRAY(
        SELECT ltree2text(subpath(h.path, i, 1))::int >> 9
          FROM (SELECT DISTINCT unnest(orgs) AS id) x JOIN org_tree_history h ON h.organization_id = x.id
          CROSS JOIN LATERAL generate_series(greatest(nlevel(h.path) - 3, 0), nlevel(h.path) - 1) i
        UNION SELECT id >> 9 FROM unnest(orgs) id)
    $$`);
  // a period's organization and every organization of the same member's periods, from the earliest date touched
  await knex.raw(`
    CREATE FUNCTION union_stats_forget_members(people bigint[], orgs int[], from_date date) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
      IF union_stats_kept(from_date) THEN
        PERFORM union_stats_forget(union_stats_blocks_near(orgs || ARRAY(
          SELECT DISTINCT p.organization_id FROM (SELECT DISTINCT unnest(people) AS member_id) x JOIN member_periods p ON p.member_id = x.member_id)), from_date);
      END IF;
    END $$`);
  await knex.raw(`
    CREATE FUNCTION union_stats_forget_member_periods() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        -- a period that only got (or changed) its end affects the dates from that end on; any other change, from its start
        PERFORM union_stats_forget_members(array_agg(DISTINCT n.member_id) || array_agg(DISTINCT o.member_id), array_agg(DISTINCT n.organization_id) || array_agg(DISTINCT o.organization_id),
                  min(CASE WHEN (o.member_id, o.organization_id, o.category, o.is_pedagogical, o.on_parental_leave, o.sex, o.birth_date, o.valid_from)
                                IS NOT DISTINCT FROM (n.member_id, n.organization_id, n.category, n.is_pedagogical, n.on_parental_leave, n.sex, n.birth_date, n.valid_from)
                           THEN nullif(least(coalesce(o.valid_to, 'infinity'), coalesce(n.valid_to, 'infinity')), 'infinity')
                           ELSE least(o.valid_from, n.valid_from) END))
          FROM old_rows o JOIN new_rows n ON n.id = o.id;
      ELSIF TG_OP = 'INSERT' THEN
        PERFORM union_stats_forget_members(array_agg(DISTINCT member_id), array_agg(DISTINCT organization_id), min(valid_from)) FROM new_rows;
      ELSE
        PERFORM union_stats_forget_members(array_agg(DISTINCT member_id), array_agg(DISTINCT organization_id), min(valid_from)) FROM old_rows;
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw(onBothSides('membership_events', (rows) => `
    PERFORM union_stats_forget_members(array_agg(DISTINCT member_id), '{}', min(happened_on)) FROM ${rows} WHERE kind = 'left';`));
  await knex.raw(onBothSides('org_officers', (rows) => `
    IF union_stats_kept((SELECT min(least(elected_on, ended_on, trained_on)) FROM ${rows})) THEN
      PERFORM union_stats_forget(ARRAY(
                SELECT f.organization_id >> 9 FROM org_officers f JOIN ${rows} c ON f.member_id = c.member_id
                UNION SELECT f.organization_id >> 9 FROM org_officers f JOIN ${rows} c ON c.member_id IS NULL AND f.member_id IS NULL
                         AND lower(f.surname || ' ' || f.name || ' ' || coalesce(f.patronymic, '')) = lower(c.surname || ' ' || c.name || ' ' || coalesce(c.patronymic, ''))
                UNION SELECT organization_id >> 9 FROM ${rows}),
              (SELECT min(least(elected_on, ended_on, trained_on)) FROM ${rows}));
    END IF;`));
  await knex.raw(`
    CREATE FUNCTION union_stats_forget_organizations() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE orgs int[];
    BEGIN
      IF NOT union_stats_kept('-infinity') THEN RETURN NULL; END IF;
      IF TG_OP = 'INSERT' THEN orgs := ARRAY(SELECT id FROM new_rows);
      ELSIF TG_OP = 'DELETE' THEN orgs := ARRAY(SELECT id FROM old_rows);
      ELSE orgs := ARRAY(SELECT n.id FROM old_rows o JOIN new_rows n USING (id)
                          WHERE (o.level, o.employer_kind, o.has_territorial_rights, o.created_on, o.liquidated_on, o.path, o.parent_id)
                                IS DISTINCT FROM (n.level, n.employer_kind, n.has_territorial_rights, n.created_on, n.liquidated_on, n.path, n.parent_id));
      END IF;
      PERFORM union_stats_forget(union_stats_blocks_near(orgs), '-infinity');
      RETURN NULL;
    END $$`);
  // the organizations' own rows: their blocks, from the earliest date they touch
  const ownRows = (table: string, since: (rows: string) => string) => onBothSides(table, (rows) => `
    IF union_stats_kept(${since(rows)}) THEN
      PERFORM union_stats_forget(ARRAY(SELECT DISTINCT organization_id >> 9 FROM ${rows}), ${since(rows)});
    END IF;`);
  await knex.raw(ownRows('org_headcounts', (rows) => `(SELECT min(as_of) FROM ${rows})`));
  for (const table of ['collective_agreements', 'agreement_annexes']) await knex.raw(ownRows(table, () => "'-infinity'"));
  await knex.raw(ownRows('reports', (rows) => `(SELECT min(report_date) FROM ${rows})`));
  for (const table of TABLES) await triggers(knex, table);

  // officers who are members take their sex and birth date from the card
  await knex.raw(`
    CREATE FUNCTION union_stats_forget_officer_person() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF union_stats_kept('-infinity') THEN
        PERFORM union_stats_forget(ARRAY(SELECT DISTINCT organization_id >> 9 FROM org_officers WHERE member_id = NEW.id), '-infinity');
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE TRIGGER union_stats_officer_person AFTER UPDATE OF sex, birth_date ON members
                  FOR EACH ROW WHEN (OLD.sex IS DISTINCT FROM NEW.sex OR OLD.birth_date IS DISTINCT FROM NEW.birth_date)
                  EXECUTE FUNCTION union_stats_forget_officer_person()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER union_stats_officer_person ON members');
  await knex.raw('DROP FUNCTION union_stats_forget_officer_person()');
  for (const table of TABLES) {
    for (const t of ['inserted', 'deleted', 'updated']) await knex.raw(`DROP TRIGGER union_stats_forget_${t} ON ${table}`);
    await knex.raw(`DROP FUNCTION union_stats_forget_${table}()`);
  }
  await knex.raw('DROP FUNCTION union_stats_forget_members(bigint[], int[], date)');
  await knex.raw('DROP FUNCTION union_stats_blocks_near(int[])');
  await knex.raw('DROP FUNCTION union_stats_forget(int[], date)');
  await knex.raw('DROP FUNCTION union_stats_kept(date)');
  await knex.raw('DROP INDEX org_officers_names_idx');
  await knex.raw('DROP INDEX organizations_block_idx');
  await knex.raw('DROP TABLE union_stats_fresh');
  await knex.raw('DROP TABLE union_stats');
}
