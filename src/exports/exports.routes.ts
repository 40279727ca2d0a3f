import fs from 'node:fs';
import type { Request, Response, Router } from 'express';
import { orgOf } from '../access/loaders';
import { can, guardedRouter, signedIn } from '../access/route-guards';
import { filterOf, listQuery, readerOf } from '../members/member-list-query';
import type { Deps } from '../deps';
import { NotFoundError } from '../http/errors';
import { principalOf } from '../http/guards';
import { jobFilePath } from './export-jobs';

/** A background export of a member list: queued by whoever may read the list; its progress page and its file for the requester only. */
export function exportsRoutes({ config, loaders, services: { members, exportJobs } }: Deps): Router {
  const routes = guardedRouter();
  routes.param('inpo', loaders.organization);
  routes.post('/orgs/:inpo/members/export-jobs', can('member.view'), queueExport);
  routes.get('/exports/:id', signedIn, showJob);
  routes.get('/exports/:id/download', signedIn, download);
  return routes.router;

  /** Lists larger than a direct download are prepared in the background (the link then leads to its progress). */
  async function queueExport(req: Request, res: Response) {
    const org = orgOf(req);
    const format = req.body?.format === 'csv' ? 'csv' : 'xlsx';
    const filter = filterOf(listQuery.parse(req.body ?? {}));
    const reader = readerOf(req);
    const id = await exportJobs.enqueue(
      principalOf(req).id,
      org.id,
      format,
      filter,
      reader,
      await members.count(org, filter, reader),
    );
    res.redirect(303, `/exports/${id}`);
  }

  async function showJob(req: Request, res: Response) {
    const job = await exportJobs.ownJob(principalOf(req).id, String(req.params.id));
    if (!job) throw new NotFoundError();
    res.render('exports/job', {
      title: 'Выгрузка',
      section: 'members',
      job,
      refresh: job.status === 'queued' || job.status === 'running',
    });
  }

  async function download(req: Request, res: Response) {
    const job = await exportJobs.ownJob(principalOf(req).id, String(req.params.id));
    if (!job || job.status !== 'done') throw new NotFoundError();
    const file = jobFilePath(config.exportDir, job);
    if (!fs.existsSync(file)) throw new NotFoundError();
    // the default directory is .data/exports: a dot segment that send() would otherwise answer with 404
    res.download(file, `chleny-profsoyuza.${job.format}`, { dotfiles: 'allow' });
  }
}
