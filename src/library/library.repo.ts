import type { Knex } from 'knex';
import type { Role } from '../access/roles';
import type { Category, FileKind, SearchQuery, Visibility } from './library.schemas';
import { COUNT_CAP, HIT_END, HIT_START, PAGE_SIZE } from './library.schemas';

/** Who reads: the user's grants as the visibility rule needs them. */
export interface Reader {
  /** Every grant's organization path, with the grant's role (pairs). */
  grantPaths: string[];
  grantRoles: Role[];
  /** The paths of the grants that may manage the library (documents issued inside them). */
  managePaths: string[];
}

/**
 * The snippet's text: a window of the document's text around the first of the query's stems found in its first
 * SNIPPET_TEXT_CHARS characters (a substring search in the lower-cased text), so that ts_headline parses ~1,500
 * characters instead of 20,000 (the snippets of 20 long documents took ~100 ms). Without a hit there (or where
 * the text writes «ё» and the stem «е»: folding it cost more than the rest), the text's start.
 */
const SNIPPET_TEXT_CHARS = 20_000;
const SNIPPET_BEFORE_CHARS = 100;
const SNIPPET_WINDOW_CHARS = 1_500;
const HEADLINE_OPTIONS = `StartSel=${HIT_START}, StopSel=${HIT_END}, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "`;

/**
 * A document is visible to the whole union; to the subtree of an organization — users whose grants lie in
 * it, and those above it whose subtree holds it; to the holders of a role inside the issuing organization's
 * subtree; and always to those who may manage it. The same predicate filters the list, the search, its
 * count and every single document's page and download, so a document outside is absent everywhere.
 */
const VISIBLE = `(
  d.visibility = 'union'
  OR (d.visibility = 'subtree' AND (v.path <@ ANY(:grantPaths::ltree[]) OR v.path @> ANY(:grantPaths::ltree[])))
  OR (d.visibility = 'role' AND EXISTS (
        SELECT 1 FROM unnest(:grantPaths::ltree[], :grantRoles::text[]) AS g(path, role)
        WHERE g.role = d.visible_role AND g.path <@ i.path))
  OR i.path <@ ANY(:managePaths::ltree[])
)`;

const readerBindings = (r: Reader) => ({
  grantPaths: r.grantPaths,
  grantRoles: r.grantRoles,
  managePaths: r.managePaths,
});

const DOCUMENT_COLUMNS = `
  d.id, d.title, d.category, d.issued_on::text AS "issuedOn", d.number, d.tags, d.visibility,
  d.visible_role AS "visibleRole", d.text_state AS "textState", d.updated_at AS "updatedAt",
  d.superseded_by_id AS "supersededById",
  i.id AS "issuerId", i.inpo AS "issuerInpo", i.name AS "issuerName", i.level AS "issuerLevel", i.path::text AS "issuerPath",
  v.inpo AS "visibleInpo", v.name AS "visibleName",
  cur.version_no AS "versionNo", cur.kind, cur.size_bytes::float8 AS "sizeBytes", cur.file_name AS "fileName"`;

const FROM = `
  FROM library_documents d
  JOIN organizations i ON i.id = d.issuing_organization_id
  LEFT JOIN organizations v ON v.id = d.visible_organization_id`;
const CURRENT = `
  CROSS JOIN LATERAL (
    SELECT version_no, kind, size_bytes, file_name FROM library_versions
    WHERE document_id = d.id ORDER BY version_no DESC LIMIT 1
  ) cur`;

export interface DocumentRow {
  id: number;
  title: string;
  category: Category;
  issuedOn: string | null;
  number: string | null;
  tags: string[];
  visibility: Visibility;
  visibleRole: Role | null;
  textState: 'pending' | 'done' | 'failed';
  updatedAt: Date;
  supersededById: number | null;
  issuerId: number;
  issuerInpo: string;
  issuerName: string;
  issuerLevel: string;
  issuerPath: string;
  visibleInpo: string | null;
  visibleName: string | null;
  versionNo: number;
  kind: FileKind;
  sizeBytes: number;
  fileName: string;
}

