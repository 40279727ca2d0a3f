// Issue 16, item 5: «Ёжова Елена Андреевна 10.10.1979» was admitted beside «Ежова …» and "семенова" did not
// find «Семёнова»: searches and duplicate checks compared lower() of the spelling. match_key() is the one
// comparison rule (src/db/shared-constants.ts; its TypeScript twin src/shared/match-key.ts), IMMUTABLE so
// that expression indexes carry it — the columns keep the spelling as entered. Its lower() takes the ICU
// Russian collation whatever the caller's: under a libc "C" locale lower() folds only ASCII. A SQL body is
// inlined by the planner, so an index on match_key(col) serves `match_key(col) = match_key($1)` and LIKE.
import type { Knex } from 'knex';
import { MATCH_KEY_DROPPED, MATCH_KEY_REPLACED, MATCH_KEY_SEPARATORS, regexClassOf } from '../src/db/shared-constants';

const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

export async function up(knex: Knex): Promise<void> {
  const lowered = 'lower(t COLLATE "ru-RU-x-icu")';
  const folded = MATCH_KEY_REPLACED.reduce((sql, [from, to]) => `replace(${sql}, ${literal(from)}, ${literal(to)})`, lowered);
  const kept = `regexp_replace(${folded}, ${literal(regexClassOf(MATCH_KEY_DROPPED))}, '', 'g')`;
  const spaced = `btrim(regexp_replace(${kept}, ${literal(`${regexClassOf(MATCH_KEY_SEPARATORS)}+`)}, ' ', 'g'), ' ')`;
  await knex.raw(`
    CREATE OR REPLACE FUNCTION match_key(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN replace(replace(${spaced}, ' №', '№'), '№ ', '№')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION match_key(text)');
}
