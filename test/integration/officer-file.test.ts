import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OrgRow } from '../../src/registry/orgs.repo';
import { depersonaliseExpired } from '../../src/members/retention';
import { todayIso } from '../../src/shared/dates';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser } from '../support/factories';
import { pdfBytes } from '../support/library';

// Issue 21, items 1 and 4: an officer's personnel file is the person's, opened from any of their posts; its
// sections are kept by admins, coordinators and the chairs above, read by the organization's readers (contacts
// masked for those who may not open member cards), audited, 404 outside the subtree; its documents lie in the
// library's store; the monitoring counts the chairs without recent training and the reserve of cadres.

const libraryDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reestr-officers-'));
const ctx = useTestApp({ LIBRARY_DIR: path.join(libraryDir, 'files') });
afterAll(() => fs.rmSync(libraryDir, { recursive: true, force: true }));
const db = () => ctx.database.ownerDb;

type Session = { agent: Agent; csrf: string };
const as = {} as Record<'coordinator' | 'territoryChair' | 'ppoChair' | 'statistician' | 'stranger', Session>;
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let secondTerritory: OrgRow;
let farPrimary: OrgRow;
let memberId: number;
/** the member's posts: chair of the ППО now, member of the territorial committee before */
const posts = {} as Record<'chair' | 'committee', number>;

const today = todayIso();
/** The date `years` years (and `days` days) before today, as the monitoring's window counts. */
const yearsAgo = (years: number, days = 0) => {
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() - years);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
};

const fileUrl = (org: OrgRow, postId: number) => `/orgs/${org.inpo}/officers/${postId}`;
const post = (s: Session, url: string, body: Record<string, string>) =>
  s.agent
    .post(url)
    .type('form')
    .send({ _csrf: s.csrf, ...body });
/** The text of the element with this id (a field of the person as the file shows it). */
const shown = (html: string, id: string) => new RegExp(`id="${id}">([^<]*)<`).exec(html)?.[1];
const attachDocument = (s: Session, base: string, file: Buffer, fileName: string, title: string) =>
  s.agent
    .post(`${base}/documents?_csrf=${encodeURIComponent(s.csrf)}`)
    .field('title', title)
    .attach('file', file, { filename: fileName, contentType: 'application/octet-stream' });
const fieldError = (html: string, field: string) =>
  new RegExp(`id="${field}-error"[^>]*>([^<]*)<`).exec(html)?.[1]?.trim();

const chair = (organization_id: number, extra: Record<string, unknown>) => ({
  organization_id,
  post: 'chair',
  surname: 'Иванов',
  name: 'Иван',
  elected_on: '2022-01-10',
  ...extra,
});

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  secondTerritory = await createOrg(db(), tree.region, 'territorial', { name: 'Вторая территориальная' });
  const far = await createRegionTree(db(), 50);
  farPrimary = far.primary;
  [memberId] = (await createMembers(db(), tree.primary, 1, {
    surname: 'Соколова',
    name: 'Анна',
    patronymic: 'Петровна',
    phone: '+79161234567',
    email: 'sokolova@example.ru',
    birth_date: '1980-04-12',
  })) as [number];
  const [chairPost] = await db()('org_officers')
    .insert(
      chair(tree.primary.id, { surname: 'Соколова', name: 'Анна', member_id: memberId, elected_on: '2019-01-10' }),
    )
    .returning('id');
  const [committeePost] = await db()('org_officers')
    .insert({
      organization_id: tree.territory.id,
      post: 'committee',
      surname: 'Соколова',
      name: 'Анна',
      member_id: memberId,
      elected_on: '2015-03-01',
      ended_on: '2020-03-01',
    })
    .returning('id');
  posts.chair = chairPost.id;
  posts.committee = committeePost.id;
  const session = async (role: 'coordinator' | 'chair' | 'statistician', org: OrgRow) =>
    loggedInAgent(ctx.app, await createUser(db(), [{ role, org }]));
  as.coordinator = await session('coordinator', tree.region);
  as.territoryChair = await session('chair', tree.territory);
  as.ppoChair = await session('chair', tree.primary);
  as.statistician = await session('statistician', tree.region);
  as.stranger = await session('coordinator', far.region);
});

