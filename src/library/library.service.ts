import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { can, withinSubtrees } from '../access/access';
import type { Principal } from '../access/principal';
import { roleMay } from '../access/roles';
import { recordAudit, type AuditContext } from '../audit/audit';
import { inTransaction } from '../db/transaction';
import { ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../http/errors';
import type { JobQueue } from '../jobs/job-queue';
import { createLibraryStore, type Upload } from './library-files';

export type { Upload } from './library-files';
import { extractText } from './library-text';
import {
  findOrgByInpo,
  findVersion,
  findVisibleDocument,
  insertDocument,
  insertVersion,
  listVersions,
  saveText,
  searchDocuments,
  tagsInUse,
  updateDocument,
  lockDocument,
  versionForText,
  visibleTitles,
  type DocumentRow,
  type DocumentWrite,
  type Reader,
} from './library.repo';
import { FILE_KINDS, type DocumentInput, type SearchQuery } from './library.schemas';

const TAG_LIST_MS = 60_000;
const TEXT_JOB = { retryLimit: 2, retryDelay: 30, expireInSeconds: 600 };

export function readerOf(principal: Principal): Reader {
  return {
    grantPaths: principal.grants.map((g) => g.organizationPath),
    grantRoles: principal.grants.map((g) => g.role),
    managePaths: principal.grants.filter((g) => roleMay(g.role, 'library.manage')).map((g) => g.organizationPath),
  };
}

/** Whether the user may add documents at all (issued by some organization of their subtree). */
export const mayUpload = (principal: Principal) => readerOf(principal).managePaths.length > 0;

/** Whether the user may change this document: `library.manage` on its issuing organization. */
export const mayManage = (principal: Principal, doc: Pick<DocumentRow, 'issuerId' | 'issuerPath' | 'issuerLevel'>) =>
  can(principal, 'library.manage', { id: doc.issuerId, path: doc.issuerPath, level: doc.issuerLevel });

export function createLibraryService(
  db: Knex,
  jobs: JobQueue,
  options: { libraryDir: string; maxBytes: number; logger: Logger },
) {
  const store = createLibraryStore(options.libraryDir);
  /**
   * The tag filter's list per set of grants, kept a minute: it reads every visible document's tags (70 ms of a
   * search over 10,000 documents on a busy machine), and a new tag may well wait a minute to be offered.
   */
  const tagLists = new Map<string, { at: number; tags: Promise<string[]> }>();
  function tagsFor(reader: Reader): Promise<string[]> {
    const key = JSON.stringify(reader);
    const kept = tagLists.get(key);
    if (kept && Date.now() - kept.at < TAG_LIST_MS) return kept.tags;
    if (tagLists.size >= 1000) tagLists.clear();
    const tags = tagsInUse(db, reader);
    tags.catch(() => tagLists.delete(key));
    tagLists.set(key, { at: Date.now(), tags });
    return tags;
  }

  /** The form's organizations and links checked against the user's rights, as the row to write. */
  async function resolve(principal: Principal, input: DocumentInput, selfId?: number): Promise<DocumentWrite> {
    const errors: FieldError[] = [];
    const issuer = await findOrgByInpo(db, input.issuerInpo);
    if (!issuer || !withinSubtrees(principal, issuer))
      errors.push({ field: 'issuerInpo', message: 'Организация с таким ИНПО не найдена' });
    else if (!can(principal, 'library.manage', issuer))
      errors.push({ field: 'issuerInpo', message: 'Документы этой организации вы добавлять не можете' });
    let visibleOrganizationId: number | null = null;
    if (input.visibleInpo) {
      const visible = await findOrgByInpo(db, input.visibleInpo);
      if (!visible || !withinSubtrees(principal, visible))
        errors.push({ field: 'visibleInpo', message: 'Организация с таким ИНПО не найдена' });
      else visibleOrganizationId = visible.id;
    }
    if (input.supersededBy !== null) {
      const found =
        input.supersededBy === selfId
          ? undefined
          : await findVisibleDocument(db, readerOf(principal), input.supersededBy);
      if (!found) errors.push({ field: 'supersededBy', message: 'Документ библиотеки с таким номером не найден' });
    }
    if (errors.length) throw new ValidationError(errors);
    return {
      title: input.title,
      category: input.category,
      issuingOrganizationId: issuer!.id,
      issuedOn: input.issuedOn,
      number: input.number,
      tags: input.tags,
      visibility: input.visibility,
      visibleOrganizationId,
      visibleRole: input.visibleRole,
      supersededById: input.supersededBy,
    };
  }

  const accept = (upload: Upload | undefined) => store.accept(upload, options.maxBytes);

  async function visibleOrThrow(principal: Principal, id: number, conn: Knex = db): Promise<DocumentRow> {
    const doc = await findVisibleDocument(conn, readerOf(principal), id);
    if (!doc) throw new NotFoundError();
    return doc;
  }

  async function manageableOrThrow(principal: Principal, id: number, conn: Knex = db): Promise<DocumentRow> {
    const doc = await visibleOrThrow(principal, id, conn);
    if (!mayManage(principal, doc)) throw new ForbiddenError();
    return doc;
  }

  return {
    async search(principal: Principal, q: SearchQuery) {
      const reader = readerOf(principal);
      const [{ rows, total, more }, tags] = await Promise.all([searchDocuments(db, reader, q), tagsFor(reader)]);
      const successors = await visibleTitles(
        db,
        reader,
        rows.flatMap((r) => (r.supersededById ? [r.supersededById] : [])),
      );
      return { rows, total, more, tags, successors };
    },

    /** The document's page: the document, its versions (newest first) and its successor if the user sees it. */
    async document(principal: Principal, id: number) {
      const doc = await visibleOrThrow(principal, id);
      const [versions, successors] = await Promise.all([
        listVersions(db, id),
        visibleTitles(db, readerOf(principal), doc.supersededById ? [doc.supersededById] : []),
      ]);
      return {
        doc,
        versions,
        successor: doc.supersededById ? (successors.get(doc.supersededById) ?? null) : null,
        mayManage: mayManage(principal, doc),
      };
    },

    /** The document for its edit form (403 for those who only read it). */
    manageable: manageableOrThrow,

    async create(ctx: AuditContext, principal: Principal, input: DocumentInput, upload: Upload | undefined) {
      const write = await resolve(principal, input);
      const file = await accept(upload);
      const id = await inTransaction(db, async (trx) => {
        const documentId = await insertDocument(trx, write, principal.id);
        const version = await insertVersion(trx, { documentId, ...file, userId: principal.id });
        await recordAudit(trx, ctx, {
          action: 'library.document_created',
          entity: 'library_document',
          entityId: documentId,
          organizationId: write.issuingOrganizationId,
          newValues: { title: write.title, fileName: file.fileName, sha256: file.sha256, visibility: write.visibility },
        });
        await jobs.send(trx, 'library', { versionId: version.id }, TEXT_JOB);
        return documentId;
      });
      jobs.wake('library');
      return id;
    },

    async update(ctx: AuditContext, principal: Principal, id: number, input: DocumentInput) {
      await manageableOrThrow(principal, id);
      const write = await resolve(principal, input, id);
      await inTransaction(db, async (trx) => {
        // what the audit row calls the old values is read under the row's lock: of two edits at once, each
        // records what it replaced (read before the transaction, both recorded the same «before»)
        await lockDocument(trx, id);
        const before = await manageableOrThrow(principal, id, trx);
        await updateDocument(trx, id, write);
        await recordAudit(trx, ctx, {
          action: 'library.document_updated',
          entity: 'library_document',
          entityId: id,
          organizationId: write.issuingOrganizationId,
          oldValues: { title: before.title, visibility: before.visibility, supersededBy: before.supersededById },
          newValues: { title: write.title, visibility: write.visibility, supersededBy: write.supersededById },
        });
      });
    },

    async addVersion(ctx: AuditContext, principal: Principal, id: number, upload: Upload | undefined) {
      const doc = await manageableOrThrow(principal, id);
      const file = await accept(upload);
      const versionNo = await inTransaction(db, async (trx) => {
        const version = await insertVersion(trx, { documentId: id, ...file, userId: principal.id });
        await recordAudit(trx, ctx, {
          action: 'library.version_added',
          entity: 'library_document',
          entityId: id,
          organizationId: doc.issuerId,
          newValues: { version: version.versionNo, fileName: file.fileName, sha256: file.sha256 },
        });
        await jobs.send(trx, 'library', { versionId: version.id }, TEXT_JOB);
        return version.versionNo;
      });
      jobs.wake('library');
      return versionNo;
    },

    /**
     * A version's file to stream (the current one without `versionNo`). A document not visible to the whole
     * union is audited (who took it, which version) before a byte leaves.
     */
    async download(ctx: AuditContext, principal: Principal, id: number, versionNo?: number) {
      const doc = await visibleOrThrow(principal, id);
      const version = await findVersion(db, id, versionNo ?? doc.versionNo);
      if (!version) throw new NotFoundError();
      const stored = await store.stat(version.sha256);
      if (!stored) throw new NotFoundError('Файл документа не найден в хранилище: сообщите администратору');
      if (doc.visibility !== 'union')
        await recordAudit(db, ctx, {
          action: 'library.document_downloaded',
          entity: 'library_document',
          entityId: id,
          organizationId: doc.issuerId,
          newValues: { version: version.versionNo, sha256: version.sha256, visibility: doc.visibility },
        });
      return { ...stored, fileName: version.fileName, type: FILE_KINDS[version.kind].mime };
    },

    /** The text job: the version's words for the search, kept only while it is the current version. */
    async extract(versionId: number): Promise<void> {
      const version = await versionForText(db, versionId);
      if (!version?.current) return;
      let text: string | null;
      try {
        text = await extractText(store.fileOf(version.sha256), version.kind);
      } catch (err) {
        // a file that cannot be read will not be read on a retry either: it stays found by its title
        options.logger.warn({ err, versionId }, 'library: text extraction failed');
        text = null;
      }
      await saveText(db, versionId, text);
    },
  };
}

export type LibraryService = ReturnType<typeof createLibraryService>;

/** Registers the text job's handler on the queue. */
export function handleLibraryJobs(jobs: JobQueue, library: LibraryService) {
  jobs.handle<{ versionId: number }>('library', (job) => library.extract(job.data.versionId));
}
