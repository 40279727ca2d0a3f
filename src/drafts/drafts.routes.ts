import type { Request, Response } from 'express';
import type { Guard, GuardedRouter } from '../access/route-guards';
import { flash } from '../http/flash';
import { principalOf } from '../http/guards';
import { formatDateTime } from '../shared/format';
import { isUuid } from '../shared/uuid';
import { draftFieldsOf, type DraftsService } from './drafts.service';

// A long form's server-side draft: the page's script (public/js/app.js, forms with data-draft) posts what
// is typed to `<page>/draft` two seconds after the last keystroke; the page shows the draft again, with a
// notice and «Удалить черновик», until the form is saved. Without JavaScript nothing is posted and the
// form works as before. The draft routes take the form page's own guard: whoever may open the form.

export interface DraftForm {
  /** The form page's route, e.g. '/orgs/:inpo/members/new': the draft routes hang under it. */
  page: string;
  /** The form's key for the user: what it is and which object it edits (one draft per user and key). */
  key: (req: Request) => string;
  /** The names of the form's fields: anything else posted is not kept. */
  fields: readonly string[];
}

/** What a form page renders: where its script posts the draft, and the restored draft's notice. */
export interface DraftLocals {
  saveUrl: string;
  discardUrl: string;
  restoredAt?: string;
}

/** The page's URL for this request (its parameters filled in), also from the form's POST. */
const pageUrl = (req: Request, form: DraftForm) =>
  form.page.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(String(req.params[name])));

export function draftRoutes(routes: GuardedRouter, guard: Guard, drafts: DraftsService, form: DraftForm) {
  routes.post(`${form.page}/draft`, guard, async (req: Request, res: Response) => {
    const { sentWith } = draftFieldsOf(req.body, ['sentWith']);
    const token = isUuid(sentWith) ? sentWith : undefined;
    await drafts.save(principalOf(req).id, form.key(req), draftFieldsOf(req.body, form.fields), token);
    res.status(204).end();
  });
  routes.post(`${form.page}/draft/discard`, guard, async (req: Request, res: Response) => {
    await drafts.discard(principalOf(req).id, form.key(req));
    flash(req, 'info', 'Черновик удалён');
    res.redirect(303, pageUrl(req, form));
  });
}

/**
 * The form page's draft: on a fresh visit (GET) the user's own draft, if any, is laid over the initial
 * values (a field the draft lacks — one added to the form since — shows as it would without it); a form
 * sent back with errors keeps what was sent.
 */
export async function withDraft(
  req: Request,
  drafts: DraftsService,
  form: DraftForm,
  values: Record<string, unknown>,
): Promise<{ values: Record<string, unknown>; draft: DraftLocals }> {
  const url = pageUrl(req, form);
  const draft: DraftLocals = { saveUrl: `${url}/draft`, discardUrl: `${url}/draft/discard` };
  const saved = req.method === 'GET' ? await drafts.find(principalOf(req).id, form.key(req)) : undefined;
  if (!saved) return { values, draft };
  return { values: { ...values, ...saved.fields }, draft: { ...draft, restoredAt: formatDateTime(saved.savedAt) } };
}

/**
 * After the form's successful save: its draft is done with. The save has committed by then, so a failure
 * here is logged rather than answered as an error (the draft then expires with the others).
 */
export async function forgetDraft(req: Request, drafts: DraftsService, form: DraftForm): Promise<void> {
  try {
    await drafts.discard(principalOf(req).id, form.key(req));
  } catch (err) {
    req.log?.warn({ err }, 'draft not deleted after its form was saved');
  }
}
