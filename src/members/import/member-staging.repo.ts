import type { Knex } from 'knex';
import { copyInto, copyLine } from '../../db/copy';
import type { AdmissionTermsInput, CardInput } from '../members.schemas';

const COLUMNS = [
  'line',
  'organization_id',
  'surname',
  'name',
  'patronymic',
  'sex',
  'birth_date',
  'category',
  'is_pedagogical',
  'position',
  'phone',
  'email',
  'snils',
  'joined_on',
];
// A COPY per 64 KiB (about 800 rows). knex's 1,000-row INSERTs (14,000 bindings each) left 35 MB of
// old-space garbage per 100,000 rows (sampling heap profile: its positional-binding replace, the row objects,
// the pg dialect). Between two COPYs the connection is free for the organization look-ups of the same transaction.
const CHUNK_BYTES = 64 * 1024;

/** The temporary tables of the file's rows and of the members created from them, dropped with the transaction. */
export async function createStagingTables(trx: Knex.Transaction): Promise<void> {
  await trx.raw(`
    CREATE TEMP TABLE member_import (
      line integer PRIMARY KEY, organization_id integer NOT NULL, surname text COLLATE "ru-RU-x-icu", name text COLLATE "ru-RU-x-icu",
      patronymic text COLLATE "ru-RU-x-icu", sex char(1), birth_date date, category text, is_pedagogical boolean, position text,
      phone text, email text, snils text, joined_on date, document_number text, skip boolean NOT NULL DEFAULT false
    ) ON COMMIT DROP`);
  await trx.raw('CREATE TEMP TABLE member_import_created (id bigint PRIMARY KEY) ON COMMIT DROP');
}

/**
 * Collects rows as COPY text and sends them a chunk at a time; `flush` sends the rest. Each row's line is
 * encoded into the chunk's buffer at once: kept as text until the chunk was sent, the ~800 lines of a
 * chunk lived through the young generation's collections of their rows' parsing and were copied into
 * old space (sampling heap profile of a 100,000-row XLSX import: 12 MB of the 38 MB that reached it).
 */
export function memberStager(trx: Knex.Transaction) {
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
  const flush = async () => {
    if (!used) return;
    const data = chunk.subarray(0, used);
    chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    used = 0;
    await copyInto(trx, 'member_import', COLUMNS, (write) => write(data));
  };
  /** One checked row of the file, its person registered in `organizationId`. */
  const add = async (line: number, organizationId: number, d: CardInput, terms: AdmissionTermsInput) => {
    const text = copyLine([
      line,
      organizationId,
      d.surname,
      d.name,
      d.patronymic,
      d.sex,
      d.birthDate,
      d.category,
      d.isPedagogical,
      d.position,
      d.phone,
      d.email,
      d.snils,
      terms.joinedOn,
    ]);
    const bytes = Buffer.byteLength(text);
    if (used + bytes > chunk.length) await flush();
    if (bytes > chunk.length) chunk = Buffer.allocUnsafe(bytes); // a row longer than a chunk is a chunk of its own
    used += chunk.write(text, used);
  };
  return { add, flush };
}

/** A page of the issues a query over the staged rows finds (by line), with how many it found in all. */
export interface IssuePage<T> {
  rows: T[];
  found: number;
}

async function issuePage(
  trx: Knex.Transaction,
  sql: string,
  limit: number,
): Promise<IssuePage<Record<string, unknown>>> {
  const { rows } = await trx.raw(`SELECT *, count(*) OVER () AS found FROM (${sql}) issues ORDER BY line LIMIT ?`, [
    limit,
  ]);
  return { rows, found: Number(rows[0]?.found ?? 0) };
}

/** Lines that repeat an earlier line's person (name and birth date), with that first line. */
export async function sameRowsInFile(
  trx: Knex.Transaction,
  limit: number,
): Promise<IssuePage<{ line: number; first: number }>> {
  const { rows, found } = await issuePage(
    trx,
    `
        SELECT line, first FROM (SELECT line, min(line) OVER (PARTITION BY match_key(surname), match_key(name), birth_date) AS first FROM member_import) x
         WHERE line <> first`,
    limit,
  );
  return { rows: rows.map((r) => ({ line: Number(r.line), first: Number(r.first) })), found };
}

/** Rows whose person is already on record in the same organization are skipped, not admitted twice. */
export async function skipRowsOnRecord(trx: Knex.Transaction): Promise<void> {
  await trx.raw(`
        UPDATE member_import i SET skip = true FROM members m
         WHERE match_key(m.surname) = match_key(i.surname) AND match_key(m.name) = match_key(i.name) AND m.birth_date = i.birth_date
           AND m.organization_id = i.organization_id AND m.left_on IS NULL`);
}

