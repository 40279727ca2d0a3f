import type { Request, Response, Router } from 'express';
import { orgOf } from '../access/loaders';
import { can, guardedRouter } from '../access/route-guards';
import type { Deps } from '../deps';
import { sendDownload } from '../http/download';
import { errorViewModel, parseForm } from '../http/forms';
import { XLSX_MIME } from '../shared/spreadsheet';
import { crossForm, seriesForm } from './analytics.schemas';
import {
  SERIES_COLUMNS,
  cellText,
  monthLabel,
  seriesCharts,
  tableTitle,
  writeCrossWorkbook,
  writeSeriesWorkbook,
} from './analytics.service';
import { DIMENSIONS, DIMENSION_LABELS, SHARES, SHARE_LABELS } from './dimensions';

/** What the analytics forms list: the dimensions and the shares with their names. */
const CHOICES = {
  dimensions: DIMENSIONS.map((value) => ({ value, label: DIMENSION_LABELS[value] })),
  shares: SHARES.map((value) => ({ value, label: SHARE_LABELS[value] })),
};

/** The query string of a form's values, for the download link beside the table. */
const queryOf = (query: Request['query']) =>
  new URLSearchParams(
    Object.entries(query).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  ).toString();

/** `/orgs/{inpo}/analytics`: members on a date cut by one or two dimensions, and the figures by month. */
export function analyticsRoutes({ db, loaders, services: { analytics } }: Deps): Router {
  const routes = guardedRouter();
  routes.param('inpo', loaders.organization);
  routes.get('/orgs/:inpo/analytics', can('report.view'), (req, res) => crossTable(req, res, false));
  routes.get('/orgs/:inpo/analytics/export.xlsx', can('report.view'), (req, res) => crossTable(req, res, true));
  routes.get('/orgs/:inpo/analytics/series', can('report.view'), (req, res) => series(req, res, false));
  routes.get('/orgs/:inpo/analytics/series/export.xlsx', can('report.view'), (req, res) => series(req, res, true));
  return routes.router;

  async function crossTable(req: Request, res: Response, download: boolean) {
    const org = orgOf(req);
    const form = parseForm(crossForm, req.query);
    const page = { title: `Аналитика: ${org.name}`, section: 'reports', org, values: req.query, ...CHOICES };
    if (!form.ok)
      return res.status(422).render('analytics/cross', { ...page, table: null, ...errorViewModel(form.errors) });
    const table = await analytics.crossTable(org, form.data);
    if (download)
      return sendDownload(db, req, res, {
        type: XLSX_MIME,
        fileName: `analitika-${org.inpo}-${form.data.date}.xlsx`,
        write: (sink) => writeCrossWorkbook(table, sink),
      });
    res.render('analytics/cross', {
      ...page,
      values: { ...req.query, date: form.data.date },
      table,
      caption: tableTitle(table),
      cellText,
      query: queryOf(req.query),
      ...errorViewModel([]),
    });
  }

  async function series(req: Request, res: Response, download: boolean) {
    const org = orgOf(req);
    const form = parseForm(seriesForm, req.query);
    const page = { title: `Аналитика по месяцам: ${org.name}`, section: 'reports', org, values: req.query };
    if (!form.ok)
      return res.status(422).render('analytics/series', { ...page, rows: null, ...errorViewModel(form.errors) });
    const rows = await analytics.series(org, form.data);
    if (download)
      return sendDownload(db, req, res, {
        type: XLSX_MIME,
        fileName: `analitika-po-mesyacam-${org.inpo}.xlsx`,
        write: (sink) => writeSeriesWorkbook(org, form.data, rows, sink),
      });
    res.render('analytics/series', {
      ...page,
      values: { from: form.data.from.slice(0, 7), to: form.data.to.slice(0, 7) },
      rows,
      charts: seriesCharts(rows),
      columns: SERIES_COLUMNS,
      monthLabel,
      query: queryOf(req.query),
      ...errorViewModel([]),
    });
  }
}
