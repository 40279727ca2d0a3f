// The union's document templates (issue 20, item 3): documents generated from a template's newest version
// with the registry's data, as PDF (text extracted) and DOCX (a zip whose document.xml holds the text); a
// template naming an unknown field refused with its name and line, nothing saved; a new version used next
// while the old one stays listed; 404 outside the subtree; every generation audited.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { text as streamText } from 'node:stream/consumers';
import { beforeAll, describe, expect, it } from 'vitest';
import { openZip } from '../../src/imports/zip';
import { JOIN_CONSENT_TEXT, JOIN_CONSENT_VERSION } from '../../src/join/consent-text';
import { readDefaultTemplates } from '../../src/templates/default-templates';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createMembers, createOrg, createRegionTree, createUser } from '../support/factories';
import { submitForm } from '../support/forms';
import { pdfInfo, pdfText } from '../support/pdf';
import { binaryParser } from '../support/xlsx';

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;

let admin: { agent: Agent; csrf: string };
let chair: { agent: Agent; csrf: string };
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let memberId: number;
let outsideMemberId: number;
let outsideInpo: string;
let applicationId: number;

const download = (agent: Agent, url: string) => agent.get(url).buffer(true).parse(binaryParser);

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  await db()('organizations').where({ id: tree.primary.id }).update({ name: 'ППО Гимназии № 7 города Казани' });
  [memberId] = (await createMembers(db(), tree.primary, 1, { surname: 'Соколова', name: 'Вера' })) as [number];
  await db()('union_cards').insert({
    member_id: memberId,
    number: '1600000000017',
    kind: 'virtual',
    status: 'issued',
    status_on: '2024-01-10',
  });
  const otherRegion = await createOrg(db(), tree.union, 'regional', { regionCode: 39 });
  const outside = await createOrg(db(), await createOrg(db(), otherRegion, 'territorial'), 'primary');
  outsideInpo = outside.inpo;
  [outsideMemberId] = (await createMembers(db(), outside, 1)) as [number];
  const [application] = await db()('join_applications')
    .insert({
      organization_id: tree.primary.id,
      status: 'confirmed',
      surname: 'Заявкина',
      name: 'Ольга',
      sex: 'f',
      birth_date: '1990-02-03',
      email: 'olga@example.ru',
      category: 'working',
      workplace: 'Гимназия № 7',
      consent_version: 'join-2026-12',
      confirm_token_hash: crypto.randomBytes(32),
      confirmed_at: new Date(),
    })
    .returning('id');
  applicationId = Number(application.id);
  admin = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'admin', org: tree.union }]));
  chair = await loggedInAgent(ctx.app, await createUser(db(), [{ role: 'chair', org: tree.primary }]));
});

