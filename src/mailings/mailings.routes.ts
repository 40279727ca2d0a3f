import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { orgOf } from '../access/loaders';
import { can, guardedRouter } from '../access/route-guards';
import { auditContextOf } from '../audit/audit';
import type { Deps } from '../deps';
import { NotFoundError, type FieldError } from '../http/errors';
import { flash } from '../http/flash';
import { errorViewModel, parseForm } from '../http/forms';
import { principalOf } from '../http/guards';
import { idParam } from '../http/params';
import { maskEmail } from '../members/contact-masks';
import { MEMBER_DICTIONARIES, MEMBER_FILTER_CHOICES } from '../members/member-views';
import { LEVEL_LABELS } from '../registry/levels';
import { OFFICER_POSTS, OFFICER_POST_LABELS } from '../registry/officer-posts';
import { INT4_MAX } from '../shared/numbers';
import { renderMarkdown } from './markdown';
import { ACTIVIST_LEVELS, composeForm, targetOf } from './mailings.schemas';

const pageQuery = z.object({
  before: z.coerce.number().int().min(1).max(INT4_MAX).optional().catch(undefined),
  failedAfter: z.coerce.number().int().min(1).optional().catch(undefined),
});

/** The compose form's fixed choices. */
const CHOICES = {
  ...MEMBER_DICTIONARIES,
  ...MEMBER_FILTER_CHOICES,
  OFFICER_POSTS,
  OFFICER_POST_LABELS,
  ACTIVIST_LEVELS,
  LEVEL_LABELS,
};

/** The form's values as the page shows them again: repeated checkboxes as arrays. */
const valuesOf = (body: Record<string, unknown> = {}) => ({
  target: 'members',
  ...body,
  posts: ([] as unknown[]).concat(body.posts ?? []),
  levels: ([] as unknown[]).concat(body.levels ?? []),
});

/**
 * `/orgs/{inpo}/mailings`: mass mailings of the organization to its subtree — the list, the compose form
 * (one POST whose button says what to do: preview with the exact count and a sample, a test letter to
 * oneself, or send), and each mailing's page with its progress (refreshed while it runs), delivery by
 * child organization and the failed addresses with links to the cards to fix.
 */
export function mailingsRoutes({ loaders, services: { mailings } }: Deps): Router {
  const routes = guardedRouter();
  routes.param('inpo', loaders.organization);
  routes.get('/orgs/:inpo/mailings', can('mailing.send'), list);
  routes.get('/orgs/:inpo/mailings/new', can('mailing.send'), (req, res) => compose(req, res, 200, []));
  routes.post('/orgs/:inpo/mailings', can('mailing.send'), submit);
  routes.get('/orgs/:inpo/mailings/:mailingId', can('mailing.send'), show);
  return routes.router;

  async function list(req: Request, res: Response) {
    const org = orgOf(req);
    const { before } = pageQuery.parse(req.query);
    const items = await mailings.list(org, before);
    res.render('mailings/list', {
      title: `Рассылки: ${org.name}`,
      section: 'registry',
      org,
      items,
      next: items.length === mailings.listPageSize ? items.at(-1)!.id : null,
    });
  }

  function compose(
    req: Request,
    res: Response,
    status: number,
    errors: FieldError[],
    preview?: Awaited<ReturnType<typeof mailings.preview>> & { html: string },
  ) {
    const org = orgOf(req);
    res.status(status).render('mailings/compose', {
      title: `Новая рассылка: ${org.name}`,
      section: 'registry',
      org,
      values: req.method === 'POST' ? valuesOf(req.body) : valuesOf(),
      preview: preview && { ...preview, sample: preview.sample.map((s) => ({ ...s, address: maskEmail(s.address) })) },
      sends: mailings.sends,
      ...CHOICES,
      ...errorViewModel(errors),
    });
  }

  async function submit(req: Request, res: Response) {
    const org = orgOf(req);
    const principal = principalOf(req);
    const form = parseForm(composeForm, req.body);
    if (!form.ok) return compose(req, res, 422, form.errors);
    const letter = { subject: form.data.subject, body: form.data.body };
    const target = targetOf(form.data, req.body);
    if (form.data.step === 'send') {
      const id = await mailings.create(org, principal, auditContextOf(req), letter, target);
      flash(req, 'success', 'Рассылка поставлена в очередь');
      return res.redirect(303, `/orgs/${org.inpo}/mailings/${id}`);
    }
    if (form.data.step === 'test') {
      const to = await mailings.sendTest(principal, letter);
      if (!to) {
        const message = 'В вашей учётной записи нет адреса электронной почты: пробное письмо отправить некуда';
        return compose(req, res, 422, [{ field: 'step', message }]);
      }
      flash(req, 'success', `Пробное письмо отправлено на ${to}`);
    }
    const preview = await mailings.preview(org, principal, target);
    compose(req, res, 200, [], { ...preview, html: renderMarkdown(letter.body) });
  }

  async function show(req: Request, res: Response) {
    const org = orgOf(req);
    const { failedAfter } = pageQuery.parse(req.query);
    const page = await mailings.page(org, idParam(req, 'mailingId'), failedAfter);
    if (!page) throw new NotFoundError();
    res.render('mailings/show', {
      title: `Рассылка: ${page.mailing.subject}`,
      section: 'registry',
      org,
      ...page,
      html: renderMarkdown(page.mailing.body),
      sends: mailings.sends,
      refresh: page.mailing.status === 'sending' && mailings.sends && !failedAfter,
    });
  }
}
