import type { Knex } from 'knex';
import { can, memberOrgRef, withinSubtrees, type OrgRef } from '../access/access';
import type { Principal } from '../access/principal';
import { diffValues, recordAudit, type AuditContext } from '../audit/audit';
import { inTransaction } from '../db/transaction';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../http/errors';
import { FILE_KINDS } from '../library/library.schemas';
import { createLibraryStore, type Upload } from '../library/library-files';
import { maskEmail, maskPhone } from '../members/contact-masks';
import { findOrgByInpo, type OrgRow } from '../registry/organizations.service';
import { experienceDays, experienceText } from './experience';
import {
  deleteDocument,
  deleteEntry,
  ensureFile,
  findDocument,
  findEntry,
  findFile,
  findPost,
  insertDocument,
  insertEntry,
  isOwnPerson,
  listDocuments,
  listEntries,
  personDetails,
  postsOf,
  updateEntry,
  updateNotes,
  type HeldPost,
  type PersonDetails,
  type PersonKey,
  type PostRow,
} from './officers.repo';
import { SECTIONS, type Section } from './sections';

const NO_PERSON =
  'Личное дело ведётся на человека: сначала укажите человека этого выборного лица (члена Профсоюза или по СНИЛС)';

/** The person whose file a post opens; none for an officer recorded before officers were people (a typed name). */
const keyOf = (post: PostRow): PersonKey | null =>
  post.memberId !== null || post.personId !== null ? { memberId: post.memberId, personId: post.personId } : null;

/** SNILS shown as its last two digits only: enough to tell two people apart, not to copy. */
const maskSnils = (snils: string | null) => (snils ? `***-***-*** ${snils.slice(-2)}` : '');

const orgRefOf = (p: HeldPost): OrgRef => ({ id: p.orgId, path: p.orgPath, level: p.orgLevel });

/** The organization of the person's card as the access rules see it; none for a non-member (a person by SNILS). */
const cardOrgOf = (person: PersonDetails | undefined): OrgRef | null =>
  person?.organizationId
    ? memberOrgRef({
        organizationId: person.organizationId,
        organizationPath: person.organizationPath!,
        organizationLevel: person.organizationLevel!,
      })
    : null;

/**
 * Whether the reader sees the person's personal data — contacts, birth date and the scans of their documents —
 * as on the card: `member.view` on the card's organization (a non-member's: the post's), not on the organization
 * of the post, which may be another one (an officer elected across organizations, or a card moved since).
 */
const seesPerson = (principal: Principal, org: OrgRef, person: PersonDetails | undefined) =>
  can(principal, 'member.view', cardOrgOf(person) ?? org);

/**
 * Officers' personnel files (issue 21, item 1), opened from a post the person holds now, or from the post held
 * last by one who holds none (`/orgs/{inpo}/officers/{postId}`, officerOpensFile): the officer's own
 * organizations upward read it. The route's loader has placed the organization inside the user's subtrees and
 * checked the action on it; a change also needs the action on the person's every other organization
 * (`keeps`); every change is one transaction with its audit row.
 */
