import type { NextFunction, Request, Response, Router } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { guardedRouter, publicRoute } from '../access/route-guards';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import { clientIp } from '../http/client-ip';
import { AppError, NotFoundError } from '../http/errors';
import { rejectNulBytes } from '../http/setup/input-guard';
import { UNSUBSCRIBE_PATH } from '../shared/unsubscribe-path';

const TITLE = 'Отписка от рассылок Профсоюза';
/** RFC 8058: the body a one-click POST carries; the page's form sends the same field. */
const oneClickSchema = z.object({ 'List-Unsubscribe': z.literal('One-Click') });
/**
 * RFC 8058 asks mail providers to POST as multipart/form-data (urlencoded is allowed too, and parsed by
 * the app's body parser): one short text field, nothing else accepted.
 */
const parseMultipart = multer({ limits: { fields: 5, fieldSize: 200, files: 0, parts: 5 } }).none();
const badRequest = () => new AppError(400, 'bad_request', 'Некорректный запрос отписки');

/** A multipart body parsed (a urlencoded one already is), refused as a whole when it holds more than the field. */
function multipartFields(req: Request, res: Response, next: NextFunction) {
  parseMultipart(req, res, (err: unknown) => (err ? next(badRequest()) : rejectNulBytes(req, res, next)));
}

/**
 * The unsubscribe link of a letter to a member (public). GET shows a page with a button and changes
 * nothing (mail scanners open links); POST — the page's button or a mail client's one-click request,
 * exempt from CSRF and Origin checks (shared/unsubscribe-path.ts) — withdraws the mailing consent.
 */
export function unsubscribeRoutes({ services: { unsubscribe } }: Deps): Router {
  const routes = guardedRouter();
  const path = `${UNSUBSCRIBE_PATH}/:token`;
  routes.get(path, publicRoute, showPage);
  routes.post(path, publicRoute, multipartFields, withdraw);
  return routes.router;

  async function showPage(req: Request, res: Response) {
    const page = await unsubscribe.page(String(req.params.token), clientIp(req)).catch(unknownLink(res));
    if (page) render(res, 200, { state: page.subscribed ? 'offer' : 'already', ...page });
  }

  /** Answered 200 with the outcome, not 303: a mail provider's one-click request expects a 2xx answer. */
  async function withdraw(req: Request, res: Response) {
    if (!oneClickSchema.safeParse(req.body ?? {}).success) throw badRequest();
    const done = await unsubscribe.unsubscribe(String(req.params.token), auditContextOf(req)).catch(unknownLink(res));
    if (done !== undefined) render(res, 200, { state: done ? 'done' : 'already' });
  }
}

/** An unknown or expired link: its own Russian page (404), not the generic one. */
function unknownLink(res: Response) {
  return (err: unknown): undefined => {
    if (!(err instanceof NotFoundError)) throw err;
    render(res, 404, { state: 'unknown', message: err.message });
    return undefined;
  };
}

function render(res: Response, status: number, model: Record<string, unknown>) {
  res.status(status).render('unsubscribe/page', { title: TITLE, organizationName: null, ...model });
}
