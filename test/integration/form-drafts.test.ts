import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDraftsService, pruneExpiredDrafts } from '../../src/drafts/drafts.service';
import { claimToken } from '../../src/http/setup/form-once.repo';
import { loggedInAgent, type Agent } from '../support/agents';
import { useTestApp } from '../support/app';
import { createRegionTree, createUser, type TestUser } from '../support/factories';
import { hiddenFields, submitForm } from '../support/forms';

// Long forms keep a server-side draft of what was typed (public/js/app.js posts it while the user types):
// the next visit of the form restores it for its author only, and a save, «Удалить черновик», «Выйти» or
// seven days end it.

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;
const NOTICE = 'Восстановлен несохранённый черновик от';
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let chairUser: TestUser;
let chair: { agent: Agent; csrf: string };
let coordinator: { agent: Agent; csrf: string };

beforeAll(async () => {
  tree = await createRegionTree(db(), 31);
  chairUser = await createUser(db(), [{ role: 'chair', org: tree.primary }]);
  chair = await loggedInAgent(ctx.app, chairUser);
  coordinator = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'coordinator', org: tree.region }]));
});

const draftsOf = (userId: number) => db()('form_drafts').where({ user_id: userId }).orderBy('form_key');
/** What the page's script sends: the form's fields as typed, its one-time token as `sentWith`. */
async function typeDraft(
  who: { agent: Agent; csrf: string },
  page: string,
  action: string,
  typed: object,
  status = 204,
) {
  const { formToken, ...hidden } = hiddenFields((await who.agent.get(page).expect(200)).text, action);
  await who.agent
    .post(`${page}/draft`)
    .type('form')
    .send({ ...hidden, sentWith: formToken, ...typed })
    .expect(status);
}

describe('the admission form’s draft', () => {
  const page = () => `/orgs/${tree.primary.inpo}/members/new`;
  const action = () => `/orgs/${tree.primary.inpo}/members`;
  const person = {
    surname: 'Черновикова',
    name: 'Алла',
    sex: 'f',
    birthDate: '1988-02-03',
    category: 'working',
    joinedOn: '2024-09-01',
  };

  it('when the chair types, then the draft is theirs alone, restored with a notice, and the save deletes it', async () => {
    const blank = await chair.agent.get(page()).expect(200);
    expect(blank.text).toContain(`data-draft="${page()}/draft"`);
    expect(blank.text).not.toContain(NOTICE);

    await typeDraft(chair, page(), action(), { ...person, organizationInpo: tree.primary.inpo, role: 'admin' });
    const [row] = await draftsOf(chairUser.id);
    expect(row.form_key).toBe(`admission:${tree.primary.id}`);
    expect(row.fields).toMatchObject({ surname: 'Черновикова', birthDate: '1988-02-03' });
    expect(Object.keys(row.fields)).not.toContain('role');
    expect(Object.keys(row.fields)).not.toContain('formToken');

    const restored = await chair.agent.get(page()).expect(200);
    expect(restored.text).toContain(NOTICE);
    expect(restored.text).toContain('value="Черновикова"');
    expect(restored.text).toContain('value="1988-02-03"');

    // the coordinator opens the same form: nothing of the chair's, and their discard leaves the chair's draft
    const other = await coordinator.agent.get(page()).expect(200);
    expect(other.text).not.toContain(NOTICE);
    expect(other.text).not.toContain('Черновикова');
    await coordinator.agent.post(`${page()}/draft/discard`).type('form').send({ _csrf: coordinator.csrf }).expect(303);
    expect(await draftsOf(chairUser.id)).toHaveLength(1);

    const form = hiddenFields((await chair.agent.get(page()).expect(200)).text, action());
    const saved = await chair.agent
      .post(action())
      .type('form')
      .send({ ...form, ...person, organizationInpo: tree.primary.inpo });
    expect(saved.status).toBe(303);
    // a draft of the sent form that arrives after it (sent just before the click) is dropped
    await chair.agent
      .post(`${page()}/draft`)
      .type('form')
      .send({ _csrf: chair.csrf, sentWith: form.formToken, ...person })
      .expect(204);
    expect(saved.headers.location).toMatch(/^\/members\/\d+$/);
    expect(await db()('members').where({ surname: 'Черновикова' })).toHaveLength(1);
    expect(await draftsOf(chairUser.id)).toHaveLength(0);
    expect((await chair.agent.get(page()).expect(200)).text).not.toContain(NOTICE);
  });

  it('when the chair discards the draft, or sends an oversized one, then nothing is kept', async () => {
    await typeDraft(chair, page(), action(), person);
    const discarded = await chair.agent.post(`${page()}/draft/discard`).type('form').send({ _csrf: chair.csrf });
    expect(discarded.status).toBe(303);
    expect(discarded.headers.location).toBe(page());
    expect(await draftsOf(chairUser.id)).toHaveLength(0);

    await typeDraft(chair, page(), action(), { ...person, position: 'a'.repeat(40_000) }, 422);
    expect(await draftsOf(chairUser.id)).toHaveLength(0);
  });
});

