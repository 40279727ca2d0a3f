import type { Request, Response, Router } from 'express';
import { ROLE_LABELS, ROLES } from '../access/roles';
import { canOnObjects, guardedRouter, signedIn } from '../access/route-guards';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import { sendStoredFile } from '../http/download';
import { ForbiddenError, ValidationError, type FieldError } from '../http/errors';
import { flash } from '../http/flash';
import { errorViewModel, parseForm } from '../http/forms';
import { principalOf } from '../http/guards';
import { idParam } from '../http/params';
import { csrfTokenOf } from '../http/setup/csrf';
import { uploadFile, withImportSlot } from '../imports/upload';
import { INT4_MAX } from '../shared/numbers';
import { highlightSegments } from './highlight';
import { mayUpload, type Upload } from './library.service';
import {
  CATEGORIES,
  CATEGORY_LABELS,
  FILE_KINDS,
  PAGE_SIZE,
  VISIBILITIES,
  VISIBILITY_LABELS,
  documentSchema,
  searchSchema,
} from './library.schemas';

const LEVEL_OF_FORM = { section: 'library' };
const VIEW_HELPERS = { CATEGORIES, CATEGORY_LABELS, VISIBILITIES, VISIBILITY_LABELS, ROLES, ROLE_LABELS, FILE_KINDS };

const uploadOf = (req: Request): Upload | undefined =>
  req.file ? { path: req.file.path, originalName: req.file.originalname, size: req.file.size } : undefined;

