import type { Request, Response, Router } from 'express';
import { memberOf, orgOf } from '../access/loaders';
import { can, guardedRouter } from '../access/route-guards';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import { NotFoundError } from '../http/errors';
import { flash } from '../http/flash';
import { principalOf } from '../http/guards';
import { idParam } from '../http/params';
import { csrfTokenOf } from '../http/setup/csrf';
import { uploadFile, uploadedText } from '../imports/upload';
import { INT4_MAX, parseId } from '../shared/numbers';
import { TEMPLATE_KINDS, type TemplateKind } from './templates.schemas';
import { DOCUMENT_FORMATS, MEMBER_DOCUMENT_KINDS, type GeneratedDocument } from './templates.service';

const MAX_TEMPLATE_BYTES = 256 * 1024;

/** The document a URL's last segment names, «<kind>.<format>», among those its page offers (404 otherwise). */
function documentOf<K extends TemplateKind>(req: Request, param: string, kinds: readonly K[]) {
  const match = /^([a-z-]+)\.([a-z]+)$/.exec(String(req.params[param]));
  const kind = kinds.find((k) => k === match?.[1]);
  const format = DOCUMENT_FORMATS.find((f) => f === match?.[2]);
  if (!kind || !format) throw new NotFoundError('Такого документа нет');
  return { kind, format };
}

function send(res: Response, doc: GeneratedDocument) {
  res.type(doc.type).attachment(doc.fileName).send(doc.body);
}

/**
 * The union's document templates: the documents of a member card, of an online application and of an
 * organization's passport, as PDF and DOCX (each route a read of what its page shows, authorized like it);
 * the templates' versions at /admin/templates, uploaded by a federal administrator.
 */
export function templatesRoutes({ config, loaders, services: { templates, join } }: Deps): Router {
  const routes = guardedRouter();
  routes.param('id', loaders.member);
  routes.param('inpo', loaders.organization);
  routes.use('/admin/templates', loaders.union);

  // `:memberDocument` and its like name the document and its format, «certificate.pdf»: one route per page
  routes.get('/members/:id/documents/:memberDocument', can('member.view'), async (req, res) => {
    const { kind, format } = documentOf(req, 'memberDocument', MEMBER_DOCUMENT_KINDS);
    send(res, await templates.memberDocument(auditContextOf(req), memberOf(req), kind, format));
  });
  routes.get(
    '/orgs/:inpo/applications/:applicationId/documents/:applicationDocument',
    can('member.edit'),
    async (req, res) => {
      const { format } = documentOf(req, 'applicationDocument', ['membership-application']);
      const id = parseId(String(req.params.applicationId));
      if (id === null) throw new NotFoundError('Заявление не найдено');
      const application = await join.application(auditContextOf(req), orgOf(req), id);
      send(res, await templates.applicantDocument(auditContextOf(req), application, format));
    },
  );
  routes.get('/orgs/:inpo/documents/:orgDocument', can('org.view'), async (req, res) => {
    const { format } = documentOf(req, 'orgDocument', ['registration-card']);
    send(res, await templates.organizationDocument(auditContextOf(req), orgOf(req), format));
  });

  routes.get('/admin/templates', can('form.manage'), (req, res) => showList(req, res, [], 200));
  routes.post(
    '/admin/templates',
    can('form.manage'),
    uploadFile(config.uploadDir, MAX_TEMPLATE_BYTES),
    async (req, res) => {
      const text = await uploadedText(req, 'body');
      if (!text.trim()) return showList(req, res, ['Выберите файл шаблона (JSON) или вставьте его текст'], 422, text);
      const outcome = await templates.upload(auditContextOf(req), principalOf(req).id, text);
      if (!outcome.ok) return showList(req, res, outcome.errors, 422, text);
      flash(
        req,
        'success',
        `Версия ${outcome.version} шаблона «${TEMPLATE_KINDS[outcome.kind].label}» загружена: документы формируются по ней`,
      );
      res.redirect(303, `/admin/templates/${outcome.id}`);
    },
  );
  routes.get('/admin/templates/:templateId', can('form.manage'), async (req, res) => {
    const template = await templates.version(idParam(req, 'templateId', INT4_MAX));
    if (!template) throw new NotFoundError();
    const kind = TEMPLATE_KINDS[template.kind as keyof typeof TEMPLATE_KINDS];
    res.render('templates/version', {
      title: `Шаблон «${template.title}», версия ${template.version}`,
      section: 'templates',
      template,
      kindLabel: kind?.label ?? template.kind,
      text: JSON.stringify(template.body, null, 2),
    });
  });

  async function showList(req: Request, res: Response, errors: string[], status: number, text = '') {
    res.status(status).render('templates/list', {
      title: 'Шаблоны документов',
      section: 'templates',
      versions: await templates.versions(),
      kinds: TEMPLATE_KINDS,
      uploadErrors: errors,
      text,
      uploadCsrf: csrfTokenOf(req),
    });
  }

  return routes.router;
}