const auditActions = async () =>
  (
    await db()('audit_log').where({ entity: 'officer_file' }).orderBy('id').select('action', 'old_values', 'new_values')
  ).map((r) => ({ action: r.action, old: r.old_values, new: r.new_values }));

describe('the personnel file', () => {
  it('when opened from the chair post, then it lists the posts across both organizations, with the union experience of both', async () => {
    const page = await as.coordinator.agent.get(fileUrl(tree.primary, posts.chair)).expect(200);
    expect(page.text).toContain('Личное дело: Соколова Анна');
    expect(page.text).toContain(tree.primary.name);
    expect(page.text).toContain(tree.territory.name);
    expect(page.text).toContain('Председатель');
    expect(page.text).toContain('Член профкома');
    expect(page.text).toContain(`href="/members/${memberId}"`);
    // 2015-03-01 … today, the two posts overlapping from 2019 to 2020 counted once
    const years = Number(today.slice(0, 4)) - 2015 - (today.slice(5) < '03-01' ? 1 : 0);
    expect(/id="experience">(\d+) (год|года|лет)/.exec(page.text)?.[1]).toBe(String(years));
    // the passport's list of officers leads to the file
    const list = await as.coordinator.agent.get(`/orgs/${tree.primary.inpo}/officers`).expect(200);
    expect(list.text).toContain(`href="${fileUrl(tree.primary, posts.chair)}"`);
  });

  it('when a training is added, edited and deleted, then each is in the file (from the post held now, not the one left) and audited with its values', async () => {
    const base = fileUrl(tree.primary, posts.chair);
    await as.coordinator.agent.get(`${base}/trainings/new`).expect(200);
    const badDates = await post(as.coordinator, `${base}/trainings`, {
      course: 'Школа профсоюзного лидера',
      startedOn: '2025-03-10',
      endedOn: '2025-03-01',
    }).expect(422);
    expect(fieldError(badDates.text, 'endedOn')).toBe('Дата окончания раньше даты начала');
    const badHours = await post(as.coordinator, `${base}/trainings`, {
      course: 'Школа профсоюзного лидера',
      startedOn: '2025-03-10',
      hours: 'много',
    }).expect(422);
    expect(fieldError(badHours.text, 'hours')).toBe('Количество часов — целое число от 1 до 10000');
    expect(badHours.text).toContain('value="Школа профсоюзного лидера"');
    await post(as.coordinator, `${base}/trainings`, {
      course: 'Школа профсоюзного лидера',
      organizer: 'Учебный центр',
      startedOn: '2025-03-10',
      endedOn: '2025-03-14',
      hours: '36',
      certificateNumber: 'УД-123',
    }).expect(303);
    const [training] = await db()('officer_trainings').select('id', 'hours', 'certificate_number');
    expect(training).toMatchObject({ hours: 36, certificate_number: 'УД-123' });
    // the same file from her other post held now; the committee post she left opens nothing (finding 2 of the review)
    const file = await as.coordinator.agent.get(base).expect(200);
    expect(file.text).toContain('Школа профсоюзного лидера');
    expect(file.text).toContain('УД-123');
    expect(file.text).not.toContain(`href="${fileUrl(tree.territory, posts.committee)}"`);
    await as.coordinator.agent.get(fileUrl(tree.territory, posts.committee)).expect(404);

    await as.coordinator.agent.get(`${base}/trainings/${training.id}`).expect(200);
    await post(as.coordinator, `${base}/trainings/${training.id}`, {
      course: 'Школа профсоюзного лидера',
      organizer: 'Учебный центр',
      startedOn: '2025-03-10',
      endedOn: '2025-03-14',
      hours: '40',
      certificateNumber: 'УД-123',
    }).expect(303);
    expect((await db()('officer_trainings').where({ id: training.id }).first()).hours).toBe(40);

    const confirm = await post(as.coordinator, `${base}/trainings/${training.id}/delete`, {}).expect(200);
    expect(confirm.text).toContain('Школа профсоюзного лидера');
    expect(await db()('officer_trainings').count('* as n').first()).toEqual({ n: 1 });
    await post(as.coordinator, `${base}/trainings/${training.id}/delete`, { confirmed: '1' }).expect(303);
    expect(await db()('officer_trainings').count('* as n').first()).toEqual({ n: 0 });

    const audit = await auditActions();
    expect(audit.map((a) => a.action)).toEqual([
      'officer.file.entry_added',
      'officer.file.entry_updated',
      'officer.file.entry_deleted',
    ]);
    expect(audit[0]!.new).toMatchObject({ section: 'trainings', course: 'Школа профсоюзного лидера', hours: 36 });
    expect(audit[1]).toMatchObject({ old: { hours: 36 }, new: { hours: 40 } });
    expect(audit[1]!.new).not.toHaveProperty('course');
    expect(audit[2]!.old).toMatchObject({ section: 'trainings', hours: 40, certificateNumber: 'УД-123' });
  });

  it('when the territorial chair adds an award, education and a reserve entry, then they are kept; an ИНПО of another region is not found', async () => {
    const base = fileUrl(tree.primary, posts.chair);
    await post(as.territoryChair, `${base}/awards`, {
      kind: 'union',
      title: 'Почётная грамота Профсоюза',
      awardedOn: '2024-10-05',
      decision: 'Постановление Президиума ЦС № 12',
    }).expect(303);
    await post(as.territoryChair, `${base}/education`, {
      level: 'higher',
      institution: 'Педагогический университет',
      graduatedYear: '2002',
      speciality: 'Учитель истории',
    }).expect(303);
    const far = await post(as.territoryChair, `${base}/reserve`, {
      post: 'chair',
      organizationInpo: farPrimary.inpo,
      since: '2024-01-01',
    }).expect(422);
    expect(fieldError(far.text, 'organizationInpo')).toBe('Организация с таким ИНПО не найдена');
    await post(as.territoryChair, `${base}/reserve`, {
      post: 'chair',
      organizationInpo: tree.territory.inpo,
      since: '2024-01-01',
    }).expect(303);
    const page = await as.territoryChair.agent.get(base).expect(200);
    expect(page.text).toContain('Почётная грамота Профсоюза');
    expect(page.text).toContain('Профсоюзная');
    expect(page.text).toContain('Педагогический университет');
    expect(page.text).toContain(`${tree.territory.name} (ИНПО ${tree.territory.inpo})`);
    const notes = await post(as.territoryChair, `${base}/notes`, { notes: 'Рекомендована в резерв' }).expect(303);
    expect(notes.headers.location).toBe(`${base}#notes`);
    expect((await auditActions()).slice(-4).map((a) => a.action)).toEqual([
      'officer.file.entry_added',
      'officer.file.entry_added',
      'officer.file.entry_added',
      'officer.file.notes_updated',
    ]);
  });

  it('when someone outside the subtree asks, then the file is 404; inside, readers read and only editors change it', async () => {
    const base = fileUrl(tree.primary, posts.chair);
    await as.stranger.agent.get(base).expect(404);
    await post(as.stranger, `${base}/awards`, { kind: 'union', title: 'x', awardedOn: '2024-01-01' }).expect(404);
    // another organization's post under this ППО's ИНПО does not exist here
    await as.coordinator.agent.get(fileUrl(tree.primary, posts.committee)).expect(404);
    await as.statistician.agent.get(base).expect(200);
    await as.ppoChair.agent.get(base).expect(200);
    // the chair of the ППО does not keep the file of their own organization's officers; the statistician reads only
    await post(as.ppoChair, `${base}/awards`, { kind: 'union', title: 'x', awardedOn: '2024-01-01' }).expect(403);
    await post(as.statistician, `${base}/notes`, { notes: 'x' }).expect(403);
    const readOnly = await as.statistician.agent.get(base).expect(200);
    expect(readOnly.text).not.toContain(`${base}/awards/new`);
  });

  it('when the officer was typed before officers were people, then the file asks for the person and keeps nothing until then', async () => {
    const [typed] = await db()('org_officers')
      .insert({
        organization_id: tree.primary.id,
        post: 'audit',
        surname: 'Кузнецова',
        name: 'Ольга',
        elected_on: '2023-05-05',
      })
      .returning('id');
    const base = fileUrl(tree.primary, typed.id);
    const page = await as.coordinator.agent.get(base).expect(200);
    expect(page.text).toContain('Личное дело ведётся на человека');
    expect(page.text).toContain(`href="${base}/person"`);
    expect((await as.statistician.agent.get(base).expect(200)).text).not.toContain(`${base}/person`);
    await as.coordinator.agent.get(`${base}/awards/new`).expect(409);
    await post(as.coordinator, `${base}/awards`, { kind: 'union', title: 'Грамота', awardedOn: '2024-01-01' }).expect(
      409,
    );
    expect(await db()('officer_files').count('* as n').first()).toEqual({ n: 1 });
  });

  it("when a reader may not open member cards, then the contacts are masked with the member lists' masks and the birth date shows its year", async () => {
    const base = fileUrl(tree.primary, posts.chair);
    const full = await as.coordinator.agent.get(base).expect(200);
    expect(full.text).toContain('sokolova@example.ru');
    expect(full.text).toContain('12.04.1980');
    const masked = await as.statistician.agent.get(base).expect(200);
    expect(masked.text).not.toContain('sokolova@example.ru');
    expect(masked.text).not.toContain('12.04.1980');
    expect(masked.text).not.toContain('123-45-67');
    expect(shown(masked.text, 'person-email')).toBe('s***@example.ru');
    expect(shown(masked.text, 'person-phone')).toBe('+7 (***) ***-45-67');
    expect(masked.text).toContain('1980');
    expect(masked.text).not.toContain(`href="/members/${memberId}"`);
  });

  it('when a document is attached, then it downloads back byte for byte under its name; a file that is not a document is refused', async () => {
    const base = fileUrl(tree.primary, posts.chair);
    const bytes = await pdfBytes(['Удостоверение о повышении квалификации № УД-123']);
    const attach = (file: Buffer, fileName: string, title: string) =>
      attachDocument(as.coordinator, base, file, fileName, title);
    const refused = await attach(Buffer.from('просто текст'), 'Удостоверение.pdf', 'Удостоверение').expect(422);
    expect(fieldError(refused.text, 'file')).toContain('Файл не является документом PDF, DOCX, XLSX или ODT');
    await attach(bytes, 'Удостоверение.pdf', 'Удостоверение о повышении квалификации').expect(303);
    const doc = await db()('officer_documents').first('id', 'sha256');
    expect(fs.existsSync(path.join(libraryDir, 'files', doc.sha256))).toBe(true);
    // the scans carry what the masks hide: a reader who sees the contacts masked is offered no link and refused
    const page = await as.statistician.agent.get(base).expect(200);
    expect(page.text).toContain('Удостоверение о повышении квалификации');
    expect(page.text).not.toContain(`href="${base}/documents/${doc.id}"`);
    await as.statistician.agent.get(`${base}/documents/${doc.id}`).expect(403);
    expect((await as.coordinator.agent.get(base).expect(200)).text).toContain(`href="${base}/documents/${doc.id}"`);
    const download = await as.coordinator.agent
      .get(`${base}/documents/${doc.id}`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(Buffer.compare(download.body as Buffer, bytes)).toBe(0);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['content-disposition']).toContain(
      `filename*=UTF-8''${encodeURIComponent('Удостоверение.pdf')}`,
    );
    expect((await auditActions()).slice(-2).map((a) => a.action)).toEqual([
      'officer.file.document_attached',
      'officer.file.document_downloaded',
    ]);
    await as.stranger.agent.get(`${base}/documents/${doc.id}`).expect(404);
  });
});

