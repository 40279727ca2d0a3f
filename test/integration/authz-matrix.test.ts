import express from 'express';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../src/access/roles';
import { createApp } from '../../src/app';
import { AUTHZ_MATRIX, type MatrixEntry, type Subject } from '../authz-matrix';
import { useTestApp } from '../support/app';
import { anonymousAgent, loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser, type TestUser } from '../support/factories';
import { guardedRouter, type Guard } from '../../src/access/route-guards';
import { createLibraryDocument } from '../support/library';
import { createOfficerFile } from '../support/officers';
import { listRoutes, routesWithoutPermission } from '../support/routes';
import { createOpenCampaign } from '../support/campaigns';
import { createPublishedSurvey } from '../support/surveys';

const ctx = useTestApp();
const key = (e: Pick<MatrixEntry, 'method' | 'path'>) => `${e.method} ${e.path}`;

function routesMissingFromMatrix(app: express.Express): string[] {
  const listed = new Set(AUTHZ_MATRIX.map(key));
  return listRoutes(app).filter((r) => !listed.has(r));
}

describe('authorization matrix: completeness', () => {
  it('when the router is enumerated, then every route has a matrix entry and every entry a route', () => {
    expect(routesMissingFromMatrix(ctx.app)).toEqual([]);
    const routes = new Set(listRoutes(ctx.app));
    expect(AUTHZ_MATRIX.map(key).filter((k) => !routes.has(k))).toEqual([]);
  });

  it('when a route is added without a matrix entry, then the check names it', async () => {
    const { app, close } = createApp(ctx.deps);
    const feature = express.Router();
    feature.post('/orgs/:inpo/secret', (_req, res) => void res.end());
    app.use(feature);
    app.get('/unlisted', (_req, res) => void res.end());
    expect(routesMissingFromMatrix(app)).toEqual(['GET /unlisted', 'POST /orgs/:inpo/secret']);
    await close();
  });

  it('when the router is enumerated, then every route names its permission on its own line', () => {
    expect(routesWithoutPermission(ctx.app)).toEqual([]);
  });

  it('when a route is added without a permission, then it does not compile, fails at start-up, or the check names it', async () => {
    const routes = guardedRouter();
    // @ts-expect-error a route line without a permission does not compile
    const unguarded = () => routes.post('/orgs/:inpo/secret', (_req, res) => void res.end());
    expect(unguarded).toThrow(/must name a permission/);
    // a cast gets past the compiler, not past the router
    expect(() =>
      routes.get(
        '/orgs/:inpo/secret',
        ((_req: unknown, res: { end: () => void }) => void res.end()) as unknown as Guard,
      ),
    ).toThrow(/must name a permission/);

    const { app, close } = createApp(ctx.deps);
    const plain = express.Router();
    plain.post('/orgs/:inpo/secret', (_req, res) => void res.end());
    app.use(plain);
    app.get('/unguarded', (_req, res) => void res.end());
    expect(routesWithoutPermission(app)).toEqual(['GET /unguarded', 'POST /orgs/:inpo/secret']);
    await close();
  });
});

