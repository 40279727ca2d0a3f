import { type Router, type Request, type Response } from 'express';
import { memberOf } from '../access/loaders';
import { can, canOnObjects, guardedRouter } from '../access/route-guards';
import type { Deps } from '../deps';
import type { FieldError } from '../http/errors';
import { sendDownload } from '../http/download';
import { errorViewModel, parseForm } from '../http/forms';
import { principalOf } from '../http/guards';
import { parseId } from '../shared/numbers';
import { XLSX_MIME } from '../shared/spreadsheet';
import { auditFilterSchema } from './audit-viewer.schemas';
import type { AuditFilter } from './audit-viewer.service';
import { ACTION_LABELS, ENTITY_GROUPS } from './labels';

const EMPTY_FILTER: AuditFilter = { actor: null, org: null, action: null, entity: null, from: null, to: null };
const FILTER_CHOICES = {
  actions: Object.entries(ACTION_LABELS)
    .map(([value, label]) => ({ value, label }))
    .sort((a, b) => a.label.localeCompare(b.label, 'ru')),
  entities: Object.entries(ENTITY_GROUPS).map(([value, group]) => ({ value, label: group.label })),
};

/** The audit log for those who answer for it: the viewer with its export, and a member card's journal. */
export function auditViewerRoutes({ db, loaders, services: { auditViewer } }: Deps): Router {
  const routes = guardedRouter();
  routes.param('id', loaders.member);
  routes.get('/admin/audit', canOnObjects('audit.view'), showAudit);
  routes.get('/admin/audit/export.xlsx', canOnObjects('audit.view'), exportAudit);
  routes.get('/members/:id/journal', can('audit.view'), showMemberJournal);
  return routes.router;

  async function showAudit(req: Request, res: Response) {
    const principal = principalOf(req);
    auditViewer.scopeOf(principal); // a chair is refused before the filter is even read
    const form = parseForm(auditFilterSchema, req.query);
    if (!form.ok) return renderAudit(req, res, 422, { filter: EMPTY_FILTER, rows: [], nextAfter: null }, form.errors);
    const { after, ...filter } = form.data;
    const page = await auditViewer.page(principal, filter, parseId(after));
    renderAudit(req, res, 200, { filter, ...page });
  }

  function renderAudit(
    req: Request,
    res: Response,
    status: number,
    view: { filter: AuditFilter; rows: unknown[]; nextAfter: string | null },
    errors: FieldError[] = [],
  ) {
    const values = errors.length ? req.query : view.filter;
    const query = new URLSearchParams(
      Object.entries(view.filter).filter(([, v]) => v != null) as [string, string][],
    ).toString();
    res.status(status).render('audit/list', {
      title: 'Журнал аудита',
      section: 'audit',
      ...view,
      values,
      query,
      ...FILTER_CHOICES,
      ...errorViewModel(errors),
    });
  }

  async function exportAudit(req: Request, res: Response) {
    const principal = principalOf(req);
    auditViewer.scopeOf(principal);
    const form = parseForm(auditFilterSchema, req.query);
    if (!form.ok) return renderAudit(req, res, 422, { filter: EMPTY_FILTER, rows: [], nextAfter: null }, form.errors);
    const { after: _after, ...filter } = form.data;
    const write = await auditViewer.exportFor(principal, filter);
    await sendDownload(db, req, res, {
      type: XLSX_MIME,
      fileName: 'zhurnal-audita.xlsx',
      write: (sink) => write(sink),
      audit: { action: 'audit.exported', entity: 'audit', newValues: { filter } },
    });
  }

  async function showMemberJournal(req: Request, res: Response) {
    const journal = await auditViewer.memberJournal(principalOf(req), memberOf(req));
    res.render('members/journal', { title: 'Журнал карточки', section: 'members', ...journal });
  }
}