export interface SearchRow extends DocumentRow {
  rank: number | null;
  snippet: string | null;
}

/**
 * Runs a text search with sequential scans priced out. The GIN index answers `@@` exactly (no recheck of the
 * row's vector); a sequential scan reads and unpacks every document's whole vector, out of line and tens of
 * kilobytes each, to test it. For a common word matching most documents the planner, which prices `@@` like
 * any cheap operator, picks the scan and the search took 250 ms more on 10,000 documents (docs/performance.md).
 */
async function indexFirst<T>(db: Knex, query: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return db.transaction(async (trx) => {
    await trx.raw('SET LOCAL enable_seqscan = off');
    return query(trx);
  });
}

/** The filters of the list as SQL conditions over `d`. */
function filters(q: SearchQuery) {
  const where: string[] = [];
  const bindings: Record<string, unknown> = {};
  if (q.category) {
    where.push('d.category = :category');
    bindings.category = q.category;
  }
  if (q.status === 'in_force') where.push('d.superseded_by_id IS NULL');
  if (q.status === 'superseded') where.push('d.superseded_by_id IS NOT NULL');
  if (q.tag) {
    where.push(':tag = ANY(d.tags)');
    bindings.tag = q.tag;
  }
  return { sql: where.map((w) => ` AND ${w}`).join(''), bindings };
}

/**
 * The query's words as a tsquery (TSQ); the same without its phrases (LOOSE), which the GIN index answers
 * exactly; whether it excludes a word (NEGATES); and their stems (STEMS, where the snippet is cut). A phrase — «"коллективного договора"», or a
 * hyphenated word, which the parser makes a phrase of its parts — can only be checked against the document's
 * whole vector (the index holds no positions): rechecking the 8,700 matches of a broad phrase read every one's
 * vector out of line (45 ms quiet, 150 ms busy). LOOSE is the query's positive part (`querytree` drops the
 * negations) with every phrase an AND: a superset of the matches, ranked first and checked exactly only as far
 * as the page needs. Without a phrase it is the query itself. All are expressions of the bound words, which
 * the planner folds to constants: it then estimates how many documents match (from a CTE's row it guessed 50,
 * and probed the organizations once per match of a broad word: 100 ms instead of 10).
 */
const TSQ = `websearch_to_tsquery('russian', :q)`;
const PHRASE = `'<(-|[0-9]+)>'`;
const LOOSE = `(CASE WHEN ${TSQ}::text ~ ${PHRASE} AND querytree(${TSQ}) <> 'T'
  THEN regexp_replace(querytree(${TSQ}), ${PHRASE}, '&', 'g')::tsquery ELSE ${TSQ} END)`;
const NEGATES = `(${TSQ}::text LIKE '%!%')`;
const STEMS = `tsvector_to_array(to_tsvector('russian', :q))`;

/**
 * The match in the title, number or tags; the rank of a match (title A, number and tags B, the text's opening D).
 * `title_search` is `search`'s beginning, positions and all: a title match is a match of the whole document
 * unless the query excludes a word (NEGATES), which the text may hold — only then is the whole vector read.
 */
const TITLE_MATCH = `d.title_search @@ ${TSQ}`;
const RANK = `ts_rank_cd(d.rank_search, ${TSQ})`;

/** The snippet of `d` around the first of the query's stems in its text (the options bound as :headlineOptions). */
const SNIPPET = `ts_headline('russian', CASE
    WHEN hit.at > ${SNIPPET_BEFORE_CHARS}
      THEN regexp_replace(substr(d.body_text, hit.at - ${SNIPPET_BEFORE_CHARS}, ${SNIPPET_WINDOW_CHARS}), '^\\S*\\s+', '')
    ELSE left(d.body_text, ${SNIPPET_WINDOW_CHARS}) END, ${TSQ}, :headlineOptions)`;
const SNIPPET_HIT = `CROSS JOIN LATERAL (
    SELECT coalesce(min(nullif(strpos(t.lowered, s.stem), 0)), 0) AS at
    FROM (SELECT lower(left(d.body_text, ${SNIPPET_TEXT_CHARS})) AS lowered) t,
         unnest(${STEMS}) AS s(stem)
  ) hit`;

