import type { Request, Response, Router } from 'express';
import { orgOf } from '../access/loaders';
import { can, guardedRouter, mayOnTarget } from '../access/route-guards';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import { sendStoredFile } from '../http/download';
import { ValidationError, type FieldError } from '../http/errors';
import { askConfirmation, isConfirmed } from '../http/confirmation';
import { flash } from '../http/flash';
import { errorViewModel, parseForm } from '../http/forms';
import { principalOf } from '../http/guards';
import { idParam } from '../http/params';
import { csrfTokenOf } from '../http/setup/csrf';
import { uploadFile, withImportSlot } from '../imports/upload';
import { FILE_KINDS } from '../library/library.schemas';
import { OFFICER_POST_LABELS } from '../registry/officer-posts';
import { todayIso } from '../shared/dates';
import { fullName } from '../shared/format';
import { INT4_MAX } from '../shared/numbers';
import { entryCells, formValuesOf } from './officer-views';
import { SECTIONS, documentSchema, notesSchema, type Section } from './sections';

const VIEW_HELPERS = { OFFICER_POST_LABELS, FILE_KINDS, SECTIONS, entryCells };

/**
 * The personnel file of an officer (issue 21, item 1) at `/orgs/{inpo}/officers/{postId}`: any post the person
 * holds now (the post held last, when none) opens the same file. Readers of the organization read it (contacts
 * and documents withheld from those who may not open the person's card); admins, coordinators and the chairs
 * above every organization the person serves in keep it (`officer.file.edit`), never their own.
 */