describe('authorization matrix: every route as every role', () => {
  const users = {} as Record<Role, TestUser>;
  const targets = {} as Record<'inside' | 'outside', Record<string, string>>;

  beforeAll(async () => {
    const db = ctx.database.ownerDb;
    const r1 = await createRegionTree(db, 16);
    const r2Region = await createOrg(db, r1.union, 'regional', { regionCode: 39 });
    const r2Primary = await createOrg(db, await createOrg(db, r2Region, 'territorial'), 'primary');
    const grantOrg: Record<Role, typeof r1.union> = {
      admin: r1.union,
      coordinator: r1.region,
      curator: r1.region,
      statistician: r1.region,
      chair: r1.primary,
      member: r1.primary,
    };
    for (const role of ROLES) users[role] = await createUser(db, [{ role, org: grantOrg[role] }]);
    const [insideMember] = await createMembers(db, r1.primary, 1);
    const [outsideMember] = await createMembers(db, r2Primary, 1);
    const report = { form: '5-SP', file: '2026-04-01.json', date: '2026-04-02', formVersionId: '1', templateId: '1' };
    // a document of each page that offers them
    const documents = {
      memberDocument: 'certificate.pdf',
      applicationDocument: 'membership-application.docx',
      orgDocument: 'registration-card.docx',
    };
    // an officer typed before officers were people: the form that names their person opens for editors
    const [officer] = await db('org_officers')
      .insert({
        organization_id: r1.primary.id,
        post: 'deputy',
        surname: 'Петрова',
        name: 'Мария',
        elected_on: '2024-01-10',
      })
      .returning('id');
    // users administered: a chair inside (who has worked, so is never deleted) and one of R2
    const insideUser = await createUser(db, [{ role: 'chair', org: r1.primary }]);
    await db('users').where({ id: insideUser.id }).update({ email: 'chair@example.ru' });
    await db('audit_log').insert({
      actor_user_id: insideUser.id,
      action: 'user.logged_in',
      entity: 'user',
      entity_id: String(insideUser.id),
    });
    const outsideUser = await createUser(db, [{ role: 'chair', org: r2Primary }]);
    const foreignGrant = await db('role_grants').where({ user_id: outsideUser.id }).first('id');
    const [message] = await db('mail_outbox')
      .insert({ to_address: 'someone@example.ru', subject: 'Письмо', body: 'Текст', status: 'kept' })
      .returning('id');
    const handle = '0'.repeat(32); // no session has it
    const libraryDir = ctx.config.libraryDir;
    const insideDoc = await createLibraryDocument(db, libraryDir, { issuer: r1.region, visibleTo: r1.region });
    const outsideDoc = await createLibraryDocument(db, libraryDir, { issuer: r2Region, visibleTo: r2Region });
    // a survey built at the ППО and sent to it: its chair answers it, coordinators and the admin change it
    const surveyId = String(await createPublishedSurvey(db, r1.primary, users.admin.id));
    // a campaign declared at the union: the ППО of both regions have their open tasks
    const campaignId = String(await createOpenCampaign(db, r1.union, [r1.primary, r2Primary]));
    const officerFile = await createOfficerFile(db, libraryDir, r1.primary, insideMember!);
    const admin = {
      grantId: String(foreignGrant.id),
      messageId: String(message.id),
      token: 'no-such-token',
      surveyId,
      campaignId,
    };
    targets.inside = {
      inpo: r1.primary.inpo,
      officerId: String(officer.id),
      id: String(insideMember),
      userId: String(insideUser.id),
      handle,
      docId: String(insideDoc.id),
      versionNo: '1',
      ...officerFile,
      ...admin,
      ...report,
      ...documents,
    };
    targets.outside = {
      inpo: r2Primary.inpo,
      officerId: String(officer.id),
      id: String(outsideMember),
      userId: String(outsideUser.id),
      handle,
      docId: String(outsideDoc.id),
      versionNo: '1',
      // the file of R1's ППО asked for under R2's ППО: not found there
      ...officerFile,
      ...admin,
      ...report,
      ...documents,
    };
  });

  const subjects: Subject[] = ['anonymous', ...ROLES];
  for (const subject of subjects) {
    it(`when ${subject} calls every route, then each answers as the matrix says`, async () => {
      const session =
        subject === 'anonymous' ? await anonymousAgent(ctx.app) : await loggedInAgent(ctx.app, users[subject]);
      const ordered = [...AUTHZ_MATRIX].sort((a, b) => Number(a.endsSession ?? false) - Number(b.endsSession ?? false));
      const mismatches: string[] = [];
      for (const entry of ordered) {
        for (const where of ['inside', 'outside'] as const) {
          const expected = where === 'inside' ? entry.inside[subject] : entry.outside?.[subject];
          if (expected == null) continue;
          const status = await call(session.agent, session.csrf, entry, targets[where]!);
          if (status !== expected) mismatches.push(`${key(entry)} (${where}): expected ${expected}, got ${status}`);
        }
      }
      expect(mismatches).toEqual([]);
    });
  }
});

async function call(agent: Agent, csrf: string, entry: MatrixEntry, params: Record<string, string>): Promise<number> {
  // `:id` of a user route is the target user, elsewhere the target member
  const values = entry.path.startsWith('/admin/users/') ? { ...params, id: params.userId! } : params;
  const url = entry.path.replace(/:(\w+)/g, (_m, name: string) => values[name] ?? `missing-${name}`);
  const res =
    entry.method === 'GET'
      ? await agent.get(url)
      : await agent
          .post(url)
          .type('form')
          .send({ _csrf: csrf, ...entry.body });
  return res.status;
}