/**
 * One page of the documents the reader may see. With words: those whose title, number, tags or text match
 * them in any grammatical form (the `russian` configuration's stems, `websearch_to_tsquery`: «"…"» for a
 * phrase, «-слово» to exclude), best first, each with a snippet of its text around the hits, cut only for
 * the page's rows. Without words: newest first.
 *
 * Best first is two tiers: the documents whose title, number or tags hold the words (a title match: its own
 * small vector and index, hundreds for a broad word), then those that only mention them in the text; within
 * a tier by `ts_rank_cd` over the compact vector (title A, number and tags B, the text's opening D). A title
 * match outranked a text-only one under the single ranking too unless the opening repeated the words ten
 * times, and now a broad word's page is served from its title matches without ranking the thousands of
 * others. The count stops at COUNT_CAP + 1 matches («более 1 000»): counting reads every match.
 */
export async function searchDocuments(
  db: Knex,
  reader: Reader,
  q: SearchQuery,
): Promise<{ rows: SearchRow[]; total: number; more: boolean }> {
  const f = filters(q);
  const offset = (q.page - 1) * PAGE_SIZE;
  const bindings = {
    ...readerBindings(reader),
    ...f.bindings,
    q: q.q,
    limit: PAGE_SIZE,
    offset,
    headlineOptions: HEADLINE_OPTIONS,
  };
  if (!q.q) {
    const [rows, count] = await Promise.all([
      db.raw(
        `SELECT ${DOCUMENT_COLUMNS}, NULL::real AS rank, NULL::text AS snippet ${FROM} ${CURRENT}
         WHERE ${VISIBLE}${f.sql}
         ORDER BY d.issued_on DESC NULLS LAST, d.id DESC LIMIT :limit OFFSET :offset`,
        bindings,
      ),
      db.raw(`SELECT count(*)::int AS total ${FROM} WHERE ${VISIBLE}${f.sql}`, bindings),
    ]);
    return { rows: rows.rows as SearchRow[], total: count.rows[0].total as number, more: false };
  }
  // a first page that is not full holds every match: its length is the total, and no second connection counts
  if (bindings.offset === 0) {
    const rows = await rankedPage(db, bindings, f.sql);
    if (rows.length < PAGE_SIZE) return { rows, total: rows.length, more: false };
    return { rows, ...(await countMatches(db, bindings, f.sql)) };
  }
  const [rows, total] = await Promise.all([rankedPage(db, bindings, f.sql), countMatches(db, bindings, f.sql)]);
  return { rows, ...total };
}

/**
 * The page's documents, best first, with their snippets, in one statement: every title match ranked; then, only
 * if the page reaches past them (the LIMIT is 0 otherwise, and the text matches are never read), the text
 * matches ranked over the loose query and checked exactly one by one in rank order until the page is full (the
 * `OFFSET 0` fence keeps that check above the sort). Most text matches hold the words only past the ranked
 * opening: their rank is 0, known from a test far cheaper than ranking (ts_rank_cd finds no cover where the
 * compact vector does not match).
 */
async function rankedPage(
  db: Knex,
  bindings: Record<string, unknown> & { offset: number; limit: number },
  where: string,
): Promise<SearchRow[]> {
  const r = await indexFirst(db, (trx) =>
    trx.raw(
      `WITH titled AS MATERIALIZED (
         SELECT d.id, ${RANK} AS rank, 0 AS tier ${FROM}
         WHERE ${TITLE_MATCH} AND (NOT ${NEGATES} OR d.search @@ ${TSQ}) AND ${VISIBLE}${where}
       ),
       texted AS MATERIALIZED (
         SELECT c.id, c.rank, 1 AS tier FROM (
           SELECT d.id, CASE WHEN d.rank_search @@ ${LOOSE} THEN ${RANK} ELSE 0 END AS rank ${FROM}
           WHERE d.search @@ ${LOOSE} AND NOT ${TITLE_MATCH} AND ${VISIBLE}${where}
           ORDER BY rank DESC, d.id DESC OFFSET 0
         ) c
         WHERE (SELECT s.search @@ ${TSQ} FROM library_documents s WHERE s.id = c.id)
         LIMIT greatest(:need - (SELECT count(*) FROM titled), 0)
       ),
       ranked AS (
         SELECT * FROM titled UNION ALL SELECT * FROM texted
         ORDER BY tier, rank DESC, id DESC LIMIT :limit OFFSET :offset
       )
       SELECT ${DOCUMENT_COLUMNS}, m.rank, ${SNIPPET} AS snippet
       FROM ranked m
       JOIN library_documents d ON d.id = m.id
       JOIN organizations i ON i.id = d.issuing_organization_id
       LEFT JOIN organizations v ON v.id = d.visible_organization_id
       ${CURRENT} ${SNIPPET_HIT}
       ORDER BY m.tier, m.rank DESC, d.id DESC`,
      { ...bindings, need: bindings.offset + bindings.limit },
    ),
  );
  return r.rows as SearchRow[];
}

