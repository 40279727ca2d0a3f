import { MATCH_KEY_DROPPED, MATCH_KEY_REPLACED, MATCH_KEY_SEPARATORS, regexClassOf } from '../db/shared-constants';

// The TypeScript twin of the database's match_key(text) (the rule is described in src/db/shared-constants.ts):
// what the application compares itself — advisory lock keys, an import's names, spreadsheet labels — and
// the search text it hands to SQL go through the same steps as the indexed columns.

const DROPPED = new RegExp(regexClassOf(MATCH_KEY_DROPPED), 'g');
const SEPARATORS = new RegExp(`${regexClassOf(MATCH_KEY_SEPARATORS)}+`, 'g');

/** The text as names are compared: case, ё/е, quotes, spacing and hyphens ignored; the spelling shown is never this. */
export function matchKey(text: string): string {
  return MATCH_KEY_REPLACED.reduce((key, [from, to]) => key.replaceAll(from, to), text.toLowerCase())
    .replace(DROPPED, '')
    .replace(SEPARATORS, ' ')
    .replace(/^ | $/g, '') // the separators are one space each by now: btrim(…, ' ') in SQL
    .replaceAll(' №', '№')
    .replaceAll('№ ', '№');
}

/**
 * A LIKE pattern finding the typed fragment anywhere in a match_key()ed column (its trigram index serves it),
 * or null when nothing but separators was typed.
 */
export function containsPattern(typed: string): string | null {
  const key = matchKey(typed);
  return key ? `%${key.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
}
