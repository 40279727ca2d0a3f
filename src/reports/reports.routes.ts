import type { Request, Response, Router } from 'express';
import { orgOf } from '../access/loaders';
import { can, guardedRouter } from '../access/route-guards';
import { z } from 'zod';
import { can as allowed } from '../access/access';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import { ForbiddenError, NotFoundError, type FieldError } from '../http/errors';
import { sendDownload } from '../http/download';
import { flash } from '../http/flash';
import { errorViewModel, parseForm } from '../http/forms';
import { principalOf } from '../http/guards';
import type { Principal } from '../access/principal';
import { LEVEL_LABELS } from '../registry/levels';
import { FORM_CODE_PATTERN } from './forms/form-schema';
import { todayIso } from '../shared/dates';
import { idInput } from '../shared/fields';
import { XLSX_MIME } from '../shared/spreadsheet';
import { REPORT_STATUS_LABELS, diffReports, lastReturn } from './filing';
import { headcountControlIds } from './forms/headcount-controls';
import { currentReportingDate, isReportDate, isReportingDate, recentReportingDates } from './periods';
import { renderReportPdf } from './render/report-pdf';
import { renderReportWorkbook } from './render/report-xlsx';
import { listPageRows } from './render/report-text';
import { boardFormOf, type ReportTarget } from './reports.service';
import { readPlaceText } from './read-place-text';
import { lineHints } from './forms/line-hint';
import { reportJson } from './report-json';

/** The board's selections of its rows: the overdue reports, the returned ones. */
const BOARD_SHOWS = ['overdue', 'returned'] as const;
const FILE_NAME = /^(\d{4}-\d{2}-\d{2})(?:\.(json|xlsx|pdf))?$/;
const reportQuery = z.object({
  version: idInput('Номер версии — целое число', 100_000).optional().catch(undefined),
  source: z.enum(['live', 'filed']).optional().catch(undefined),
  children: z.enum(['1']).optional().catch(undefined),
});
const commentSchema = z.object({
  comment: z.string().trim().min(1, 'Напишите, что нужно исправить').max(2000, 'Не больше 2000 знаков'),
});

