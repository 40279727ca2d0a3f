import crypto from 'node:crypto';
import type { Express, Request, Response } from 'express';
import type { Knex } from 'knex';
import { ConflictError } from '../errors';
import { flash } from '../flash';
import { isStateChanging } from './security';
import { claimToken, deleteClaimsOlderThanADay, findClaim, releaseClaim, settleClaim } from './form-once.repo';

// One-time form tokens: every form carries a fresh `formToken` (rendered with the CSRF field). The
// first request with a token claims it; a repeat of the same form (a double click, a resent request,
// a second tab) waits for the first and is sent to where the first one led, instead of writing twice.
// The claim is its own short statement, so a waiting repeat holds no connection between its looks.

const TOKEN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const WAIT_MS = 15_000;
const LOOK_EVERY_MS = 50;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function setUpFormOnce(app: Express, db: Knex) {
  app.use(async (req, res, next) => {
    res.locals.formToken = () => crypto.randomUUID();
    // an upload's body is parsed later, by its route: its form puts the token in the action URL (as the CSRF token)
    const token = req.is('multipart/form-data')
      ? req.query.formToken
      : (req.body as Record<string, unknown> | undefined)?.formToken;
    if (!isStateChanging(req) || !req.user || typeof token !== 'string' || !TOKEN.test(token)) return next();
    try {
      const earlier = await claimOrAwait(db, req.user.id, token);
      if (!earlier) {
        settleWhenAnswered(db, req, res, token);
        return next();
      }
      flash(req, 'info', 'Эта форма уже была отправлена: показан её результат');
      res.redirect(303, earlier);
    } catch (err) {
      next(err);
    }
  });
}

/** Claims the token (undefined), or waits for the request that claimed it and returns where it led. */
async function claimOrAwait(db: Knex, userId: number, token: string): Promise<string | undefined> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    if (await claimToken(db, userId, token)) return undefined;
    const row = await findClaim(db, userId, token);
    if (row?.resultUrl) return row.resultUrl;
    // no row: the first request failed and released the token; the loop claims it anew
    if (row) await sleep(LOOK_EVERY_MS);
  }
  throw new ConflictError('Эта форма уже отправлена и ещё обрабатывается: дождитесь результата и обновите страницу');
}

/** A redirect is the form's result; any other answer (a form with errors, a failure) releases the token. */
function settleWhenAnswered(db: Knex, req: Request, res: Response, token: string) {
  res.once('finish', () => {
    const userId = req.user?.id;
    const location = res.statusCode === 303 ? res.get('location') : undefined;
    const settled = location ? settleClaim(db, userId, token, location) : releaseClaim(db, userId, token);
    settled.catch((err: unknown) => req.log?.warn({ err }, 'form token not settled'));
  });
}

/** Tokens older than a day: no double click takes that long. */
export async function pruneFormSubmissions(db: Knex): Promise<number> {
  return deleteClaimsOlderThanADay(db);
}
