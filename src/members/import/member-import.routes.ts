import ExcelJS from 'exceljs';
import type { Request, Response, Router } from 'express';
import { orgOf } from '../../access/loaders';
import { can, guardedRouter, signedIn } from '../../access/route-guards';
import { auditContextOf } from '../../audit/audit';
import type { Deps } from '../../deps';
import { NotFoundError, ValidationError, type FieldError } from '../../http/errors';
import { sendDownload } from '../../http/download';
import { flash } from '../../http/flash';
import { errorViewModel } from '../../http/forms';
import { principalOf } from '../../http/guards';
import { csrfTokenOf } from '../../http/setup/csrf';
import { csvRows, xlsxRows } from '../../imports/row-source';
import { checkSpreadsheetUpload, uploadFile, withImportSlot } from '../../imports/upload';
import { XLSX_MIME, addSafeRow, csvLine } from '../../shared/spreadsheet';
import { CATEGORIES, CATEGORY_LABELS } from '../../membership/membership';
import { type MemberImportResult } from './member-import';
import { MEMBER_COLUMNS, hintRow } from './member-sheet';

const MAX_MEMBER_UPLOAD_BYTES = 50 * 1024 * 1024;

export function memberImportRoutes({ db, config, importSlots, loaders, services: { memberImport } }: Deps): Router {
  const routes = guardedRouter();
  routes.param('inpo', loaders.organization);
  routes.get('/orgs/:inpo/members/import', can('member.edit'), (req, res) => showPage(req, res));
  routes.get('/orgs/:inpo/members/import/template.xlsx', can('member.edit'), downloadTemplate);
  routes.post(
    '/orgs/:inpo/members/import',
    can('member.edit'),
    uploadFile(config.uploadDir, MAX_MEMBER_UPLOAD_BYTES),
    withImportSlot(importSlots, runImport),
  );
  routes.get('/imports/:id/errors.csv', signedIn, downloadIssues);
  return routes.router;

  async function showPage(
    req: Request,
    res: Response,
    status = 200,
    extra: { errors?: FieldError[]; result?: MemberImportResult; reportId?: string } = {},
  ) {
    const org = orgOf(req);
    res.status(status).render('members/import', {
      title: `Загрузка членов Профсоюза: ${org.name}`,
      section: 'members',
      org,
      result: extra.result,
      reportId: extra.reportId,
      uploadCsrf: csrfTokenOf(req),
      ...errorViewModel(extra.errors ?? []),
    });
  }

  async function downloadTemplate(req: Request, res: Response) {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Члены Профсоюза');
    sheet.columns = MEMBER_COLUMNS.map((c) => ({
      header: c.header,
      key: c.key,
      width: Math.max(14, c.header.length + 2),
    }));
    sheet.getRow(1).font = { bold: true };
    addSafeRow(sheet, hintRow()).font = { italic: true, color: { argb: 'FF595959' } };
    const lists = workbook.addWorksheet('Справочники');
    lists.columns = [
      { header: 'Категория', width: 30 },
      { header: 'Пол', width: 8 },
    ];
    CATEGORIES.forEach((c, i) => addSafeRow(lists, [CATEGORY_LABELS[c], ['ж', 'м'][i] ?? '']));
    await sendDownload(db, req, res, {
      type: XLSX_MIME,
      fileName: 'shablon-chleny-profsoyuza.xlsx',
      write: (sink) => workbook.xlsx.write(sink.out),
    });
  }

  async function runImport(req: Request, res: Response) {
    const org = orgOf(req);
    try {
      const upload = await checkSpreadsheetUpload(req.file);
      const rows = upload.kind === 'csv' ? csvRows(upload.path) : xlsxRows(upload.path);
      const { result, reportId } = await memberImport.run(
        principalOf(req),
        auditContextOf(req),
        org,
        rows,
        req.body?.mode === 'commit' ? 'commit' : 'check',
      );
      if (result.committed) {
        flash(req, 'success', `Загружено: ${result.created}; уже были в реестре: ${result.alreadyInRegistry}`);
        return res.redirect(303, `/orgs/${org.inpo}/members`);
      }
      return showPage(req, res, result.issuesTotal ? 422 : 200, { result, reportId });
    } catch (err) {
      if (err instanceof ValidationError) return showPage(req, res, 422, { errors: err.fields });
      throw err;
    }
  }

  /** The error report, for the user who ran the import only, while it is kept. */
  async function downloadIssues(req: Request, res: Response) {
    const issues = await memberImport.issuesOf(principalOf(req).id, String(req.params.id));
    if (!issues) throw new NotFoundError();
    const lines = [['Строка', 'Столбец', 'Ошибка'], ...issues.map((i) => [i.line, i.column, i.message])];
    res
      .type('text/csv; charset=utf-8')
      .attachment('oshibki-zagruzki.csv')
      .send(`\ufeff${lines.map(csvLine).join('')}`);
  }
}
