import type { Request, Response, Router } from 'express';
import { orgOf } from '../access/loaders';
import { can, guardedRouter } from '../access/route-guards';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import { ValidationError, type FieldError } from '../http/errors';
import { sendDownload } from '../http/download';
import { flash } from '../http/flash';
import { errorViewModel } from '../http/forms';
import { principalOf } from '../http/guards';
import { csrfTokenOf } from '../http/setup/csrf';
import { CHECKED_UPLOAD_HOURS } from '../imports/checked-uploads';
import { checkXlsxUpload, uploadFile, withImportSlot } from '../imports/upload';
import { todayIso } from '../shared/dates';
import { XLSX_MIME } from '../shared/spreadsheet';
import { writeImportTemplate } from './org-export';
import type { ImportPlan } from './org-import';

export function importExportRoutes({ db, config, importSlots, loaders, services }: Deps): Router {
  const { orgImport, checkedUploads: kept } = services;
  const routes = guardedRouter();
  routes.param('inpo', loaders.organization);
  routes.get('/orgs/:inpo/import', can('org.restructure'), (req, res) => showImport(req, res));
  routes.get('/orgs/:inpo/import/template.xlsx', can('org.restructure'), downloadTemplate);
  routes.post(
    '/orgs/:inpo/import',
    can('org.restructure'),
    uploadFile(config.uploadDir),
    withImportSlot(importSlots, runImport),
  );
  routes.get('/orgs/:inpo/export.xlsx', can('org.export'), downloadExport);
  return routes.router;

  async function showImport(
    req: Request,
    res: Response,
    status = 200,
    extra: { errors?: FieldError[]; plan?: ImportPlan; checked?: { id: string; fileName: string } } = {},
  ) {
    const org = orgOf(req);
    res.status(status).render('orgs/import', {
      title: `Загрузка организаций: ${org.name}`,
      section: 'registry',
      org,
      plan: extra.plan,
      checked: extra.checked,
      checkedHours: CHECKED_UPLOAD_HOURS,
      uploadCsrf: csrfTokenOf(req),
      ...errorViewModel(extra.errors ?? []),
    });
  }

  async function downloadTemplate(req: Request, res: Response) {
    await sendDownload(db, req, res, {
      type: XLSX_MIME,
      fileName: 'shablon-organizacii.xlsx',
      write: (sink) => writeImportTemplate(sink.out),
    });
  }

  async function runImport(req: Request, res: Response) {
    const principal = principalOf(req);
    const org = orgOf(req);
    let taken: { id: string; path: string } | undefined;
    try {
      // a file checked earlier comes back by its id, and is checked again: the registry may have changed since
      if (!req.file && req.body?.checkedUpload !== undefined)
        taken = await kept.take(principal.id, org.id, req.body.checkedUpload);
      const sheet = await orgImport.read(taken?.path ?? (await checkXlsxUpload(req.file)));
      const plan: ImportPlan = sheet.issues.length
        ? { rows: 0, creates: [], updates: [], existing: [], issues: sheet.issues }
        : await orgImport.plan(principal, org, sheet.rows);
      if (req.body?.mode !== 'commit' || plan.issues.length) {
        const clean = !plan.issues.length && plan.rows > 0 && req.file;
        const checked = clean
          ? { id: await kept.keep(principal.id, org.id, req.file!), fileName: req.file!.originalname }
          : undefined;
        return showImport(req, res, plan.issues.length ? 422 : 200, { plan, checked });
      }
      const result = await orgImport.apply(principal, auditContextOf(req), org, plan, todayIso(), taken?.id);
      // the kept file goes before the answer, not after it (`finally` below): whoever follows the redirect at once
      // must not find it still there
      if (taken) await kept.discard(taken.id);
      flash(
        req,
        'success',
        `Загрузка выполнена: создано ${result.created}, обновлено ${result.updated}, уже были в реестре: ${plan.existing.length}`,
      );
      res.redirect(303, `/orgs/${org.inpo}/structure`);
    } catch (err) {
      if (err instanceof ValidationError) return showImport(req, res, 422, { errors: err.fields });
      throw err;
    } finally {
      if (taken) await kept.discard(taken.id);
    }
  }

  async function downloadExport(req: Request, res: Response) {
    const org = orgOf(req);
    await sendDownload(db, req, res, {
      type: XLSX_MIME,
      fileName: `organizacii-${org.inpo}.xlsx`,
      write: (sink) => orgImport.exportWorkbook(org.path, sink),
      audit: {
        action: 'org.exported',
        entity: 'organization',
        entityId: org.id,
        organizationId: org.id,
        newValues: { subtree: org.inpo },
      },
    });
  }
}
