// The library's search ranks in two tiers (issue 20, "search p95 < 100 ms"): documents whose title, number or
// tags hold the words come first, then those that only mention them in the text. `title_search` is the Russian
// vector of just the title (A) and the number and tags (B) — a few lexemes, stored inline — with a GIN index of
// its own: a broad word's title matches (hundreds) are found and ranked without reading the thousands of
// documents whose text mentions it, and "not a title match" is tested on this small vector, never on the text's.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE library_documents ADD COLUMN title_search tsvector GENERATED ALWAYS AS (
      setweight(to_tsvector('russian', title), 'A') ||
      setweight(to_tsvector('russian', coalesce(number, '') || ' ' || library_tags_text(tags)), 'B')
    ) STORED`);
  await knex.raw('CREATE INDEX library_documents_title_search_idx ON library_documents USING gin (title_search)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE library_documents DROP COLUMN title_search');
}
