import type { Knex } from 'knex';
import type { OfficerPost } from '../registry/officer-posts';
import { currentOfficerNames, officerOpensFile } from '../registry/passport.repo';
import type { Section } from './sections';

/** Whose personnel file: a member card or a non-member person (exactly one). */
export interface PersonKey {
  memberId: number | null;
  personId: number | null;
}

export interface PostRow extends PersonKey {
  id: number;
  organizationId: number;
  post: OfficerPost;
  surname: string;
  name: string;
  patronymic: string | null;
  /** the post opens its person's file (held now, or held last): officerOpensFile */
  opensFile: boolean;
}

/** One post (org_officers row) of the organization, with the names its person has now. */
export async function findPost(db: Knex, organizationId: number, id: number): Promise<PostRow | undefined> {
  return db('org_officers as f')
    .leftJoin('members as m', 'm.id', 'f.member_id')
    .leftJoin('persons as p', 'p.id', 'f.person_id')
    .where({ 'f.organization_id': organizationId, 'f.id': id })
    .first({
      id: 'f.id',
      organizationId: 'f.organization_id',
      post: 'f.post',
      memberId: 'f.member_id',
      personId: 'f.person_id',
      ...currentOfficerNames(db),
      opensFile: officerOpensFile(db),
    });
}

const personWhere = (q: Knex.QueryBuilder, key: PersonKey, prefix: string) =>
  key.memberId !== null ? q.where(`${prefix}member_id`, key.memberId) : q.where(`${prefix}person_id`, key.personId);

export interface HeldPost {
  id: number;
  post: OfficerPost;
  electedOn: string;
  termUntil: string | null;
  endedOn: string | null;
  protocolNumber: string | null;
  protocolDate: string | null;
  orgId: number;
  orgInpo: string;
  orgName: string;
  orgPath: string;
  orgLevel: string;
  opensFile: boolean;
}

/** Every post the person holds or held, in every organization of the union, newest first. */
export async function postsOf(db: Knex, key: PersonKey): Promise<HeldPost[]> {
  return personWhere(db('org_officers as f').join('organizations as o', 'o.id', 'f.organization_id'), key, 'f.')
    .orderBy([
      { column: 'f.elected_on', order: 'desc' },
      { column: 'f.id', order: 'desc' },
    ])
    .select({
      id: 'f.id',
      post: 'f.post',
      electedOn: 'f.elected_on',
      termUntil: 'f.term_until',
      endedOn: 'f.ended_on',
      protocolNumber: 'f.protocol_number',
      protocolDate: 'f.protocol_date',
      orgId: 'o.id',
      orgInpo: 'o.inpo',
      orgName: 'o.name',
      orgPath: db.raw('o.path::text'),
      orgLevel: 'o.level',
      opensFile: officerOpensFile(db),
    });
}

/**
 * Whether the user's own card is this file's person: the same card, or a card with the person's SNILS (the
 * non-member officer of the file who has since joined, or a duplicate card not merged yet).
 */
export async function isOwnPerson(db: Knex, userMemberId: number, key: PersonKey): Promise<boolean> {
  if (key.memberId === userMemberId) return true;
  const snils =
    key.memberId !== null
      ? db('members').where('id', key.memberId).select('snils')
      : db('persons').where('id', key.personId).select('snils');
  return (await db('members').where('id', userMemberId).whereIn('snils', snils).first('id')) !== undefined;
}

export interface PersonDetails {
  surname: string;
  name: string;
  patronymic: string | null;
  sex: 'm' | 'f' | null;
  birthDate: string | null;
  snils: string | null;
  phone: string | null;
  email: string | null;
  /** the card's organization (a member), for the access rules of the link to the card */
  organizationId: number | null;
  organizationPath: string | null;
  organizationLevel: string | null;
  leftOn: string | null;
}

export async function personDetails(db: Knex, key: PersonKey): Promise<PersonDetails | undefined> {
  if (key.memberId !== null)
    return db('members as m')
      .join('organizations as o', 'o.id', 'm.organization_id')
      .where('m.id', key.memberId)
      .first({
        surname: 'm.surname',
        name: 'm.name',
        patronymic: 'm.patronymic',
        sex: 'm.sex',
        birthDate: 'm.birth_date',
        snils: 'm.snils',
        phone: 'm.phone',
        email: 'm.email',
        organizationId: 'o.id',
        organizationPath: db.raw('o.path::text'),
        organizationLevel: 'o.level',
        leftOn: 'm.left_on',
      });
  return db('persons')
    .where('id', key.personId)
    .first({
      surname: 'surname',
      name: 'name',
      patronymic: 'patronymic',
      sex: 'sex',
      birthDate: 'birth_date',
      snils: 'snils',
      phone: db.raw('NULL'),
      email: db.raw('NULL'),
      organizationId: db.raw('NULL'),
      organizationPath: db.raw('NULL'),
      organizationLevel: db.raw('NULL'),
      leftOn: db.raw('NULL'),
    });
}