/** The form's values as typed, for showing it again with its errors. */
function valuesOf(body: unknown): Record<string, string> {
  const b = (body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(
    [
      'title',
      'category',
      'issuerInpo',
      'issuedOn',
      'number',
      'tags',
      'visibility',
      'visibleInpo',
      'visibleRole',
      'supersededBy',
    ].map((k) => [k, typeof b[k] === 'string' ? (b[k] as string) : '']),
  );
}

export function libraryRoutes({ config, importSlots, services: { library } }: Deps): Router {
  const routes = guardedRouter();
  const upload = uploadFile(config.uploadDir, config.libraryMaxBytes);
  const docIdOf = (req: Request) => idParam(req, 'docId', INT4_MAX);

  routes.get('/library', signedIn, async (req, res) => {
    const q = searchSchema.parse(req.query);
    const found = await library.search(principalOf(req), q);
    res.render('library/index', {
      title: 'Библиотека документов',
      ...LEVEL_OF_FORM,
      ...VIEW_HELPERS,
      q,
      ...found,
      rows: found.rows.map((r) => ({ ...r, segments: highlightSegments(r.snippet) })),
      pages: Math.max(1, Math.ceil(found.total / PAGE_SIZE)),
      mayUpload: mayUpload(principalOf(req)),
    });
  });

  /** Only those who may add documents reach the form and send a file (refused before the file is read). */
  const uploaders = (req: Request, _res: Response, next: () => void) => {
    if (!mayUpload(principalOf(req))) throw new ForbiddenError();
    next();
  };

  routes.get('/library/new', canOnObjects('library.manage'), uploaders, (req, res) => {
    const home = principalOf(req).grants.find((g) => g.role === 'admin' || g.role === 'coordinator');
    showForm(req, res, 200, [], {
      issuerInpo: home?.organizationInpo ?? '',
      visibility: 'union',
      category: 'normative',
    });
  });

  routes.post(
    '/library',
    canOnObjects('library.manage'),
    uploaders,
    upload,
    withImportSlot(importSlots, async (req, res) => {
      const parsed = parseForm(documentSchema, req.body);
      if (!parsed.ok) return showForm(req, res, 422, parsed.errors, valuesOf(req.body));
      try {
        const id = await library.create(auditContextOf(req), principalOf(req), parsed.data, uploadOf(req));
        flash(req, 'success', 'Документ добавлен в библиотеку. Его текст будет доступен поиску через минуту.');
        res.redirect(303, `/library/${id}`);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        showForm(req, res, 422, err.fields, valuesOf(req.body));
      }
    }),
  );

  routes.get('/library/:docId', signedIn, async (req, res) => {
    const page = await library.document(principalOf(req), docIdOf(req));
    res.render('library/show', {
      title: page.doc.title,
      ...LEVEL_OF_FORM,
      ...VIEW_HELPERS,
      ...page,
      versionErrors: [],
      uploadCsrf: csrfTokenOf(req),
    });
  });

  routes.get('/library/:docId/edit', canOnObjects('library.manage'), async (req, res) => {
    const doc = await library.manageable(principalOf(req), docIdOf(req));
    showForm(
      req,
      res,
      200,
      [],
      {
        title: doc.title,
        category: doc.category,
        issuerInpo: doc.issuerInpo,
        issuedOn: doc.issuedOn ?? '',
        number: doc.number ?? '',
        tags: doc.tags.join(', '),
        visibility: doc.visibility,
        visibleInpo: doc.visibleInpo ?? '',
        visibleRole: doc.visibleRole ?? '',
        supersededBy: doc.supersededById ? String(doc.supersededById) : '',
      },
      doc.id,
    );
  });

  routes.post('/library/:docId', canOnObjects('library.manage'), async (req, res) => {
    const id = docIdOf(req);
    await library.manageable(principalOf(req), id);
    const parsed = parseForm(documentSchema, req.body);
    if (!parsed.ok) return showForm(req, res, 422, parsed.errors, valuesOf(req.body), id);
    try {
      await library.update(auditContextOf(req), principalOf(req), id, parsed.data);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return showForm(req, res, 422, err.fields, valuesOf(req.body), id);
    }
    flash(req, 'success', 'Сведения о документе сохранены');
    res.redirect(303, `/library/${id}`);
  });

  routes.post(
    '/library/:docId/versions',
    canOnObjects('library.manage'),
    async (req, _res, next) => {
      await library.manageable(principalOf(req), docIdOf(req));
      next();
    },
    upload,
    withImportSlot(importSlots, async (req, res) => {
      const id = docIdOf(req);
      try {
        const versionNo = await library.addVersion(auditContextOf(req), principalOf(req), id, uploadOf(req));
        flash(req, 'success', `Загружена версия ${versionNo}: она стала текущей, прежние остаются в списке версий`);
        res.redirect(303, `/library/${id}`);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        const page = await library.document(principalOf(req), id);
        res.status(422).render('library/show', {
          title: page.doc.title,
          ...LEVEL_OF_FORM,
          ...VIEW_HELPERS,
          ...page,
          versionErrors: err.fields.map((f) => f.message),
          uploadCsrf: csrfTokenOf(req),
        });
      }
    }),
  );

  const download = async (req: Request, res: Response, versionNo?: number) => {
    await sendStoredFile(res, await library.download(auditContextOf(req), principalOf(req), docIdOf(req), versionNo));
  };

  routes.get('/library/:docId/file', signedIn, (req, res) => download(req, res));
  routes.get('/library/:docId/versions/:versionNo', signedIn, async (req, res) => {
    await download(req, res, idParam(req, 'versionNo', INT4_MAX));
  });

  function showForm(
    req: Request,
    res: Response,
    status: number,
    errors: FieldError[],
    values: Record<string, string>,
    docId?: number,
  ) {
    res.status(status).render('library/form', {
      title: docId ? 'Сведения о документе' : 'Новый документ библиотеки',
      ...LEVEL_OF_FORM,
      ...VIEW_HELPERS,
      ...errorViewModel(errors),
      values,
      docId: docId ?? null,
      uploadCsrf: csrfTokenOf(req),
      maxMb: Math.round(config.libraryMaxBytes / 1024 / 1024),
    });
  }

  return routes.router;
}
