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
// A COPY per 64 KiB of text (about 800 rows). knex's 1,000-row INSERTs (14,000 bindings each) left
// 35 MB of old-space garbage per 100,000 rows (sampling heap profile: its positional-binding replace,
// the row objects, the pg dialect); the COPY text of the same rows about 8 MB. Between two COPYs the
// connection is free for the organization look-ups of the same transaction.
const CHUNK_CHARS = 64 * 1024;

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

/** Collects rows as COPY text and sends them a chunk at a time; `flush` sends the rest. */
export function memberStager(trx: Knex.Transaction) {
  let chunk = '';
  const flush = async () => {
    if (!chunk) return;
    const text = chunk;
    chunk = '';
    await copyInto(trx, 'member_import', COLUMNS, (write) => write(text));
  };
  /** One checked row of the file, its person registered in `organizationId`. */
  const add = async (line: number, organizationId: number, d: CardInput, terms: AdmissionTermsInput) => {
    chunk += copyLine([
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
    if (chunk.length >= CHUNK_CHARS) await flush();
  };
  return { add, flush };
}