describe("a file is read from the officer's own organization upward, and kept only by those above all of it", () => {
  // the third territory: ППО A with a former chair who now chairs the territory, and a chair of A who also sits on
  // the territory's committee; a regional chair who once sat on A's committee; an officer of the first ППО whose
  // card is in ППО C (elected across organizations); users linked to the cards of the first two
  const people = {} as Record<'formerChair' | 'chairOnCommittee' | 'regionalChair' | 'across', number>;
  const held = {} as Record<
    'oldChairOfA' | 'chairOfTerritory' | 'chairOfA' | 'oldCommitteeOfA' | 'chairOfRegion' | 'across',
    number
  >;
  const users = {} as Record<'territoryChairHimself' | 'chairOfA' | 'coordinatorHimself', Session>;
  let territory: OrgRow;
  let ppoA: OrgRow;

  const hold = async (org: OrgRow, person: number, post: string, electedOn: string, endedOn: string | null = null) =>
    (
      await db()('org_officers')
        .insert({
          organization_id: org.id,
          post,
          surname: 'Фамилия',
          name: 'Имя',
          member_id: person,
          elected_on: electedOn,
          ended_on: endedOn,
        })
        .returning('id')
    )[0].id as number;

  beforeAll(async () => {
    territory = await createOrg(db(), tree.region, 'territorial', { name: 'Третья территориальная' });
    ppoA = await createOrg(db(), territory, 'primary');
    const ppoC = await createOrg(db(), territory, 'primary');
    const card = async (org: OrgRow, surname: string, extra: Record<string, unknown> = {}) =>
      ((await createMembers(db(), org, 1, { surname, ...extra })) as [number])[0];
    people.formerChair = await card(territory, 'Прежний');
    people.chairOnCommittee = await card(ppoA, 'Двойной');
    people.regionalChair = await card(tree.region, 'Региональный');
    people.across = await card(ppoC, 'Переизбранная', {
      snils: '12345678964',
      phone: '+79031112233',
      email: 'across@example.ru',
      birth_date: '1977-07-07',
    });
    held.oldChairOfA = await hold(ppoA, people.formerChair, 'chair', '2012-05-05', '2018-05-05');
    held.chairOfTerritory = await hold(territory, people.formerChair, 'chair', '2018-05-06');
    held.chairOfA = await hold(ppoA, people.chairOnCommittee, 'chair', '2018-05-06');
    await hold(territory, people.chairOnCommittee, 'committee', '2020-01-01');
    held.oldCommitteeOfA = await hold(ppoA, people.regionalChair, 'committee', '2008-01-01', '2013-01-01');
    held.chairOfRegion = await hold(tree.region, people.regionalChair, 'chair', '2016-01-01');
    held.across = await hold(tree.primary, people.across, 'committee', '2021-02-02');
    const session = async (role: 'coordinator' | 'chair', org: OrgRow, memberId: number | null = null) => {
      const user = await createUser(db(), [{ role, org }]);
      await db()('users').where({ id: user.id }).update({ member_id: memberId });
      return loggedInAgent(ctx.app, user);
    };
    users.territoryChairHimself = await session('chair', territory, people.formerChair);
    users.chairOfA = await session('chair', ppoA);
    users.coordinatorHimself = await session('coordinator', tree.region, people.regionalChair);
  });

  const award = { kind: 'union', title: 'Почётная грамота', awardedOn: '2024-01-01' };

  it("when the officer's card is in another organization than the post, then the post's chair sees it masked as the card's organization allows", async () => {
    const base = fileUrl(tree.primary, held.across);
    const chairView = await as.ppoChair.agent.get(base).expect(200);
    expect(chairView.text).not.toContain('across@example.ru');
    expect(chairView.text).not.toContain('07.07.1977');
    expect(chairView.text).not.toContain('123-456-789');
    expect(shown(chairView.text, 'person-snils')).toBe('***-***-*** 64');
    expect(shown(chairView.text, 'person-email')).toBe('a***@example.ru');
    expect(shown(chairView.text, 'person-phone')).toBe('+7 (***) ***-22-33');
    // the coordinator of the region sees the card in ППО C
    const full = await as.coordinator.agent.get(base).expect(200);
    expect(full.text).toContain('across@example.ru');
    expect(full.text).toContain('07.07.1977');
    expect(full.text).toContain(`href="/members/${people.across}"`);
  });

  it("when the officer's card is in another organization, then its documents are refused to the post's chair and download for the coordinator", async () => {
    const base = fileUrl(tree.primary, held.across);
    await attachDocument(as.coordinator, base, await pdfBytes(['Диплом']), 'Диплом.pdf', 'Диплом').expect(303);
    const fileId = (await db()('officer_files').where({ member_id: people.across }).first('id')).id;
    const doc = await db()('officer_documents').where({ file_id: fileId }).first('id');
    const chairView = await as.ppoChair.agent.get(base).expect(200);
    expect(chairView.text).toContain('Диплом');
    expect(chairView.text).not.toContain(`href="${base}/documents/${doc.id}"`);
    await as.ppoChair.agent.get(`${base}/documents/${doc.id}`).expect(403);
    await as.coordinator.agent.get(`${base}/documents/${doc.id}`).expect(200);
  });

  it('when a territorial chair once chaired a ППО below, then the old post opens neither their file nor its forms, and the post held now keeps it from them', async () => {
    const me = users.territoryChairHimself;
    const old = fileUrl(ppoA, held.oldChairOfA);
    await me.agent.get(old).expect(404);
    await me.agent.get(`${old}/awards/new`).expect(404);
    await post(me, `${old}/awards`, award).expect(404);
    await post(me, `${old}/notes`, { notes: 'Сам о себе' }).expect(404);
    await post(me, `${fileUrl(territory, held.chairOfTerritory)}/awards`, award).expect(403);
    // the region reads the file from the post held now and lists the old one without a link to it
    const page = await as.coordinator.agent.get(fileUrl(territory, held.chairOfTerritory)).expect(200);
    expect(page.text).toContain(ppoA.name);
    expect(page.text).not.toContain(`href="${old}"`);
    // the ППО's history lists the former chair without a link that would not open
    const history = await as.coordinator.agent.get(`/orgs/${ppoA.inpo}/officers`).expect(200);
    expect(history.text).not.toContain(`href="${old}"`);
    expect(await db()('officer_files').where({ member_id: people.formerChair }).first()).toBeUndefined();
  });

  it("when a regional chair once sat on a ППО's committee, then that ППО's chair does not read the file, and the region's coordinator keeps it", async () => {
    const old = fileUrl(ppoA, held.oldCommitteeOfA);
    await users.chairOfA.agent.get(old).expect(404);
    await as.territoryChair.agent.get(old).expect(404);
    await post(as.coordinator, `${old}/awards`, award).expect(404);
    await post(as.coordinator, `${fileUrl(tree.region, held.chairOfRegion)}/awards`, award).expect(303);
  });

  it('when the person holds a post in the territory and in a ППО below it, then the territorial chair does not keep the file; the coordinator does', async () => {
    const base = fileUrl(ppoA, held.chairOfA);
    const page = await users.territoryChairHimself.agent.get(base).expect(200);
    expect(page.text).not.toContain(`${base}/awards/new`);
    await users.territoryChairHimself.agent.get(`${base}/awards/new`).expect(403);
    await post(users.territoryChairHimself, `${base}/awards`, award).expect(403);
    await post(as.coordinator, `${base}/awards`, award).expect(303);
  });

  it('when a coordinator opens their own file, then they read it and may not change it', async () => {
    const base = fileUrl(tree.region, held.chairOfRegion);
    const me = users.coordinatorHimself;
    const page = await me.agent.get(base).expect(200);
    expect(page.text).toContain('Почётная грамота');
    expect(page.text).not.toContain(`${base}/awards/new`);
    await me.agent.get(`${base}/awards/new`).expect(403);
    await post(me, `${base}/awards`, award).expect(403);
    await post(me, `${base}/notes`, { notes: 'Сам о себе' }).expect(403);
    const awardId = (await db()('officer_awards').orderBy('id', 'desc').first('id')).id;
    await post(me, `${base}/awards/${awardId}/delete`, { confirmed: '1' }).expect(403);
  });

  it('when the officer holds no post now, then the post held last opens the file and an earlier one does not', async () => {
    const [gone] = (await createMembers(db(), ppoA, 1, { surname: 'Бывшая' })) as [number];
    const earlier = await hold(territory, gone, 'committee', '2010-01-01', '2016-01-01');
    const last = await hold(ppoA, gone, 'chair', '2014-01-01', '2021-01-01');
    await users.chairOfA.agent.get(fileUrl(ppoA, last)).expect(200);
    await as.coordinator.agent.get(fileUrl(territory, earlier)).expect(404);
    await post(as.coordinator, `${fileUrl(ppoA, last)}/awards`, award).expect(303);
  });
});