export function reportsRoutes({ db, eventDates, loaders, services: { reports } }: Deps): Router {
  const routes = guardedRouter();
  routes.param('inpo', loaders.organization);

  routes.get('/orgs/:inpo/reports', can('report.view'), async (req, res) => {
    const org = orgOf(req);
    const rows = await reports.calendarOf(org);
    const consolidating = org.level !== 'primary' || org.hasTerritorialRights;
    res.render('reports/index', {
      title: `Отчёты: ${org.name}`,
      section: 'reports',
      org,
      rows,
      consolidating,
      REPORT_STATUS_LABELS,
      LEVEL_LABELS,
    });
  });

  // "any date": the reports page's date field lands on the report's stable URL
  routes.get('/orgs/:inpo/reports/open', can('report.view'), async (req, res) => {
    const org = orgOf(req);
    const q = z
      .object({ form: z.string().regex(FORM_CODE_PATTERN), date: z.string().refine((d) => isReportDate(d)) })
      .safeParse(req.query);
    if (!q.success) {
      flash(req, 'danger', 'Укажите форму и дату отчёта');
      return res.redirect(303, `/orgs/${org.inpo}/reports`);
    }
    res.redirect(303, `/reports/${q.data.form}/${org.inpo}/${q.data.date}`);
  });

  routes.get('/orgs/:inpo/reports/board', can('report.view'), async (req, res) => {
    const principal = principalOf(req);
    const org = orgOf(req);
    const code = typeof req.query.form === 'string' ? req.query.form : boardFormOf(org);
    const form = (await reports.formsOf(org)).find((f) => f.code === code);
    if (!form) throw new NotFoundError('Эта форма не сводится организацией такого уровня');
    const date =
      typeof req.query.date === 'string' && isReportDate(req.query.date)
        ? req.query.date
        : currentReportingDate(form.definition, todayIso());
    const t = await reports.target(org, form.code, date);
    const all = await reports.board(t);
    const counts = Object.fromEntries(
      ['missing', 'draft', 'submitted', 'accepted', 'returned'].map((s) => [
        s,
        all.filter((r) => r.status === s).length,
      ]),
    );
    // the home page's tasks lead to the overdue or the returned reports only
    const show = BOARD_SHOWS.find((s) => s === req.query.show) ?? null;
    const rows =
      show === 'overdue'
        ? all.filter((r) => r.late)
        : show === 'returned'
          ? all.filter((r) => r.status === 'returned')
          : all;
    res.render('reports/board', {
      title: `Сдача отчётов: ${org.name}`,
      section: 'reports',
      org,
      form,
      date,
      rows,
      all: all.length,
      show,
      counts,
      REPORT_STATUS_LABELS,
      dates: recentReportingDates(form.definition, todayIso(), 8),
      mayDecide: allowed(principal, 'report.accept', org),
    });
  });

  routes.get('/reports/:form/:inpo/:file', can('report.view'), async (req, res) => {
    const match = FILE_NAME.exec(String(req.params.file));
    if (!match) throw new NotFoundError();
    const [, date, ext] = match;
    const principal = principalOf(req);
    const t = await reports.target(orgOf(req), String(req.params.form), date!);
    const query = reportQuery.parse(req.query);
    const chosen = await chooseResult(principal, t, query);
    if (ext === 'json') return res.json(reportJson(chosen.result));
    if (ext === 'xlsx') {
      // the children follow the main sheet: live drafts under a live draft, filed versions under anything filed
      const children = query.children
        ? await reports.childReports(t, chosen.result.source === 'live' && !chosen.version ? 'live' : 'filed')
        : [];
      return sendDownload(db, req, res, {
        type: XLSX_MIME,
        fileName: downloadName(t, 'xlsx'),
        write: (sink) => renderReportWorkbook([chosen.result, ...children], sink.out),
      });
    }
    if (ext === 'pdf') {
      return sendDownload(db, req, res, {
        type: 'application/pdf',
        fileName: downloadName(t, 'pdf'),
        write: (sink) => renderReportPdf(chosen.result, sink.out),
      });
    }
    await showReport(req, res, t, chosen);
  });

  routes.post('/reports/:form/:inpo/:date/file', can('report.file'), async (req, res) => {
    const t = await reports.target(orgOf(req), String(req.params.form), String(req.params.date));
    const outcome = await reports.file(auditContextOf(req), t);
    if ('refused' in outcome) for (const f of outcome.refused) flash(req, 'danger', f.message);
    else
      flash(
        req,
        'success',
        `Отчёт сдан (версия ${outcome.number}). Вышестоящая организация увидит его на доске сдачи отчётов.`,
      );
    res.redirect(303, reportUrl(t));
  });

  for (const action of ['accept', 'return', 'reopen'] as const) {
    routes.post(`/reports/:form/:inpo/:date/${action}`, can('report.view'), async (req, res) => {
      const principal = principalOf(req);
      const t = await reports.target(orgOf(req), String(req.params.form), String(req.params.date));
      const { parent, mayDecide } = await reports.higher(principal, t.org);
      if (!parent || !mayDecide) throw new ForbiddenError('Принимает и возвращает отчёт вышестоящая организация');
      let comment: string | null = null;
      if (action !== 'accept') {
        const form = parseForm(commentSchema, req.body);
        // the coordinator stays on the report, the field saying what is missing
        if (!form.ok) {
          const errors = form.errors.map((e) => ({ ...e, field: `${action}-comment` }));
          return showReport(req, res.status(422), t, await chooseResult(principal, t, {}), {
            errors,
            comment: String(req.body?.comment ?? ''),
          });
        }
        comment = form.data.comment;
      }
      await reports.decide(
        auditContextOf(req),
        t,
        action === 'accept' ? 'accepted' : action === 'return' ? 'returned' : 'reopened',
        comment,
      );
      flash(req, 'success', action === 'accept' ? 'Отчёт принят' : 'Отчёт возвращён на доработку');
      res.redirect(303, reportUrl(t));
    });
  }

  routes.get('/reports/:form/:inpo/:date/compare', can('report.view'), async (req, res) => {
    const t = await reports.target(orgOf(req), String(req.params.form), String(req.params.date));
    const comparison = await reports.compare(t);
    res.render('reports/compare', {
      title: `Сверка: ${t.form.definition.name}, ${t.org.name}`,
      section: 'reports',
      t,
      ...comparison,
      readNote: readPlaceText(comparison.live.readFrom),
      REPORT_STATUS_LABELS,
      reportUrl,
    });
  });

  routes.get('/reports/:form/:inpo/:date/versions', can('report.view'), async (req, res) => {
    const t = await reports.target(orgOf(req), String(req.params.form), String(req.params.date));
    const q = z
      .object({ a: idInput('Номер версии', 100_000), b: idInput('Номер версии', 100_000) })
      .safeParse(req.query);
    if (!q.success) throw new NotFoundError();
    const [a, b] = await Promise.all([reports.version(t, q.data.a), reports.version(t, q.data.b)]);
    res.render('reports/versions', {
      title: `Версии отчёта ${t.form.definition.name}`,
      section: 'reports',
      t,
      a,
      b,
      differences: diffReports(a.result, b.result),
      reportUrl,
    });
  });

  /** The report a page or download shows, as its reader may see it (cards named only to those who may open them). */
  async function chooseResult(principal: Principal, t: ReportTarget, query: z.output<typeof reportQuery>) {
    const chosen = await chooseSource(t, query);
    return { ...chosen, result: await reports.readableFor(principal, chosen.result) };
  }

  async function chooseSource(t: ReportTarget, query: z.output<typeof reportQuery>) {
    if (query.version) {
      const v = await reports.version(t, query.version);
      return { result: v.result, version: v, report: await reports.reportOf(t) };
    }
    if (query.source === 'filed') {
      const { fromFiled } = await reports.consolidateFiled(t);
      return { result: fromFiled, version: undefined, report: await reports.reportOf(t) };
    }
    if (query.source === 'live') {
      return { result: await reports.draft(t), version: undefined, report: await reports.reportOf(t) };
    }
    const current = await reports.current(t);
    return { result: current.result, version: current.filed, report: current.report };
  }

  async function showReport(
    req: Request,
    res: Response,
    t: ReportTarget,
    chosen: Awaited<ReturnType<typeof chooseResult>>,
    refused: { errors: FieldError[]; comment: string } = { errors: [], comment: '' },
  ) {
    const principal = principalOf(req);
    const mayFile = allowed(principal, 'report.file', t.org);
    // Opening a report reads it: the row appears when the report is first filed (a GET never writes).
    const report = chosen.report ?? (await reports.reportOf(t));
    const [{ versions, events }, higher] = await Promise.all([
      reports.historyOf(report),
      reports.higher(principal, t.org),
    ]);
    const def = t.form.definition;
    const status = report?.status ?? 'missing';
    res.render('reports/report', {
      title: `${def.name}: ${t.org.name}`,
      section: 'reports',
      t,
      result: chosen.result,
      readNote: readPlaceText(chosen.result.readFrom),
      // a report filed under an earlier version of the form keeps its lines, whose wording may differ
      hints: chosen.result.form.version === def.version ? lineHints(def) : {},
      shownVersion: chosen.version,
      report,
      versions,
      events,
      status,
      REPORT_STATUS_LABELS,
      returned: status === 'returned' ? lastReturn(events) : undefined,
      future: t.date > eventDates.today(),
      headcountControls: t.org.level === 'primary' ? headcountControlIds(def) : new Set<string>(),
      reportUrl,
      parent: higher.parent,
      mayDecide: higher.mayDecide,
      mayFile:
        mayFile &&
        isReportingDate(def, t.date) &&
        t.date <= eventDates.today() &&
        report?.status !== 'accepted' &&
        !chosen.version,
      consolidating: def.kind === 'lines' && !!def.consolidates?.length,
      listRows: listPageRows(chosen.result),
      dates: recentReportingDates(def, todayIso(), 8),
      ...errorViewModel(refused.errors),
      typedComment: refused.comment,
    });
  }

  return routes.router;
}

export function reportUrl(t: { form: { code: string }; org: { inpo: string }; date: string }, ext = ''): string {
  return `/reports/${t.form.code}/${t.org.inpo}/${t.date}${ext}`;
}

function downloadName(t: ReportTarget, ext: string) {
  return `${t.form.code}_${t.org.inpo}_${t.date}.${ext}`;
}