/** The number of matches the reader sees, counted up to COUNT_CAP (`more` past it). */
async function countMatches(db: Knex, bindings: Record<string, unknown>, where: string) {
  const r = await indexFirst(db, (trx) =>
    trx.raw(
      `SELECT count(*)::int AS total FROM (
         SELECT 1 ${FROM} WHERE d.search @@ ${TSQ} AND ${VISIBLE}${where} LIMIT :cap
       ) m`,
      { ...bindings, cap: COUNT_CAP + 1 },
    ),
  );
  const total = r.rows[0].total as number;
  return { total: Math.min(total, COUNT_CAP), more: total > COUNT_CAP };
}

/** The document if the reader may see it (undefined otherwise, as for one that does not exist). */
export async function findVisibleDocument(db: Knex, reader: Reader, id: number): Promise<DocumentRow | undefined> {
  const r = await db.raw(`SELECT ${DOCUMENT_COLUMNS} ${FROM} ${CURRENT} WHERE d.id = :id AND ${VISIBLE}`, {
    ...readerBindings(reader),
    id,
  });
  return r.rows[0] as DocumentRow | undefined;
}

/** Which of these documents the reader sees, with their titles (the "superseded by" links). */
export async function visibleTitles(
  db: Knex,
  reader: Reader,
  ids: number[],
): Promise<Map<number, { id: number; title: string }>> {
  if (!ids.length) return new Map();
  const r = await db.raw(`SELECT d.id, d.title ${FROM} WHERE d.id = ANY(:ids::int[]) AND ${VISIBLE}`, {
    ...readerBindings(reader),
    ids,
  });
  return new Map((r.rows as { id: number; title: string }[]).map((row) => [row.id, row]));
}

export interface VersionRow {
  id: number;
  documentId: number;
  versionNo: number;
  fileName: string;
  kind: FileKind;
  sizeBytes: number;
  sha256: string;
  uploadedAt: Date;
  uploadedBy: string | null;
}

export async function listVersions(db: Knex, documentId: number): Promise<VersionRow[]> {
  const r = await db.raw(
    `SELECT lv.id, lv.document_id AS "documentId", lv.version_no AS "versionNo", lv.file_name AS "fileName", lv.kind,
            lv.size_bytes::float8 AS "sizeBytes", lv.sha256, lv.uploaded_at AS "uploadedAt", u.full_name AS "uploadedBy"
     FROM library_versions lv LEFT JOIN users u ON u.id = lv.uploaded_by
     WHERE lv.document_id = :documentId ORDER BY lv.version_no DESC`,
    { documentId },
  );
  return r.rows as VersionRow[];
}

export interface DocumentWrite {
  title: string;
  category: Category;
  issuingOrganizationId: number;
  issuedOn: string | null;
  number: string | null;
  tags: string[];
  visibility: Visibility;
  visibleOrganizationId: number | null;
  visibleRole: Role | null;
  supersededById: number | null;
}