describe('a personnel file and the card it belongs to', () => {
  it("when two cards of the person are merged, then one file holds both files' entries; when a card is depersonalised, its file goes", async () => {
    const twin = { surname: 'Белова', name: 'Ирина', patronymic: 'Олеговна', birth_date: '1979-09-09' };
    const [first, second] = (await createMembers(db(), tree.primary, 2, twin)) as [number, number];
    const fileOf = async (id: number) =>
      (
        await db()('officer_files')
          .insert({ member_id: id, notes: `Заметка ${id}` })
          .returning('id')
      )[0].id as number;
    const [kept, merged] = [await fileOf(first), await fileOf(second)];
    await db()('officer_trainings').insert({ file_id: kept, course: 'Охрана труда', started_on: '2025-01-10' });
    await db()('officer_awards').insert({ file_id: merged, kind: 'union', title: 'Грамота', awarded_on: '2024-01-10' });
    await post(as.coordinator, `/members/${first}/merge`, { duplicateId: String(second) }).expect(303);
    expect(await db()('officer_files').where({ member_id: second }).first()).toBeUndefined();
    expect(await db()('officer_awards').where({ file_id: kept }).pluck('title')).toEqual(['Грамота']);
    expect(await db()('officer_trainings').where({ file_id: kept }).pluck('course')).toEqual(['Охрана труда']);
    expect((await db()('officer_files').where({ id: kept }).first()).notes).toBe(
      `Заметка ${first}\n\nЗаметка ${second}`,
    );

    const [gone] = (await createMembers(db(), tree.primary, 1, {
      surname: 'Ушедшая',
      joined_on: '2001-01-01',
      left_on: '2015-01-01',
    })) as [number];
    const goneFile = await fileOf(gone);
    await db()('officer_trainings').insert({ file_id: goneFile, course: 'Старый курс', started_on: '2010-01-10' });
    expect(await depersonaliseExpired(ctx.deps.db, today, 5)).toBe(1);
    expect(await db()('officer_files').where({ id: goneFile }).first()).toBeUndefined();
    expect(await db()('officer_trainings').where({ file_id: goneFile }).first()).toBeUndefined();
  });
});