export interface FileRow {
  id: number;
  notes: string;
}

export async function findFile(db: Knex, key: PersonKey, lock = false): Promise<FileRow | undefined> {
  const query = personWhere(db('officer_files'), key, '');
  if (lock) query.forUpdate();
  return query.first('id', 'notes');
}

/** The person's file, created on its first entry (two first entries at once meet at the unique key: one inserts). */
export async function ensureFile(trx: Knex.Transaction, key: PersonKey): Promise<FileRow> {
  await trx('officer_files')
    .insert({ member_id: key.memberId, person_id: key.personId })
    .onConflict(key.memberId !== null ? 'member_id' : 'person_id')
    .ignore();
  return (await findFile(trx, key, true))!;
}

export async function updateNotes(trx: Knex.Transaction, fileId: number, notes: string) {
  await trx('officer_files').where({ id: fileId }).update({ notes, updated_at: trx.fn.now() });
}

export type EntryRow = Record<string, unknown> & { id: number };

/** A section's columns as the form's fields, with the reserve's organization named. */
function entries(db: Knex, section: Section) {
  const query = db(`${section.table} as e`).select({
    id: 'e.id',
    ...Object.fromEntries(Object.entries(section.columns).map(([field, column]) => [field, `e.${column}`])),
  });
  if (section.key === 'reserve')
    query
      .join('organizations as o', 'o.id', 'e.organization_id')
      .select({ organizationInpo: 'o.inpo', organizationName: 'o.name' });
  return query;
}

export async function listEntries(db: Knex, section: Section, fileId: number): Promise<EntryRow[]> {
  return entries(db, section)
    .where('e.file_id', fileId)
    .orderByRaw(
      section.orderBy
        .split(',')
        .map((part) => `e.${part.trim()}`)
        .join(', '),
    );
}

/** One row of the file's section; `lock` keeps it from changing until the transaction ends. */
export async function findEntry(
  db: Knex,
  section: Section,
  fileId: number,
  id: number,
  lock = false,
): Promise<EntryRow | undefined> {
  const query = entries(db, section).where({ 'e.file_id': fileId, 'e.id': id });
  if (lock) query.forUpdate();
  return query.first();
}

const columnsOf = (section: Section, values: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(section.columns).map(([field, column]) => [column, values[field] ?? null]));

export async function insertEntry(
  trx: Knex.Transaction,
  section: Section,
  fileId: number,
  values: Record<string, unknown>,
): Promise<number> {
  const [row] = await trx(section.table)
    .insert({ file_id: fileId, ...columnsOf(section, values) })
    .returning('id');
  return row.id as number;
}

export async function updateEntry(
  trx: Knex.Transaction,
  section: Section,
  id: number,
  values: Record<string, unknown>,
) {
  await trx(section.table).where({ id }).update(columnsOf(section, values));
}

export async function deleteEntry(trx: Knex.Transaction, section: Section, id: number) {
  await trx(section.table).where({ id }).delete();
}

export interface DocumentRow {
  id: number;
  title: string;
  fileName: string;
  kind: 'pdf' | 'docx' | 'xlsx' | 'odt';
  sizeBytes: number;
  sha256: string;
  uploadedAt: Date;
}

const DOCUMENT_COLUMNS = {
  id: 'id',
  title: 'title',
  fileName: 'file_name',
  kind: 'kind',
  sizeBytes: 'size_bytes',
  sha256: 'sha256',
  uploadedAt: 'uploaded_at',
};

export async function listDocuments(db: Knex, fileId: number): Promise<DocumentRow[]> {
  return db('officer_documents')
    .where({ file_id: fileId })
    .orderBy([
      { column: 'uploaded_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .select(DOCUMENT_COLUMNS);
}

export async function findDocument(db: Knex, fileId: number, id: number, lock = false) {
  const query = db('officer_documents').where({ file_id: fileId, id });
  if (lock) query.forUpdate();
  return query.first(DOCUMENT_COLUMNS) as Promise<DocumentRow | undefined>;
}

export async function insertDocument(
  trx: Knex.Transaction,
  fileId: number,
  doc: Pick<DocumentRow, 'title' | 'fileName' | 'kind' | 'sizeBytes' | 'sha256'>,
  userId: number | null,
): Promise<number> {
  const [row] = await trx('officer_documents')
    .insert({
      file_id: fileId,
      title: doc.title,
      file_name: doc.fileName,
      kind: doc.kind,
      size_bytes: doc.sizeBytes,
      sha256: doc.sha256,
      uploaded_by: userId,
    })
    .returning('id');
  return row.id as number;
}

export async function deleteDocument(trx: Knex.Transaction, id: number) {
  await trx('officer_documents').where({ id }).delete();
}