describe('the passport’s general data draft', () => {
  const page = () => `/orgs/${tree.primary.inpo}/edit`;

  it('when another user saved meanwhile, then the restored draft is saved as a merge of both, and then deleted', async () => {
    await typeDraft(chair, page(), page(), { name: 'ППО из черновика' });
    const other = { name: tree.primary.name, shortName: 'Сокращение координатора' };
    expect((await submitForm(coordinator.agent, page(), page(), other)).status).toBe(303);

    const restored = await chair.agent.get(page()).expect(200);
    expect(restored.text).toContain(NOTICE);
    expect(restored.text).toContain('ППО из черновика');
    // the draft keeps the version it was typed over: the save shows the other change instead of reverting it
    const stale = await chair.agent
      .post(page())
      .type('form')
      .send({ ...hiddenFields(restored.text, page()), name: 'ППО из черновика' });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('Сокращение координатора');
    const merged = hiddenFields(stale.text, page());
    await chair.agent
      .post(page())
      .type('form')
      .send({ ...merged, name: 'ППО из черновика', shortName: 'Сокращение координатора' })
      .expect(303);
    const org = await db()('organizations').where({ id: tree.primary.id }).first('name', 'short_name');
    expect(org).toEqual({ name: 'ППО из черновика', short_name: 'Сокращение координатора' });
    expect(await draftsOf(chairUser.id)).toHaveLength(0);
  });
});

describe('the end of drafts', () => {
  it('when drafts pass seven days, then the page ignores them and the hourly prune deletes them', async () => {
    const user = await createUser(db(), [{ role: 'chair', org: tree.primary }]);
    const old = { user_id: user.id, form_key: `admission:${tree.primary.id}`, fields: { surname: 'Старова' } };
    const young = { user_id: user.id, form_key: `passport-general:${tree.primary.id}`, fields: { name: 'Свежая' } };
    await db()('form_drafts').insert([
      { ...old, saved_at: db().raw("now() - interval '7 days 1 minute'") },
      { ...young, saved_at: db().raw("now() - interval '6 days'") },
    ]);
    const agent = await loggedInAgent(ctx.app, user);
    expect((await agent.agent.get(`/orgs/${tree.primary.inpo}/members/new`).expect(200)).text).not.toContain('Старова');
    expect((await agent.agent.get(`/orgs/${tree.primary.inpo}/edit`).expect(200)).text).toContain(NOTICE);

    expect(await pruneExpiredDrafts(ctx.deps.db)).toBeGreaterThanOrEqual(1);
    expect((await draftsOf(user.id)).map((d) => d.form_key)).toEqual([young.form_key]);

    // «Выйти» ends the user's remaining drafts, and only theirs
    await typeDraft(chair, `/orgs/${tree.primary.inpo}/members/new`, `/orgs/${tree.primary.inpo}/members`, {
      surname: 'Чужая',
    });
    await agent.agent.post('/logout').type('form').send({ _csrf: agent.csrf }).expect(303);
    expect(await draftsOf(user.id)).toHaveLength(0);
    expect(await draftsOf(chairUser.id)).toHaveLength(1);
  });

  it('when a draft is on its way while the form itself is sent and its draft deleted, then the late draft does not outlive the save', async () => {
    const user = await createUser(db(), [{ role: 'chair', org: tree.primary }]);
    const formKey = `admission:${tree.primary.id}`;
    const token = randomUUID();
    await db()('form_drafts').insert({ user_id: user.id, form_key: formKey, fields: { surname: 'Ранняя' } });
    // the form's request claims its token and deletes the draft, and has not committed yet …
    const send = await db().transaction();
    let late: Promise<void> | undefined;
    try {
      await claimToken(send, user.id, token);
      await send('form_drafts').where({ user_id: user.id, form_key: formKey }).delete();
      // … when the draft typed just before arrives: it does not see the claim and waits on the deleted row
      late = createDraftsService(ctx.deps.db).save(user.id, formKey, { surname: 'Поздняя' }, token);
      await expect
        .poll(
          async () =>
            (
              await db().raw(
                "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
              )
            ).rows[0].n,
        )
        .toBeGreaterThan(0);
      await send.commit();
    } finally {
      if (!send.isCompleted()) await send.rollback();
    }
    await late;
    expect(await draftsOf(user.id)).toEqual([]);
  });
});