/**
 * The card each remaining row finds, by person or by SNILS, marked inside or outside the reader's subtrees
 * (`viewPaths`). The two ways go each through its own index (an OR in one join became a nested loop of
 * every row by every card when the statistics were stale: 85 s for 10,000 rows).
 */
export async function createMatches(trx: Knex.Transaction, viewPaths: string[]): Promise<void> {
  await trx.raw(
    `
        CREATE TEMP TABLE member_import_matches ON COMMIT DROP AS
        SELECT DISTINCT ON (x.line) x.line, x.member_id, o.id AS organization_id, o.name AS org_name, o.path <@ ANY(?::ltree[]) AS inside, x.matched
          FROM (SELECT i.line, m.id AS member_id, m.organization_id, 'person' AS matched
                  FROM member_import i JOIN members m ON match_key(m.surname) = match_key(i.surname) AND match_key(m.name) = match_key(i.name) AND m.birth_date = i.birth_date
                 WHERE NOT i.skip AND m.left_on IS NULL
                UNION ALL
                SELECT i.line, m.id, m.organization_id, CASE WHEN match_key(m.surname) = match_key(i.surname) AND m.birth_date = i.birth_date THEN 'person' ELSE 'snils' END
                  FROM member_import i JOIN members m ON m.snils = i.snils
                 WHERE NOT i.skip AND m.left_on IS NULL) x
          JOIN organizations o ON o.id = x.organization_id
         ORDER BY x.line, inside DESC, x.matched`,
    [viewPaths],
  );
}

export interface MatchedRow {
  line: number;
  orgName: string;
  inside: boolean;
  matched: 'person' | 'snils';
}

/** The rows that found a card (createMatches), with its organization's name. */
export async function matchedRows(trx: Knex.Transaction, limit: number): Promise<IssuePage<MatchedRow>> {
  const { rows, found } = await issuePage(
    trx,
    'SELECT line, org_name, inside, matched FROM member_import_matches',
    limit,
  );
  return {
    rows: rows.map((r) => ({
      line: Number(r.line),
      orgName: r.org_name as string,
      inside: r.inside as boolean,
      matched: r.matched as MatchedRow['matched'],
    })),
    found,
  };
}

export async function countSkippedRows(trx: Knex.Transaction): Promise<number> {
  const skipped = await trx('member_import').where({ skip: true }).count<{ count: number }[]>('* as count');
  return Number(skipped[0]!.count);
}

/** How many rows found a card outside the reader's subtrees. */
export async function countMatchesElsewhere(trx: Knex.Transaction): Promise<number> {
  return Number((await trx('member_import_matches').where({ inside: false }).count('* as count').first())?.count ?? 0);
}

/** The first `limit` cards found outside the reader's subtrees, by line. */
export async function listMatchesElsewhere(
  trx: Knex.Transaction,
  limit: number,
): Promise<{ memberId: number; organizationId: number }[]> {
  const matches = await trx('member_import_matches')
    .where({ inside: false })
    .orderBy('line')
    .limit(limit)
    .select({ memberId: 'member_id', organizationId: 'organization_id' });
  return matches.map((m) => ({ memberId: Number(m.memberId), organizationId: Number(m.organizationId) }));
}

/** Members, their periods and admission events from the staged rows, each one INSERT … SELECT; returns how many. */
export async function insertStagedMembers(trx: Knex.Transaction, actorUserId: number | null): Promise<number> {
  const { rowCount } = await trx.raw(
    `
    WITH created AS (
      INSERT INTO members (organization_id, surname, name, patronymic, sex, birth_date, category, is_pedagogical, position, phone, email, snils, joined_on)
      SELECT organization_id, surname, name, patronymic, sex, birth_date, category, is_pedagogical, position, phone, email, snils, joined_on
        FROM member_import WHERE NOT skip ORDER BY line
      RETURNING id, organization_id, category, is_pedagogical, joined_on),
    periods AS (
      INSERT INTO member_periods (member_id, organization_id, category, is_pedagogical, valid_from)
      SELECT id, organization_id, category, is_pedagogical, joined_on FROM created),
    events AS (
      INSERT INTO membership_events (member_id, kind, happened_on, to_organization_id, category, reason, actor_user_id)
      SELECT id, 'admitted', joined_on, organization_id, category, 'Загрузка из файла', :actor FROM created)
    INSERT INTO member_import_created (id) SELECT id FROM created`,
    { actor: actorUserId },
  );
  return Number(rowCount);
}

/** The ids of the members insertStagedMembers created, as a subquery (for their audit rows). */
export const createdMembers = (trx: Knex.Transaction) => trx('member_import_created').select('id');