export function createOfficersService(db: Knex, options: { libraryDir: string; maxBytes: number }) {
  const store = createLibraryStore(options.libraryDir);

  /** The post the URL names when it opens its person's file; a post the person has left since is «not found». */
  async function postOrThrow(org: OrgRow, postId: number, conn: Knex = db): Promise<PostRow> {
    const post = await findPost(conn, org.id, postId);
    if (!post || !post.opensFile) throw new NotFoundError();
    return post;
  }

  /**
   * Whether the user keeps the person's file: `officer.file.edit` on every organization whose post opens it (a
   * territorial chair does not keep the file of a ППО chair who also sits on the territory's committee, nor of
   * themself through a ППО they chaired before), and never the user's own file.
   */
  async function keeps(principal: Principal, key: PersonKey, posts: HeldPost[], conn: Knex = db) {
    const opening = posts.filter((p) => p.opensFile);
    if (!opening.every((p) => can(principal, 'officer.file.edit', orgRefOf(p)))) return false;
    return principal.memberId === null || !(await isOwnPerson(conn, principal.memberId, key));
  }

  /** The person whose file the user changes: 409 for a post without one, 403 for a user who does not keep it. */
  async function personOrThrow(principal: Principal, org: OrgRow, postId: number, conn: Knex = db) {
    const key = keyOf(await postOrThrow(org, postId, conn));
    if (!key) throw new ConflictError(NO_PERSON);
    if (!(await keeps(principal, key, await postsOf(conn, key), conn))) throw new ForbiddenError();
    return key;
  }

  /** The reserve names its organization by ИНПО: one of the user's subtrees (another's is «not found», as everywhere). */
  async function resolved(principal: Principal, section: Section, data: Record<string, unknown>, conn: Knex) {
    if (section.key !== 'reserve') return data;
    const target = await findOrgByInpo(conn, data.organizationInpo as string);
    if (!target || !withinSubtrees(principal, target))
      throw new ValidationError([{ field: 'organizationInpo', message: 'Организация с таким ИНПО не найдена' }]);
    return { ...data, organizationId: target.id };
  }

  /** What the audit row records of an entry: its fields as the form names them. */
  const audited = (section: Section, row: Record<string, unknown>) =>
    Object.fromEntries(
      [...Object.keys(section.columns), ...(section.key === 'reserve' ? ['organizationInpo'] : [])].map((k) => [
        k,
        row[k] ?? null,
      ]),
    );

  const audit = (
    trx: Knex.Transaction,
    ctx: AuditContext,
    org: OrgRow,
    fileId: number,
    action: string,
    values: { oldValues?: Record<string, unknown>; newValues?: Record<string, unknown> },
  ) => recordAudit(trx, ctx, { action, entity: 'officer_file', entityId: fileId, organizationId: org.id, ...values });

  /** An entry of the person's file for a change, locked until the transaction ends (404 for another file's). */
  async function lockedEntry(
    trx: Knex.Transaction,
    principal: Principal,
    org: OrgRow,
    postId: number,
    section: Section,
    entryId: number,
  ) {
    const file = await findFile(trx, await personOrThrow(principal, org, postId, trx), true);
    const entry = file && (await findEntry(trx, section, file.id, entryId, true));
    if (!file || !entry) throw new NotFoundError();
    return { file, entry };
  }

  return {
    /**
     * The file as its page shows it; `masked` for a reader who may not open the person's card (the statistician,
     * the chair of the post's organization when the card is in another), `mayEdit` for one who keeps it.
     */
    async file(ctx: AuditContext, principal: Principal, org: OrgRow, postId: number, today: string) {
      const post = await postOrThrow(org, postId);
      const key = keyOf(post);
      if (!key)
        return {
          post,
          person: null,
          posts: [],
          sections: [],
          documents: [],
          notes: '',
          experience: null,
          mayEdit: false,
        };
      const [person, posts, file] = await Promise.all([personDetails(db, key), postsOf(db, key), findFile(db, key)]);
      // a personnel file is read like a member card: who opened whose file, from which post, is on record
      await recordAudit(db, ctx, {
        action: 'officer.file.viewed',
        entity: 'org_officer',
        entityId: post.id,
        organizationId: org.id,
        newValues: { fileId: file?.id ?? null },
      });
      const [sections, documents] = await Promise.all([
        Promise.all(SECTIONS.map(async (s) => ({ section: s, rows: file ? await listEntries(db, s, file.id) : [] }))),
        file ? listDocuments(db, file.id) : [],
      ]);
      const manual = sections.find((s) => s.section.key === 'experience')!.rows;
      const days = experienceDays(
        [
          ...posts.map((p) => ({ from: p.electedOn, to: p.endedOn })),
          ...manual.map((e) => ({ from: e.startedOn as string, to: e.endedOn as string | null })),
        ],
        today,
      );
      const masked = !seesPerson(principal, org, person);
      return {
        post,
        person: person && {
          surname: person.surname,
          name: person.name,
          patronymic: person.patronymic,
          sex: person.sex,
          // a masked reader learns the age group the forms count, not the date
          birthDate: masked ? null : person.birthDate,
          birthYear: person.birthDate ? Number(person.birthDate.slice(0, 4)) : null,
          snils: masked ? maskSnils(person.snils) : person.snils,
          phone: masked ? maskPhone(person.phone) : person.phone,
          email: masked ? maskEmail(person.email) : person.email,
          masked,
          memberId: key.memberId,
          // the card's link when the reader may open it (the card of a member still on record)
          cardHref: key.memberId && cardOrgOf(person) && !person.leftOn && !masked ? `/members/${key.memberId}` : null,
        },
        // a post links to the file only where it opens it (a post left since does not)
        posts: posts.map((p) => ({ ...p, visible: p.opensFile && withinSubtrees(principal, { path: p.orgPath }) })),
        sections,
        documents,
        notes: file?.notes ?? '',
        experience: { days, text: experienceText(days) },
        mayEdit: await keeps(principal, key, posts),
      };
    },

    /** The post the URL names (one that opens its person's file). */
    post: (org: OrgRow, postId: number) => postOrThrow(org, postId),

    /** Refused unless the post names a person whose file the user keeps (409 without a person, 403 for another user). */
    async kept(principal: Principal, org: OrgRow, postId: number) {
      await personOrThrow(principal, org, postId);
    },

    /** One entry for its edit form (404 when it is not this person's). */
    async entry(principal: Principal, org: OrgRow, postId: number, section: Section, entryId: number) {
      const file = await findFile(db, await personOrThrow(principal, org, postId));
      const entry = file && (await findEntry(db, section, file.id, entryId));
      if (!entry) throw new NotFoundError();
      return entry;
    },

    async addEntry(
      ctx: AuditContext,
      principal: Principal,
      org: OrgRow,
      postId: number,
      section: Section,
      data: Record<string, unknown>,
    ) {
      await inTransaction(db, async (trx) => {
        const file = await ensureFile(trx, await personOrThrow(principal, org, postId, trx));
        const values = await resolved(principal, section, data, trx);
        const id = await insertEntry(trx, section, file.id, values);
        await audit(trx, ctx, org, file.id, 'officer.file.entry_added', {
          newValues: { section: section.key, entryId: id, ...audited(section, values) },
        });
      });
    },

    async updateEntry(
      ctx: AuditContext,
      principal: Principal,
      org: OrgRow,
      postId: number,
      section: Section,
      entryId: number,
      data: Record<string, unknown>,
    ) {
      await inTransaction(db, async (trx) => {
        const { file, entry } = await lockedEntry(trx, principal, org, postId, section, entryId);
        const values = await resolved(principal, section, data, trx);
        const { oldValues, newValues, changed } = diffValues(audited(section, entry), audited(section, values));
        if (!changed) return;
        await updateEntry(trx, section, entryId, values);
        await audit(trx, ctx, org, file.id, 'officer.file.entry_updated', {
          oldValues: { section: section.key, entryId, ...oldValues },
          newValues: { section: section.key, entryId, ...newValues },
        });
      });
    },

    async deleteEntry(
      ctx: AuditContext,
      principal: Principal,
      org: OrgRow,
      postId: number,
      section: Section,
      entryId: number,
    ) {
      await inTransaction(db, async (trx) => {
        const { file, entry } = await lockedEntry(trx, principal, org, postId, section, entryId);
        await deleteEntry(trx, section, entryId);
        await audit(trx, ctx, org, file.id, 'officer.file.entry_deleted', {
          oldValues: { section: section.key, entryId, ...audited(section, entry) },
        });
      });
    },

    async saveNotes(ctx: AuditContext, principal: Principal, org: OrgRow, postId: number, notes: string) {
      await inTransaction(db, async (trx) => {
        const file = await ensureFile(trx, await personOrThrow(principal, org, postId, trx));
        if (file.notes === notes) return;
        await updateNotes(trx, file.id, notes);
        await audit(trx, ctx, org, file.id, 'officer.file.notes_updated', {
          oldValues: { notes: file.notes },
          newValues: { notes },
        });
      });
    },

    /** A document attached: checked by its content and size, kept in the library's store under its checksum. */
    async attach(
      ctx: AuditContext,
      principal: Principal,
      org: OrgRow,
      postId: number,
      title: string,
      upload: Upload | undefined,
    ) {
      const key = await personOrThrow(principal, org, postId);
      const stored = await store.accept(upload, options.maxBytes);
      await inTransaction(db, async (trx) => {
        const file = await ensureFile(trx, key);
        const id = await insertDocument(trx, file.id, { title, ...stored }, principal.id);
        await audit(trx, ctx, org, file.id, 'officer.file.document_attached', {
          newValues: { documentId: id, title, fileName: stored.fileName, sha256: stored.sha256 },
        });
      });
    },

    /** The file stays in the store: another file or the library may hold the same content. */
    async removeDocument(ctx: AuditContext, principal: Principal, org: OrgRow, postId: number, documentId: number) {
      await inTransaction(db, async (trx) => {
        const file = await findFile(trx, await personOrThrow(principal, org, postId, trx), true);
        const doc = file && (await findDocument(trx, file.id, documentId, true));
        if (!file || !doc) throw new NotFoundError();
        await deleteDocument(trx, documentId);
        await audit(trx, ctx, org, file.id, 'officer.file.document_removed', {
          oldValues: { documentId, title: doc.title, fileName: doc.fileName, sha256: doc.sha256 },
        });
      });
    },

    /**
     * A document to stream, to a reader who sees the person unmasked (a scan of a diploma or a passport carries
     * what the masks hide); every download of a personnel file's document is audited before a byte leaves.
     */
    async download(ctx: AuditContext, principal: Principal, org: OrgRow, postId: number, documentId: number) {
      const key = keyOf(await postOrThrow(org, postId));
      if (!key) throw new NotFoundError();
      if (!seesPerson(principal, org, await personDetails(db, key))) throw new ForbiddenError();
      const file = await findFile(db, key);
      const doc = file && (await findDocument(db, file.id, documentId));
      if (!file || !doc) throw new NotFoundError();
      const stored = await store.stat(doc.sha256);
      if (!stored) throw new NotFoundError('Файл документа не найден в хранилище: сообщите администратору');
      await recordAudit(db, ctx, {
        action: 'officer.file.document_downloaded',
        entity: 'officer_file',
        entityId: file.id,
        organizationId: org.id,
        newValues: { documentId, fileName: doc.fileName, sha256: doc.sha256 },
      });
      return { ...stored, fileName: doc.fileName, type: FILE_KINDS[doc.kind].mime };
    },
  };
}

export type OfficersService = ReturnType<typeof createOfficersService>;