export function officersRoutes({ config, importSlots, loaders, services: { officers } }: Deps): Router {
  const routes = guardedRouter();
  routes.param('inpo', loaders.organization);
  const base = '/orgs/:inpo/officers/:postId';
  const postIdOf = (req: Request) => idParam(req, 'postId', INT4_MAX);
  const fileHref = (req: Request) => `/orgs/${orgOf(req).inpo}/officers/${postIdOf(req)}`;
  const upload = uploadFile(config.uploadDir, config.libraryMaxBytes);

  routes.get(base, can('org.view'), (req, res) => showFile(req, res));

  for (const section of SECTIONS) {
    const entryIdOf = (req: Request) => idParam(req, section.param, INT4_MAX);
    const entryPath = `${base}/${section.key}/:${section.param}`;
    routes.get(`${base}/${section.key}/new`, can('officer.file.edit'), async (req, res) => {
      await editablePost(req);
      showEntryForm(req, res, section, {}, []);
    });
    routes.post(`${base}/${section.key}`, can('officer.file.edit'), (req, res) =>
      saveEntry(req, res, section, null, (data) =>
        officers.addEntry(auditContextOf(req), principalOf(req), orgOf(req), postIdOf(req), section, data),
      ),
    );
    routes.get(entryPath, can('officer.file.edit'), async (req, res) => {
      const entry = await officers.entry(principalOf(req), orgOf(req), postIdOf(req), section, entryIdOf(req));
      showEntryForm(req, res, section, formValuesOf(section, entry), [], entry.id);
    });
    routes.post(entryPath, can('officer.file.edit'), async (req, res) => {
      const entryId = entryIdOf(req);
      await officers.entry(principalOf(req), orgOf(req), postIdOf(req), section, entryId);
      await saveEntry(req, res, section, entryId, (data) =>
        officers.updateEntry(auditContextOf(req), principalOf(req), orgOf(req), postIdOf(req), section, entryId, data),
      );
    });
    routes.post(`${entryPath}/delete`, can('officer.file.edit'), async (req, res) => {
      const entry = await officers.entry(principalOf(req), orgOf(req), postIdOf(req), section, entryIdOf(req));
      if (!isConfirmed(req))
        return askConfirmation(
          req,
          res,
          {
            title: `Удалить запись: ${section.title.toLowerCase()}`,
            consequence: `Запись будет удалена из личного дела: ${entryCells(section, entry).join(', ')}.`,
            confirmLabel: 'Удалить',
            cancelHref: fileHref(req),
          },
          { section: 'registry', org: orgOf(req) },
        );
      await officers.deleteEntry(auditContextOf(req), principalOf(req), orgOf(req), postIdOf(req), section, entry.id);
      flash(req, 'success', 'Запись удалена из личного дела');
      res.redirect(303, `${fileHref(req)}#${section.key}`);
    });
  }

  routes.post(`${base}/notes`, can('officer.file.edit'), async (req, res) => {
    await editablePost(req);
    const parsed = parseForm(notesSchema, req.body);
    if (!parsed.ok) return showFile(req, res, parsed.errors);
    await officers.saveNotes(auditContextOf(req), principalOf(req), orgOf(req), postIdOf(req), parsed.data.notes);
    flash(req, 'success', 'Примечания сохранены');
    res.redirect(303, `${fileHref(req)}#notes`);
  });

  routes.post(
    `${base}/documents`,
    can('officer.file.edit'),
    async (req, _res, next) => {
      // refused before the file is read: a post without a person keeps no file
      await editablePost(req);
      next();
    },
    upload,
    withImportSlot(importSlots, async (req, res) => {
      const parsed = parseForm(documentSchema, req.body);
      if (!parsed.ok) return showFile(req, res, parsed.errors);
      try {
        await officers.attach(
          auditContextOf(req),
          principalOf(req),
          orgOf(req),
          postIdOf(req),
          parsed.data.title,
          req.file && { path: req.file.path, originalName: req.file.originalname, size: req.file.size },
        );
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        return showFile(req, res, err.fields);
      }
      flash(req, 'success', 'Документ приложен к личному делу');
      res.redirect(303, `${fileHref(req)}#documents`);
    }),
  );
  // readers of the organization, of whom the service lets through those who see the person unmasked
  routes.get(`${base}/documents/:documentId`, can('org.view'), async (req, res) => {
    const documentId = idParam(req, 'documentId', INT4_MAX);
    await sendStoredFile(
      res,
      await officers.download(auditContextOf(req), principalOf(req), orgOf(req), postIdOf(req), documentId),
    );
  });
  routes.post(`${base}/documents/:documentId/delete`, can('officer.file.edit'), async (req, res) => {
    const documentId = idParam(req, 'documentId', INT4_MAX);
    await editablePost(req);
    if (!isConfirmed(req))
      return askConfirmation(
        req,
        res,
        {
          title: 'Удалить документ из личного дела',
          consequence: 'Документ будет удалён из личного дела; запись об этом останется в журнале.',
          confirmLabel: 'Удалить',
          cancelHref: fileHref(req),
        },
        { section: 'registry', org: orgOf(req) },
      );
    await officers.removeDocument(auditContextOf(req), principalOf(req), orgOf(req), postIdOf(req), documentId);
    flash(req, 'success', 'Документ удалён из личного дела');
    res.redirect(303, `${fileHref(req)}#documents`);
  });

  return routes.router;

  /** The post of the URL, refused when its person is not known yet (409: the file is the person's) or when the user does not keep their file (403). */
  async function editablePost(req: Request) {
    await officers.kept(principalOf(req), orgOf(req), postIdOf(req));
  }

  async function saveEntry(
    req: Request,
    res: Response,
    section: Section,
    entryId: number | null,
    save: (data: Record<string, unknown>) => Promise<void>,
  ) {
    await editablePost(req);
    const values = formValuesOf(section, req.body ?? {});
    const parsed = parseForm(section.schema, req.body);
    if (!parsed.ok) return showEntryForm(req, res, section, values, parsed.errors, entryId);
    try {
      await save(parsed.data);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return showEntryForm(req, res, section, values, err.fields, entryId);
    }
    flash(req, 'success', entryId ? 'Запись личного дела изменена' : 'Запись добавлена в личное дело');
    res.redirect(303, `${fileHref(req)}#${section.key}`);
  }

  async function showEntryForm(
    req: Request,
    res: Response,
    section: Section,
    values: Record<string, string>,
    errors: FieldError[],
    entryId: number | null = null,
  ) {
    const post = await officers.post(orgOf(req), postIdOf(req));
    res.status(errors.length ? 422 : 200).render('officers/entry-form', {
      title: `${section.title}: ${fullName(post)}`,
      section: 'registry',
      org: orgOf(req),
      post,
      fileHref: fileHref(req),
      part: section,
      action: entryId ? `${fileHref(req)}/${section.key}/${entryId}` : `${fileHref(req)}/${section.key}`,
      values,
      ...errorViewModel(errors),
    });
  }

  async function showFile(req: Request, res: Response, errors: FieldError[] = []) {
    const org = orgOf(req);
    const file = await officers.file(auditContextOf(req), principalOf(req), org, postIdOf(req), todayIso());
    res.status(errors.length ? 422 : 200).render('officers/file', {
      title: `Личное дело: ${fullName(file.post)}`,
      section: 'registry',
      org,
      ...VIEW_HELPERS,
      ...file,
      fileHref: fileHref(req),
      mayEdit: file.mayEdit,
      // naming the person of an officer typed before officers were people is the passport's edit
      mayNamePerson: mayOnTarget(req, 'org.passport.edit'),
      uploadCsrf: csrfTokenOf(req),
      maxMb: Math.round(config.libraryMaxBytes / 1024 / 1024),
      values: req.method === 'POST' ? req.body : {},
      ...errorViewModel(errors),
    });
  }
}
