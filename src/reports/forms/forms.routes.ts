import fs from 'node:fs';
import type { Request, Response, Router } from 'express';
import { orgOf } from '../../access/loaders';
import { can, guardedRouter } from '../../access/route-guards';
import type { Knex } from 'knex';
import { z } from 'zod';
import { auditContextOf, recordAudit } from '../../audit/audit';
import { inTransaction } from '../../db/transaction';
import type { Deps } from '../../deps';
import { NotFoundError, ConflictError } from '../../http/errors';
import { flash } from '../../http/flash';
import { principalOf } from '../../http/guards';
import { idParam } from '../../http/params';
import { csrfTokenOf } from '../../http/setup/csrf';
import { uploadFile } from '../../imports/upload';
import { todayIso } from '../../shared/dates';
import { INT4_MAX } from '../../shared/numbers';
import { findNul, nulMessage } from '../../shared/nul';
import { createReportsService } from '../reports.service';
import { currentReportingDate } from '../periods';
import { compileDefinition } from './compile';
import { findFormVersion, listFormVersions, nextVersionNumber } from './forms.repo';
import { INDICATORS, TEXT_FIELDS } from '../indicators/catalog';

// A federal administrator loads a new version of a form without a code change: upload → validation
// with precise messages → preview on a chosen organization → activation. Filed reports keep theirs.

const MAX_DEFINITION_BYTES = 512 * 1024;
const previewQuery = z.object({ inpo: z.string().trim().max(20).optional().catch(undefined), date: z.string().trim().max(10).optional().catch(undefined) });

export function formsRoutes({ db, config, loaders }: Deps): Router {
  const reports = createReportsService(db);
  const routes = guardedRouter();
  routes.use('/admin/forms', loaders.union);

  routes.get('/admin/forms', can('form.manage'), async (req, res) => {
    await showList(req, res, [], 200);
  });

  routes.post('/admin/forms', can('form.manage'), uploadFile(config.uploadDir, MAX_DEFINITION_BYTES), async (req, res) => {
    const text = req.file?.size ? await fs.promises.readFile(req.file.path, 'utf8') : typeof req.body?.definition === 'string' ? req.body.definition : '';
    if (!text.trim()) return showList(req, res, ['Выберите файл с определением формы (JSON) или вставьте его текст'], 422, text);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      return showList(req, res, [`Файл не является корректным JSON: ${(err as Error).message}`], 422, text);
    }
    // a \u0000 escape is valid JSON that PostgreSQL's jsonb refuses
    const withNul = findNul(json);
    if (withNul) return showList(req, res, [nulMessage(withNul)], 422, text);
    const result = compileDefinition(json);
    if (!result.ok) return showList(req, res, result.errors, 422, text);
    const def = result.form.def;
    const next = await nextVersionNumber(db, def.code);
    if (def.version !== next) {
      return showList(req, res, [`version: для формы ${def.code} следующая версия — ${next}, а в файле указана ${def.version}`], 422, text);
    }
    const id = await inTransaction(db, async (trx) => {
      const [row] = await trx('form_versions').insert({ code: def.code, version: def.version, title: def.title, definition: JSON.stringify(json), status: 'draft', uploaded_by: principalOf(req).id }).returning('id');
      await recordAudit(trx, auditContextOf(req), { action: 'form.uploaded', entity: 'form_version', entityId: row.id, newValues: { code: def.code, version: def.version } });
      return row.id as number;
    });
    flash(req, 'success', `Версия ${def.version} формы ${def.name} загружена. Проверьте её на организации и активируйте.`);
    res.redirect(303, `/admin/forms/${id}`);
  });

  routes.get('/admin/forms/:formVersionId', can('form.manage'), async (req, res) => {
    const union = orgOf(req);
    const id = idParam(req, 'formVersionId', INT4_MAX);
    const form = await findFormVersion(db, id);
    if (!form) throw new NotFoundError();
    const q = previewQuery.parse(req.query);
    const date = q.date ?? currentReportingDate(form.definition, todayIso());
    const preview = q.inpo ? await reports.previewVersion(id, principalOf(req), q.inpo, date) : null;
    res.render('forms/version', { title: `Форма ${form.definition.name}, версия ${form.version}`, section: 'forms', form, union, inpo: q.inpo ?? '', date, preview });
  });

  routes.post('/admin/forms/:formVersionId/activate', can('form.manage'), async (req, res) => {
    const id = idParam(req, 'formVersionId', INT4_MAX);
    const form = await activate(db, id, req);
    flash(req, 'success', `Версия ${form.version} формы ${form.definition.name} действует: новые отчёты считаются по ней, сданные остаются прежними.`);
    res.redirect(303, '/admin/forms');
  });

  async function showList(req: Request, res: Response, errors: string[], status: number, text = '') {
    const versions = await listFormVersions(db);
    res.status(status).render('forms/list', {
      title: 'Формы отчётности', section: 'forms', versions, uploadErrors: errors, text,
      uploadCsrf: csrfTokenOf(req), indicators: INDICATORS, textFields: TEXT_FIELDS,
    });
  }

  return routes.router;
}

async function activate(db: Knex, id: number, req: Request) {
  return inTransaction(db, async (trx) => {
    const form = await trx('form_versions').where({ id }).forUpdate().first();
    if (!form) throw new NotFoundError();
    if (form.status === 'active') throw new ConflictError('Эта версия уже действует');
    await trx('form_versions').where({ code: form.code, status: 'active' }).update({ status: 'retired' });
    await trx('form_versions').where({ id }).update({ status: 'active', activated_at: trx.fn.now() });
    await recordAudit(trx, auditContextOf(req), { action: 'form.activated', entity: 'form_version', entityId: id, newValues: { code: form.code, version: form.version } });
    return { version: form.version as number, definition: form.definition as { name: string } };
  });
}
