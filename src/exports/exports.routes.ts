import fs from 'node:fs';
import type { Request, Response, Router } from 'express';
import { guardedRouter, signedIn } from '../access/route-guards';
import type { Deps } from '../deps';
import { NotFoundError } from '../http/errors';
import { principalOf } from '../http/guards';
import { findOwnJob, jobFilePath } from './export-jobs';

/** A background export's progress page and its file: both for the requester only. */
export function exportsRoutes({ db, config }: Deps): Router {
  const routes = guardedRouter();
  routes.get('/exports/:id', signedIn, showJob);
  routes.get('/exports/:id/download', signedIn, download);
  return routes.router;

  async function showJob(req: Request, res: Response) {
    const job = await findOwnJob(db, principalOf(req).id, String(req.params.id));
    if (!job) throw new NotFoundError();
    res.render('exports/job', { title: 'Выгрузка', section: 'members', job, refresh: job.status === 'queued' || job.status === 'running' });
  }

  async function download(req: Request, res: Response) {
    const job = await findOwnJob(db, principalOf(req).id, String(req.params.id));
    if (!job || job.status !== 'done') throw new NotFoundError();
    const file = jobFilePath(config.exportDir, job);
    if (!fs.existsSync(file)) throw new NotFoundError();
    // the default directory is .data/exports: a dot segment that send() would otherwise answer with 404
    res.download(file, `chleny-profsoyuza.${job.format}`, { dotfiles: 'allow' });
  }
}
