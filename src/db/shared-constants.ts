// Values that the database's own functions and triggers and the application must agree on. A new
// migration imports them from here instead of writing the number again; the migrations that landed
// before this module hold copies they must keep (a landed migration is never edited), and
// test/integration/shared-constants.test.ts fails when the installed functions disagree with these.

/**
 * Transaction-scoped advisory lock keys of the maintained statistics: a builder holds its key exclusively
 * while it recomputes, every change to a table the statistics depend on takes it shared (through the
 * trigger functions), so a build never stores figures older than a change that committed before it.
 * Changes take the member state's lock before the union's, the order every path follows.
 */
export const MEMBER_STATE_LOCK = 748201;
export const UNION_STATS_LOCK = 748202;

/** The union's maintained statistics are kept per block of 2^BLOCK_BITS consecutive organization ids (`id >> BLOCK_BITS`). */
export const BLOCK_BITS = 9;

/**
 * The columns of member_periods the member state of a date is grouped by (member-state-cache.ts), besides
 * the youth of each period on the date. They carry an `ndistinct` statistic (migration
 * count-member-state-groups): without it the planner multiplied the columns' own distinct counts, as if a
 * card's ППО did not follow from its organization (a part of a build at 4 M members: 2.84 M groups expected, 286,180 found).
 */
export const MEMBER_STATE_GROUP_COLUMNS = [
  'organization_id',
  'ppo_id',
  'category',
  'is_pedagogical',
  'on_parental_leave',
  'sex',
] as const;

/** The setting a restructuring transaction dates its tree changes with; org_tree_history's trigger reads it. */
export const TREE_CHANGE_ON_SETTING = 'reestr.tree_change_on';

/** The application's login role, which the migrations grant its rights to. */
export const APP_ROLE = 'reestr_app';

/**
 * The tables the application may have ANALYZEd after it has rewritten much of them (bulk imports, retention
 * batches, the maintained statistics' builds), through the owner's SECURITY DEFINER function
 * `analyze_tables` (migration add-analyze-tables): ANALYZE needs the table's owner, and the app's role owns
 * nothing. A migration that adds a table here replaces the function with the new list.
 */
export const ANALYZABLE_TABLES = [
  'members',
  'member_periods',
  'membership_events',
  'member_counts',
  'member_consents',
  'organizations',
  'org_tree_history',
  'org_officers',
  'org_events',
  'persons',
  'audit_log',
  'import_reports',
  'member_state_cache',
  'member_state_cached_orgs',
  'member_state_claims',
  'union_stats',
  'union_stats_fresh',
  'union_stats_claims',
  'mailing_recipients',
] as const;

/**
 * The one rule by which names are compared (issue 16, item 5): «Ёжова» and «ежова», «Петрова-Водкина» and
 * «петрова  водкина», «Школа "Радуга" №5» and «школа радуга № 5» are one key. The database's `match_key(text)`
 * (migration create-match-key, which builds its body from these values) and `matchKey` of
 * src/shared/match-key.ts apply it; test/integration/match-key.test.ts feeds both the same tricky inputs.
 * Steps: lower case (Russian rules); the replacements below in order (ё → е, also typed as е + a combining
 * diaeresis; final sigma → sigma, so the two lower-casings cannot differ); quotes and apostrophes dropped;
 * every run of spaces, hyphens and dashes → one space; trimmed; no space next to «№». Only replace() and two
 * regular expressions over plain characters: translate() over the same characters cost twice as much per row
 * (4 M rows per index build, and per rewrite of members.surname_key, the stored key the surname search reads),
 * and a combining mark in a regular expression's class four times as much.
 */
export const MATCH_KEY_REPLACED: readonly (readonly [string, string])[] = [
  ['ё', 'е'],
  ['е\u0308', 'е'],
  ['ς', 'σ'],
];
/** Dropped: quotes and apostrophes, the invisible soft hyphen and zero-width space. */
export const MATCH_KEY_DROPPED = '«»"“”„‟‘’‚‛`\'ʼ\u00ad\u200b';
/** Whitespace (with no-break and typographic spaces) and the hyphens, dashes and minus people type in names. */
export const MATCH_KEY_SEPARATORS =
  ' \t\n\v\f\r\u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff' +
  '-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d';

/** A regular-expression class of `chars` with \uXXXX escapes, read alike by JavaScript and PostgreSQL. */
export function regexClassOf(chars: string): string {
  return `[${[...chars].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}]`;
}
