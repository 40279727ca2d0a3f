import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { orgOf } from '../access/loaders';
import { can, guardedRouter, mayOnTarget } from '../access/route-guards';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import { sendDownload } from '../http/download';
import { ValidationError, type FieldError } from '../http/errors';
import { principalOf } from '../http/guards';
import { csrfTokenOf } from '../http/setup/csrf';
import type { ImportIssue } from '../imports/import-issue';
import { checkXlsxUpload, uploadFile, withImportSlot } from '../imports/upload';
import { flash } from '../http/flash';
import { errorViewModel, parseForm } from '../http/forms';
import { todayIso } from '../shared/dates';
import { isoDateParam } from '../shared/fields';
import { XLSX_MIME } from '../shared/spreadsheet';
import { BANDS } from './bands';
import { DECLARED_FIELDS, declaredFiguresSchema } from './declared.schemas';
import { columnGroups } from './monitoring-table';
import { coverageChart } from './monitoring-chart';
import { headerLines, renderMonitoringWorkbook, writeDeclaredTemplate } from './monitoring-xlsx';
import { IMPORT_HEADERS } from './declared-import';

const dateQuery = z.object({ on: isoDateParam() });

export function monitoringRoutes({ db, config, importSlots, loaders, services: { monitoring } }: Deps): Router {
  const routes = guardedRouter();
  routes.param('inpo', loaders.organization);

  routes.get('/orgs/:inpo/monitoring', can('org.view'), async (req, res) => {
    const org = orgOf(req);
    const on = dateQuery.parse(req.query).on ?? todayIso();
    const table = await monitoring.table(org, on, {
      members: mayOnTarget(req, 'member.view'),
      // the queue of applications opens with the right to decide them (join.routes)
      applications: mayOnTarget(req, 'member.edit'),
    });
    res.render('monitoring/index', {
      title: `Мониторинг: ${org.name}`,
      section: 'monitoring',
      org,
      table,
      groups: columnGroups(table.columns),
      coverageChart: coverageChart(table),
      header: headerLines(org, table),
      BANDS,
      mayDeclare: mayOnTarget(req, 'org.passport.edit'),
      mayImport: mayOnTarget(req, 'org.restructure'),
    });
  });

  routes.get('/orgs/:inpo/monitoring.xlsx', can('org.view'), async (req, res) => {
    const org = orgOf(req);
    const on = dateQuery.parse(req.query).on ?? todayIso();
    const table = await monitoring.table(org, on, { members: false, applications: false });
    await sendDownload(db, req, res, {
      type: XLSX_MIME,
      fileName: `monitoring-${org.inpo}-${on}.xlsx`,
      write: (sink) => renderMonitoringWorkbook(org, table, sink.out),
    });
  });

  routes.get('/orgs/:inpo/monitoring/declared', can('org.passport.edit'), (req, res) => showDeclaredForm(req, res));
  routes.post('/orgs/:inpo/monitoring/declared', can('org.passport.edit'), async (req, res) => {
    const org = orgOf(req);
    const parsed = parseForm(declaredFiguresSchema, req.body);
    if (!parsed.ok) return showDeclaredForm(req, res, parsed.errors, 422);
    await monitoring.enterDeclared(auditContextOf(req), org, parsed.data);
    flash(req, 'success', 'Цифры статистического отчёта сохранены');
    res.redirect(303, `/orgs/${org.inpo}/monitoring?on=${parsed.data.onDate}`);
  });

  routes.get('/orgs/:inpo/monitoring/import', can('org.restructure'), (req, res) => showImport(req, res));
  routes.get('/orgs/:inpo/monitoring/import/template.xlsx', can('org.restructure'), async (req, res) => {
    await sendDownload(db, req, res, {
      type: XLSX_MIME,
      fileName: 'shablon-cifry-otcheta.xlsx',
      write: (sink) => writeDeclaredTemplate(sink.out),
    });
  });
  routes.post(
    '/orgs/:inpo/monitoring/import',
    can('org.restructure'),
    uploadFile(config.uploadDir),
    withImportSlot(importSlots, async (req, res) => {
      const org = orgOf(req);
      try {
        const file = await checkXlsxUpload(req.file);
        const result = await monitoring.importDeclared(principalOf(req), auditContextOf(req), org, file);
        if (result.issues.length) return showImport(req, res, 422, { issues: result.issues });
        flash(req, 'success', `Загружены цифры статистических отчётов: строк — ${result.rows}`);
        res.redirect(303, `/orgs/${org.inpo}/monitoring`);
      } catch (err) {
        if (err instanceof ValidationError) return showImport(req, res, 422, { errors: err.fields });
        throw err;
      }
    }),
  );

  async function showImport(
    req: Request,
    res: Response,
    status = 200,
    extra: { errors?: FieldError[]; issues?: ImportIssue[] } = {},
  ) {
    const org = orgOf(req);
    res.status(status).render('monitoring/import', {
      title: `Загрузка цифр статистических отчётов: ${org.name}`,
      section: 'monitoring',
      org,
      issues: extra.issues ?? [],
      headers: IMPORT_HEADERS,
      uploadCsrf: csrfTokenOf(req),
      ...errorViewModel(extra.errors ?? []),
    });
  }

  async function showDeclaredForm(req: Request, res: Response, errors: FieldError[] = [], status = 200) {
    const org = orgOf(req);
    res.status(status).render('monitoring/declared', {
      title: `Цифры статистического отчёта: ${org.name}`,
      section: 'monitoring',
      org,
      rows: await monitoring.declaredOf(org),
      values: errors.length ? req.body : { onDate: '' },
      DECLARED_FIELDS,
      ...errorViewModel(errors),
    });
  }

  return routes.router;
}
