import { type Router, type Request, type Response } from 'express';
import { orgOf } from '../access/loaders';
import { can as may, canOnObjects, guardedRouter } from '../access/route-guards';
import { z } from 'zod';
import { homeOrganizations, can } from '../access/access';
import type { Deps } from '../deps';
import { sendDownload } from '../http/download';
import { NotFoundError } from '../http/errors';
import { flash } from '../http/flash';
import { principalOf } from '../http/guards';
import { auditContextOf } from '../audit/audit';
import { plural } from '../shared/format';
import { XLSX_MIME } from '../shared/spreadsheet';
import { CHAIR_STATUSES } from './users.schemas';
import { CHAIR_STATUS_LABELS } from './chair-provisioning.service';

const overviewQuery = z.object({
  status: z.enum(CHAIR_STATUSES).optional().catch(undefined),
  after: z.string().trim().max(20).optional().catch(undefined),
});

/** Chairs' logins for a subtree: the monitoring list with the preview of a run, the run, and the table as XLSX. */
export function chairProvisioningRoutes({ db, loaders, services: { chairProvisioning } }: Deps): Router {
  const routes = guardedRouter();
  routes.param('inpo', loaders.organization);
  routes.get('/admin/chairs', canOnObjects('user.manage'), toOwnSubtree);
  routes.get('/orgs/:inpo/chairs', may('user.manage'), showOverview);
  routes.post('/orgs/:inpo/chairs/provision', may('user.manage'), provision);
  routes.get('/orgs/:inpo/chairs/export.xlsx', may('user.manage'), download);
  return routes.router;

  function toOwnSubtree(req: Request, res: Response) {
    const principal = principalOf(req);
    const root = homeOrganizations(principal).find((o) => can(principal, 'user.manage', o));
    if (!root) throw new NotFoundError();
    res.redirect(303, `/orgs/${root.inpo}/chairs`);
  }

  async function showOverview(req: Request, res: Response) {
    const query = overviewQuery.parse(req.query);
    const overview = await chairProvisioning.overview(orgOf(req), query);
    const nextQuery = overview.next
      ? new URLSearchParams({ ...(query.status ? { status: query.status } : {}), after: overview.next }).toString()
      : null;
    res.render('admin/chairs/overview', {
      title: `Логины председателей: ${overview.org.name}`,
      section: 'users',
      ...overview,
      query,
      nextQuery,
      labels: CHAIR_STATUS_LABELS,
    });
  }

  async function provision(req: Request, res: Response) {
    const org = orgOf(req);
    const { created } = await chairProvisioning.provision(principalOf(req), org, auditContextOf(req));
    flash(
      req,
      'success',
      created
        ? `Создано ${created} ${plural(created, ['логин', 'логина', 'логинов'])} председателей; приглашения отправляются. Таблицу результатов можно скачать.`
        : 'Новых логинов не требуется: у всех председателей с e-mail логины уже есть.',
    );
    res.redirect(303, `/orgs/${org.inpo}/chairs`);
  }

  async function download(req: Request, res: Response) {
    const org = orgOf(req);
    await sendDownload(db, req, res, {
      type: XLSX_MIME,
      fileName: `loginy-predsedatelej-${org.inpo}.xlsx`,
      write: (sink) => chairProvisioning.writeWorkbook(org.path, sink),
      audit: {
        action: 'user.chairs_exported',
        entity: 'organization',
        entityId: org.id,
        organizationId: org.id,
        newValues: { subtree: org.inpo },
      },
    });
  }
}