describe('generated documents', () => {
  it('the membership application PDF holds the member, the organization and the template version; the reading is audited', async () => {
    const res = await download(chair.agent, `/members/${memberId}/documents/membership-application.pdf`).expect(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const text = (await pdfText(res.body as Buffer)).replace(/\s+/g, ' ');
    expect(text).toContain('Соколова Вера Ивановна');
    expect(text).toContain('ППО Гимназии № 7 города Казани');
    expect(text).toContain('(membership-application), версия 1');
    expect(await pdfInfo(res.body as Buffer)).toMatchObject({
      Subject: 'Шаблон membership-application, версия 1',
      Keywords: 'template:membership-application; version:1',
    });
    const audit = await db()('audit_log').where({ action: 'document.generated', entity_id: String(memberId) });
    expect(audit.map((a) => a.new_values)).toEqual([{ kind: 'membership-application', version: 1, format: 'pdf' }]);
  });

  it('the DOCX opens as a zip whose document.xml holds the name', async () => {
    const res = await download(chair.agent, `/members/${memberId}/documents/dues-withholding.docx`).expect(200);
    const file = path.join(os.tmpdir(), `tmpl-${crypto.randomUUID()}.docx`);
    fs.writeFileSync(file, res.body as Buffer);
    const { zip, entries, open } = await openZip(file);
    try {
      const xml = await streamText(await open(entries.get('word/document.xml')!));
      // the application is from the member: the name in the genitive
      expect(xml).toContain('Соколовой Веры Ивановны');
      expect(xml).toContain('ППО Гимназии № 7 города Казани');
    } finally {
      zip.close();
      fs.rmSync(file);
    }
  });

  it('the consent carries the wording of the version agreed to; a paper version the registry lacks is refused', async () => {
    const [consent] = await db()('member_consents')
      .insert({
        member_id: memberId,
        kind: 'processing',
        text_version: JOIN_CONSENT_VERSION,
        source: 'online',
        given_on: '2024-01-10',
      })
      .returning('id');
    const res = await download(chair.agent, `/members/${memberId}/documents/consent.pdf`).expect(200);
    const text = (await pdfText(res.body as Buffer)).replace(/\s+/g, ' ');
    expect(text).toContain(JOIN_CONSENT_TEXT.slice(0, 60));
    expect(text).toContain(JOIN_CONSENT_VERSION);
    await db()('member_consents').where({ id: consent.id }).update({ text_version: 'бумага-2019' });
    const refused = await chair.agent.get(`/members/${memberId}/documents/consent.docx`).expect(409);
    expect(refused.text).toContain('версии «бумага-2019», которого в реестре нет');
    await db()('member_consents').where({ id: consent.id }).delete();
  });

  it('the certificate carries the card number and its check link; the applicant and the passport have theirs', async () => {
    const cert = await download(chair.agent, `/members/${memberId}/documents/certificate.pdf`).expect(200);
    const text = (await pdfText(cert.body as Buffer)).replace(/\s+/g, ' ');
    expect(text).toContain('1600000000017');
    expect(text).toMatch(/\/card\/[0-9a-f-]{36}/);
    const applicant = await download(
      chair.agent,
      `/orgs/${tree.primary.inpo}/applications/${applicationId}/documents/membership-application.pdf`,
    ).expect(200);
    expect(await pdfText(applicant.body as Buffer)).toContain('Заявкина Ольга');
    const card = await download(chair.agent, `/orgs/${tree.primary.inpo}/documents/registration-card.pdf`).expect(200);
    expect(await pdfText(card.body as Buffer)).toContain(tree.primary.inpo);
  });

  it('the member card, the queue, its application and the passport offer their documents', async () => {
    const pages = {
      [`/members/${memberId}`]: `/members/${memberId}/documents/certificate.docx`,
      [`/orgs/${tree.primary.inpo}/applications/${applicationId}`]: `/orgs/${tree.primary.inpo}/applications/${applicationId}/documents/membership-application.pdf`,
      [`/orgs/${tree.primary.inpo}`]: `/orgs/${tree.primary.inpo}/documents/registration-card.docx`,
      [`/orgs/${tree.primary.inpo}/applications`]: `/orgs/${tree.primary.inpo}/applications/${applicationId}/documents/membership-application.docx`,
    };
    for (const [page, link] of Object.entries(pages))
      expect((await chair.agent.get(page).expect(200)).text, page).toContain(`href="${link}"`);
  });

  it('outside the subtree (and for a document its page does not offer) the answer is 404, and nothing is audited', async () => {
    const before = await db()('audit_log').where({ action: 'document.generated' }).count({ n: '*' }).first();
    await chair.agent.get(`/members/${outsideMemberId}/documents/consent.pdf`).expect(404);
    await chair.agent.get(`/orgs/${outsideInpo}/documents/registration-card.docx`).expect(404);
    // a document the page does not offer
    await chair.agent.get(`/orgs/${tree.primary.inpo}/documents/certificate.pdf`).expect(404);
    const after = await db()('audit_log').where({ action: 'document.generated' }).count({ n: '*' }).first();
    expect(after).toEqual(before);
  });
});

describe('template versions', () => {
  const upload = (body: string) =>
    admin.agent
      .post(`/admin/templates?_csrf=${encodeURIComponent(admin.csrf)}`)
      .attach('file', Buffer.from(body), 'template.json');
  const shipped = () =>
    JSON.parse(readDefaultTemplates().find((t) => t.file === 'template-membership-application.json')!.text);

  it('a template with an unknown placeholder is refused with its name and line, and nothing is saved', async () => {
    const t = shipped();
    t.blocks[2].text = 'Размер обуви: {{member.shoeSize}}';
    const body = JSON.stringify(t, null, 2);
    const line = body.split('\n').findIndex((l) => l.includes('shoeSize')) + 1;
    const res = await upload(body).expect(422);
    expect(res.text).toContain(`Строка ${line}: неизвестное поле {{member.shoeSize}}`);
    expect(res.text).toContain('ничего не сохранено');
    expect(await db()('document_templates').where({ kind: 'membership-application' }).pluck('version')).toEqual([1]);
  });

  it('a new version is used for the next document and the old one stays listed', async () => {
    const t = shipped();
    t.blocks[2].text = 'Прошу принять меня в члены Профсоюза (редакция 2).';
    await upload(JSON.stringify(t, null, 2)).expect(303);
    const res = await download(chair.agent, `/members/${memberId}/documents/membership-application.pdf`).expect(200);
    const text = (await pdfText(res.body as Buffer)).replace(/\s+/g, ' ');
    expect(text).toContain('(редакция 2)');
    expect(text).toContain('(membership-application), версия 2');
    const list = await admin.agent.get('/admin/templates').expect(200);
    const rows = [...list.text.matchAll(/<tr><td>Заявление о вступлении в Профсоюз[\s\S]*?<\/tr>/g)].map((m) =>
      m[0].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '),
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain(' 2 ');
    expect(rows[0]).toContain('действует');
    expect(rows[1]).toContain(' 1 ');
    expect(rows[1]).toContain('заменена');
  });
});

describe('names in their cases and the employer', () => {
  const upload = (body: unknown) =>
    admin.agent
      .post(`/admin/templates?_csrf=${encodeURIComponent(admin.csrf)}`)
      .attach('file', Buffer.from(JSON.stringify(body, null, 2)), 'template.json');
  const extract = () =>
    JSON.parse(readDefaultTemplates().find((t) => t.file === 'template-admission-extract.json')!.text);
  const pdfOf = async (url: string) =>
    (await pdfText((await download(chair.agent, url).expect(200)).body as Buffer)).replace(/\s+/g, ' ');

  it('the dues application is addressed to the employer the ППО passport names, from the member in the genitive', async () => {
    const saved = await submitForm(chair.agent, `/orgs/${tree.primary.inpo}/edit`, `/orgs/${tree.primary.inpo}/edit`, {
      name: 'ППО Гимназии № 7 города Казани',
      employerName: 'МБОУ «Гимназия № 7» г. Казани',
      employerInn: '7707083893',
    });
    expect(saved.status, saved.text.slice(0, 300)).toBe(303);
    expect((await chair.agent.get(`/orgs/${tree.primary.inpo}`).expect(200)).text).toContain(
      'МБОУ «Гимназия № 7» г. Казани',
    );
    const text = await pdfOf(`/members/${memberId}/documents/dues-withholding.pdf`);
    expect(text).toContain('Руководителю МБОУ «Гимназия № 7» г. Казани (ИНН 7707083893) от Соколовой Веры Ивановны');
    // a member of the ППО's group: the employer is the ППО's
    const group = await createOrg(db(), tree.primary, 'group');
    const [groupMember] = (await createMembers(db(), group, 1, { surname: 'Лебедева' })) as [number];
    expect(await pdfOf(`/members/${groupMember}/documents/dues-withholding.pdf`)).toContain(
      'Руководителю МБОУ «Гимназия № 7» г. Казани (ИНН 7707083893) от Лебедевой Марии Ивановны',
    );
  });

  it('a template asks for a name in the genitive or the dative: a woman’s and a man’s name each in its case', async () => {
    const [man] = (await createMembers(db(), tree.primary, 1, {
      surname: 'Кузнецов',
      name: 'Илья',
      patronymic: 'Петрович',
      sex: 'm',
    })) as [number];
    const t = extract();
    t.blocks.splice(1, 0, {
      type: 'paragraph',
      text: 'Родительный: {{member.fullName|genitive}}. Дательный: {{ member.fullName | dative }}. Фамилия: {{member.surname|dative}}.',
    });
    await upload(t).expect(303);
    expect(await pdfOf(`/members/${memberId}/documents/admission-extract.pdf`)).toContain(
      'Родительный: Соколовой Веры Ивановны. Дательный: Соколовой Вере Ивановне. Фамилия: Соколовой.',
    );
    expect(await pdfOf(`/members/${man}/documents/admission-extract.pdf`)).toContain(
      'Родительный: Кузнецова Ильи Петровича. Дательный: Кузнецову Илье Петровичу. Фамилия: Кузнецову.',
    );
  });

  it('an unknown filter is refused with its name, a case of a field that is no name too, and nothing is saved', async () => {
    const before = await db()('document_templates').where({ kind: 'admission-extract' }).pluck('version');
    const t = extract();
    t.blocks[1].text = 'от {{member.fullName|vocative}}';
    const res = await upload(t).expect(422);
    expect(res.text).toContain('неизвестный фильтр «vocative» в {{member.fullName|vocative}}: доступны genitive');
    t.blocks[1].text = 'в {{organization.name|genitive}}';
    expect((await upload(t).expect(422)).text).toContain(
      'фильтр «genitive» в {{organization.name|genitive}} склоняет только имена людей',
    );
    expect(await db()('document_templates').where({ kind: 'admission-extract' }).pluck('version')).toEqual(before);
  });
});