describe('the monitoring of the officers', () => {
  it("when the region's table is shown, then each territory's untrained chairs and reserve match a count of the registry", async () => {
    // second territory: five ППО chairs — trained two years ago in the file (a non-member's), trained a year ago
    // by the post's own date, trained five years ago, never trained, and one whose term has ended (not counted)
    const ppo = await Promise.all(Array.from({ length: 5 }, () => createOrg(db(), secondTerritory, 'primary')));
    const [person] = await db()('persons')
      .insert({ snils: '11223344595', surname: 'Орлов', name: 'Пётр', sex: 'm', birth_date: '1975-01-01' })
      .returning('id');
    await db()('org_officers').insert([
      chair(ppo[0]!.id, { person_id: person.id }),
      chair(ppo[1]!.id, { trained_on: yearsAgo(1) }),
      chair(ppo[2]!.id, { trained_on: yearsAgo(5) }),
      chair(ppo[3]!.id, {}),
      chair(ppo[4]!.id, { ended_on: '2023-01-01' }),
    ]);
    const [file] = await db()('officer_files').insert({ person_id: person.id }).returning('id');
    await db()('officer_trainings').insert([
      { file_id: file.id, course: 'Охрана труда', started_on: yearsAgo(2, 5), ended_on: yearsAgo(2) },
    ]);
    // reserve: two in force in the second territory, one ended, one not begun yet
    await db()('officer_reserve').insert([
      { file_id: file.id, post: 'chair', organization_id: ppo[3]!.id, since: '2024-01-01' },
      {
        file_id: file.id,
        post: 'deputy',
        organization_id: secondTerritory.id,
        since: '2024-01-01',
        until: yearsAgo(-1),
      },
      { file_id: file.id, post: 'chair', organization_id: ppo[2]!.id, since: '2023-01-01', until: '2024-01-01' },
      { file_id: file.id, post: 'chair', organization_id: ppo[1]!.id, since: yearsAgo(-1) },
    ]);
    // the first territory: the member chair trained in March 2025 (within three years) was deleted above: untrained
    const counted = async (territory: OrgRow) => {
      const since = yearsAgo(3);
      const { rows: chairs } = await db().raw(
        `SELECT count(*)::int AS n FROM org_officers f JOIN organizations o ON o.id = f.organization_id
          WHERE o.path <@ (SELECT path FROM organizations WHERE id = ?) AND f.post = 'chair' AND f.ended_on IS NULL
            AND coalesce(f.trained_on < ?::date, true)
            AND NOT EXISTS (SELECT 1 FROM officer_trainings t JOIN officer_files ff ON ff.id = t.file_id
                             WHERE (ff.member_id = f.member_id OR ff.person_id = f.person_id)
                               AND coalesce(t.ended_on, t.started_on) >= ?::date)`,
        [territory.id, since, since],
      );
      const { rows: reserve } = await db().raw(
        `SELECT count(*)::int AS n FROM officer_reserve r JOIN organizations o ON o.id = r.organization_id
          WHERE o.path <@ (SELECT path FROM organizations WHERE id = ?) AND r.since <= ?::date
            AND (r.until IS NULL OR r.until > ?::date)`,
        [territory.id, today, today],
      );
      return { chairs: String(chairs[0].n), reserve: String(reserve[0].n) };
    };
    const page = await as.coordinator.agent.get(`/orgs/${tree.region.inpo}/monitoring`).expect(200);
    const cell = (org: OrgRow, column: string) => {
      const tr = page.text.split('<tr').find((t) => t.includes(`data-inpo="${org.inpo}"`))!;
      return new RegExp(`data-column="${column}" data-value="([^"]*)"`).exec(tr)?.[1];
    };
    expect(await counted(secondTerritory)).toEqual({ chairs: '2', reserve: '2' });
    expect(await counted(tree.territory)).toEqual({ chairs: '1', reserve: '1' });
    for (const territory of [secondTerritory, tree.territory]) {
      const expected = await counted(territory);
      expect(cell(territory, 'chairs-untrained')).toBe(expected.chairs);
      expect(cell(territory, 'reserve')).toBe(expected.reserve);
    }
    expect(page.text).toContain('Председатели без обучения за 3 года');
  });
});