const writeColumns = (w: DocumentWrite) => ({
  title: w.title,
  category: w.category,
  issuing_organization_id: w.issuingOrganizationId,
  issued_on: w.issuedOn,
  number: w.number,
  tags: w.tags,
  visibility: w.visibility,
  visible_organization_id: w.visibleOrganizationId,
  visible_role: w.visibleRole,
  superseded_by_id: w.supersededById,
});

export async function insertDocument(trx: Knex, w: DocumentWrite, userId: number): Promise<number> {
  const [row] = await trx('library_documents')
    .insert({ ...writeColumns(w), created_by: userId })
    .returning('id');
  return row.id as number;
}

/** Holds the document's row until the transaction ends: its versions are numbered and its edits audited one by one. */
export async function lockDocument(trx: Knex, id: number): Promise<void> {
  await trx.raw('SELECT 1 FROM library_documents WHERE id = ? FOR UPDATE', [id]);
}

export async function updateDocument(trx: Knex, id: number, w: DocumentWrite): Promise<void> {
  await trx('library_documents')
    .where({ id })
    .update({ ...writeColumns(w), updated_at: trx.fn.now() });
}

/** The next version of the document (the document row locked: two uploads at once number in turn). */
export async function insertVersion(
  trx: Knex,
  v: { documentId: number; fileName: string; kind: FileKind; sizeBytes: number; sha256: string; userId: number },
): Promise<{ id: number; versionNo: number }> {
  await lockDocument(trx, v.documentId);
  const r = await trx.raw(
    `INSERT INTO library_versions (document_id, version_no, file_name, kind, size_bytes, sha256, uploaded_by)
     SELECT :documentId, coalesce(max(version_no), 0) + 1, :fileName, :kind, :sizeBytes, :sha256, :userId
     FROM library_versions WHERE document_id = :documentId
     RETURNING id, version_no AS "versionNo"`,
    v,
  );
  await trx('library_documents')
    .where({ id: v.documentId })
    .update({ text_state: 'pending', updated_at: trx.fn.now() });
  return r.rows[0] as { id: number; versionNo: number };
}

export async function findVersion(db: Knex, documentId: number, versionNo: number): Promise<VersionRow | undefined> {
  return (await listVersions(db, documentId)).find((v) => v.versionNo === versionNo);
}

/** A version and whether it is its document's current one (for the text job). */
export async function versionForText(
  db: Knex,
  versionId: number,
): Promise<{ documentId: number; sha256: string; kind: FileKind; current: boolean } | undefined> {
  const r = await db.raw(
    `SELECT lv.document_id AS "documentId", lv.sha256, lv.kind,
            lv.version_no = (SELECT max(version_no) FROM library_versions WHERE document_id = lv.document_id) AS current
     FROM library_versions lv WHERE lv.id = ?`,
    [versionId],
  );
  return r.rows[0];
}

/** Stores the text of the version if it is still the document's current one. */
export async function saveText(db: Knex, versionId: number, text: string | null): Promise<void> {
  await db.raw(
    `UPDATE library_documents d SET body_text = coalesce(:text, d.body_text), text_state = :state
     FROM library_versions lv
     WHERE lv.id = :versionId AND d.id = lv.document_id
       AND lv.version_no = (SELECT max(version_no) FROM library_versions WHERE document_id = d.id)`,
    { versionId, text, state: text === null ? 'failed' : 'done' },
  );
}

/** An organization by ИНПО with its path (the issuer and the visibility of a document). */
export async function findOrgByInpo(
  db: Knex,
  inpo: string,
): Promise<{ id: number; inpo: string; name: string; path: string; level: string } | undefined> {
  return db('organizations').where({ inpo }).first('id', 'inpo', 'name', db.raw('path::text AS path'), 'level');
}

/** The tags in use among the documents the reader sees, most used first (the list's filter). */
export async function tagsInUse(db: Knex, reader: Reader): Promise<string[]> {
  const r = await db.raw(
    `SELECT t.tag FROM (SELECT unnest(d.tags) AS tag ${FROM} WHERE ${VISIBLE}) t
     GROUP BY t.tag ORDER BY count(*) DESC, t.tag LIMIT 30`,
    readerBindings(reader),
  );
  return (r.rows as { tag: string }[]).map((row) => row.tag);
}
