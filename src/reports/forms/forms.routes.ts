import type { Request, Response, Router } from 'express';
import { orgOf } from '../../access/loaders';
import { can, guardedRouter } from '../../access/route-guards';
import { z } from 'zod';
import { auditContextOf } from '../../audit/audit';
import { lineHints } from './line-hint';
import type { Deps } from '../../deps';
import { ConflictError, NotFoundError } from '../../http/errors';
import { askConfirmation, isConfirmed } from '../../http/confirmation';
import { flash } from '../../http/flash';
import { principalOf } from '../../http/guards';
import { idParam } from '../../http/params';
import { csrfTokenOf } from '../../http/setup/csrf';
import { uploadFile, uploadedText } from '../../imports/upload';
import { todayIso } from '../../shared/dates';
import { INT4_MAX } from '../../shared/numbers';
import { currentReportingDate } from '../periods';
import { INDICATORS, TEXT_FIELDS } from '../indicators/catalog';

const MAX_DEFINITION_BYTES = 512 * 1024;
const previewQuery = z.object({
  inpo: z.string().trim().max(20).optional().catch(undefined),
  date: z.string().trim().max(10).optional().catch(undefined),
});

export function formsRoutes({ config, loaders, services: { reports, forms } }: Deps): Router {
  const routes = guardedRouter();
  routes.use('/admin/forms', loaders.union);

  routes.get('/admin/forms', can('form.manage'), async (req, res) => {
    await showList(req, res, [], 200);
  });

  routes.post(
    '/admin/forms',
    can('form.manage'),
    uploadFile(config.uploadDir, MAX_DEFINITION_BYTES),
    async (req, res) => {
      const text = await uploadedText(req, 'definition');
      if (!text.trim())
        return showList(req, res, ['Выберите файл с определением формы (JSON) или вставьте его текст'], 422, text);
      const outcome = await forms.upload(auditContextOf(req), principalOf(req).id, text);
      if (!outcome.ok) return showList(req, res, outcome.errors, 422, text);
      const { id, def } = outcome;
      flash(
        req,
        'success',
        `Версия ${def.version} формы ${def.name} загружена. Проверьте её на организации и активируйте.`,
      );
      res.redirect(303, `/admin/forms/${id}`);
    },
  );

  routes.get('/admin/forms/:formVersionId', can('form.manage'), async (req, res) => {
    const union = orgOf(req);
    const id = idParam(req, 'formVersionId', INT4_MAX);
    const form = await forms.version(id);
    if (!form) throw new NotFoundError();
    const q = previewQuery.parse(req.query);
    const date = q.date ?? currentReportingDate(form.definition, todayIso());
    const preview = q.inpo ? await reports.previewVersion(id, principalOf(req), q.inpo, date) : null;
    res.render('forms/version', {
      title: `Форма ${form.definition.name}, версия ${form.version}`,
      section: 'forms',
      form,
      union,
      inpo: q.inpo ?? '',
      date,
      preview,
      hints: lineHints(form.definition),
    });
  });

  routes.post('/admin/forms/:formVersionId/activate', can('form.manage'), async (req, res) => {
    const id = idParam(req, 'formVersionId', INT4_MAX);
    if (!isConfirmed(req)) return askActivation(req, res, id);
    const form = await forms.activate(auditContextOf(req), id);
    flash(
      req,
      'success',
      `Версия ${form.version} формы ${form.definition.name} действует: новые отчёты считаются по ней, сданные остаются прежними.`,
    );
    res.redirect(303, '/admin/forms');
  });

  /** What activating a version changes: which version it replaces, that drafts follow it and filed reports do not. */
  async function askActivation(req: Request, res: Response, id: number) {
    const versions = await forms.versions();
    const form = versions.find((v) => v.id === id);
    if (!form) throw new NotFoundError();
    if (form.status === 'active') throw new ConflictError('Эта версия уже действует');
    const replaced = versions.find((v) => v.code === form.code && v.status === 'active');
    const name = form.definition.name;
    askConfirmation(
      req,
      res,
      {
        title: 'Подтвердите ввод версии в действие',
        consequence: `Версия ${form.version} формы ${name} станет действующей${replaced ? `, версия ${replaced.version} перестанет действовать` : ''}.`,
        details: [
          'Все несданные отчёты по этой форме во всех организациях будут считаться по новой версии.',
          'Сданные отчёты останутся по той версии, по которой их сдали.',
        ],
        confirmLabel: `Ввести в действие версию ${form.version}`,
        cancelHref: `/admin/forms/${id}`,
      },
      { section: 'forms' },
    );
  }

  async function showList(req: Request, res: Response, errors: string[], status: number, text = '') {
    const [versions, unionStatsFailure] = await Promise.all([forms.versions(), reports.lastUnionStatsFailure()]);
    res.status(status).render('forms/list', {
      title: 'Формы отчётности',
      section: 'forms',
      versions,
      unionStatsFailure,
      uploadErrors: errors,
      text,
      uploadCsrf: csrfTokenOf(req),
      indicators: INDICATORS,
      textFields: TEXT_FIELDS,
    });
  }

  return routes.router;
}
