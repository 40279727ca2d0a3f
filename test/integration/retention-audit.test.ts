import { beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/access/principal';
import { loadPrincipal } from '../../src/auth/users.repo';
import { createMembersService } from '../../src/members/members.service';
import { findMember } from '../../src/members/members.repo';
import { depersonaliseExpired } from '../../src/members/retention';
import { createPassportService } from '../../src/registry/passport.service';
import type { OrgRow } from '../../src/registry/orgs.repo';
import { createReportsService } from '../../src/reports/reports.service';
import { useTestApp } from '../support/app';
import { createOrg, createRegionTree, createUser } from '../support/factories';

// Item 4 of issue 11: depersonalisation also forgets the person's values in the audit log (which the
// application role still may not change), and keeps of the birth date only what statistics need, so
// that every past report gives the same figures.

const ctx = useTestApp();
const db = () => ctx.database.ownerDb;
const TODAY = '2026-11-23';
const LEFT = '2019-05-31';
let tree: Awaited<ReturnType<typeof createRegionTree>>;
let org: OrgRow;
let coordinator: Principal;
const ids: Record<string, number> = {};
const auditCtx = () => ({ actorUserId: coordinator.id, requestId: 'retention-test', ip: '127.0.0.1' });

const PEOPLE = [
  // always under 35 while a member
  {
    key: 'young',
    surname: 'Молодцова',
    birthDate: '1995-06-15',
    joinedOn: '2012-09-01',
    snils: '112-233-445 95',
    phone: '+7 917 111-11-11',
  },
  // turned 35 on 10.03.2017, while a member
  {
    key: 'turning',
    surname: 'Переходова',
    birthDate: '1982-03-10',
    joinedOn: '2010-01-01',
    snils: null,
    phone: '+7 917 222-22-22',
  },
  // 35 and over all the time
  {
    key: 'older',
    surname: 'Старшова',
    birthDate: '1960-02-02',
    joinedOn: '2005-01-01',
    snils: null,
    phone: '+7 917 333-33-33',
  },
  // under 35 while a member, turned 35 on 09.09.2023 while still on the committee (officers are counted by their post)
  {
    key: 'officer',
    surname: 'Комитетова',
    birthDate: '1988-09-09',
    joinedOn: '2010-01-01',
    snils: null,
    phone: '+7 917 555-55-55',
  },
  // still a member: nothing of hers is touched
  {
    key: 'staying',
    surname: 'Остающаяся',
    birthDate: '1990-01-01',
    joinedOn: '2011-01-01',
    snils: '123-456-789 64',
    phone: '+7 917 444-44-44',
  },
];

beforeAll(async () => {
  tree = await createRegionTree(db(), 16);
  org = await createOrg(db(), tree.territory, 'primary');
  coordinator = (await loadPrincipal(db(), (await createUser(db(), [{ role: 'coordinator', org: tree.region }])).id))!;
  const members = createMembersService(ctx.deps.db);
  for (const p of PEOPLE) {
    ids[p.key] = await members.admit(coordinator, auditCtx(), {
      surname: p.surname,
      name: 'Анна',
      patronymic: 'Ивановна',
      sex: 'f',
      birthDate: p.birthDate,
      phone: p.phone.replace(/\D/g, '').replace(/^7/, '+7'),
      email: `${p.key}@example.ru`,
      snils: p.snils?.replace(/\D/g, '') ?? null,
      position: 'Учитель',
      professionalGroup: null,
      studyForm: null,
      studyYear: null,
      category: 'working',
      isPedagogical: true,
      organizationInpo: org.inpo,
      joinedOn: p.joinedOn,
      documentNumber: null,
      documentDate: null,
      notDuplicate: true,
    });
    const card = (await findMember(ctx.deps.db, ids[p.key]!))!;
    const { surname, name, patronymic, sex, birthDate, snils, position, professionalGroup, studyYear } = card;
    const changed = {
      surname,
      name,
      patronymic,
      sex,
      birthDate,
      snils,
      position,
      professionalGroup,
      studyForm: null,
      studyYear,
      phone: '+79179990000',
      email: `${p.key}.new@example.ru`,
    };
    await members.updateCard(coordinator, auditCtx(), card.id, changed, undefined, true);
  }
  // elected posts of members: their audit rows name them too; one ends with the membership, one goes on
  const passport = createPassportService(ctx.deps.db);
  const committee = {
    post: 'committee' as const,
    personKind: 'member' as const,
    snils: null,
    surname: null,
    name: null,
    patronymic: null,
    sex: null,
    birthDate: null,
    electedOn: '2015-01-01',
    termUntil: null,
    salaried: false,
    protocolNumber: null,
    protocolDate: null,
    trainedOn: null,
  };
  await passport.addOfficer(auditCtx(), coordinator, org, { ...committee, memberId: ids.young! });
  await passport.addOfficer(auditCtx(), coordinator, org, { ...committee, memberId: ids.officer! });
  const [post] = await db()('org_officers').where({ member_id: ids.young });
  await passport.endOfficer(auditCtx(), org, post.id, LEFT);
  for (const key of ['young', 'turning', 'older', 'officer'])
    await members.exit(coordinator, auditCtx(), ids[key]!, {
      reason: 'dismissed',
      on: LEFT,
      documentNumber: null,
      documentDate: null,
    });
});

const DATES = [
  '2012-01-01',
  '2014-04-01',
  '2017-01-01',
  '2017-04-01',
  '2018-07-01',
  '2019-04-01',
  '2019-07-01',
  '2020-01-01',
  '2023-07-01',
  '2023-10-01',
];

/** Every line of every form the ППО and its territory file, at dates around the people's history. */
async function pastFigures() {
  const reports = createReportsService(ctx.deps.db);
  const out: Record<string, unknown> = {};
  for (const root of [org, tree.territory]) {
    for (const form of (await reports.formsOf(root)).filter((f) => f.definition.kind === 'lines')) {
      for (const date of DATES) {
        const r = await reports.draft({ org: root, form, date });
        out[`${form.code} ${root.inpo} ${date}`] = r.sections.flatMap((s) => s.lines.map((l) => [l.no, l.values]));
      }
    }
  }
  return out;
}

const auditOf = (key: string) =>
  db()('audit_log')
    .where({ entity: 'member', entity_id: String(ids[key]) })
    .orderBy('id');

describe('depersonalisation', () => {
  it('when cards past retention are depersonalised, then every past report gives the same figures', async () => {
    const before = await pastFigures();
    // the data really moves the youth column: one person turns 35 between the two dates
    const youth = (date: string) => JSON.stringify(before[`5-SP ${org.inpo} ${date}`]);
    expect(youth('2017-01-01')).not.toBe(youth('2017-04-01'));
    expect(await depersonaliseExpired(ctx.deps.db, TODAY, 5)).toBe(4);
    expect(await pastFigures()).toEqual(before);
  });

  it('then the card keeps of the birth date only what the youth figures need', async () => {
    const card = async (key: string) => db()('members').where({ id: ids[key] }).first();
    expect(await card('young')).toMatchObject({
      surname: 'Обезличено',
      birth_date: '1995-12-31',
      phone: null,
      email: null,
      snils: null,
      position: null,
    });
    expect((await card('turning')).birth_date).toBe('1982-03-10');
    expect((await card('older')).birth_date).toBe('1960-01-01');
    expect((await card('officer')).birth_date).toBe('1988-09-09');
    expect(await card('staying')).toMatchObject({ surname: 'Остающаяся', birth_date: '1990-01-01' });
  });

  it('then the audit rows of the person keep who, when and what kind, but none of the personal values', async () => {
    const rows = await auditOf('young');
    expect(rows.map((r) => r.action)).toEqual([
      'member.admitted',
      'member.updated',
      'member.left',
      'member.depersonalised',
    ]);
    const text = JSON.stringify(rows.map((r) => [r.old_values, r.new_values]));
    for (const value of [
      'Молодцова',
      '11223344595',
      '+79171111111',
      '+79179990000',
      'young@example.ru',
      'young.new@example.ru',
      '1995-06-15',
      'Учитель',
    ]) {
      expect(text).not.toContain(value);
    }
    expect(rows[0]).toMatchObject({
      actor_user_id: coordinator.id,
      request_id: 'retention-test',
      new_values: { category: 'working', sex: 'f', snils: null, surname: null },
    });
    expect(rows[1]).toMatchObject({
      old_values: { phone: null, email: null },
      new_values: { phone: null, email: null },
    });
    const [officer] = await db()('audit_log')
      .where({ action: 'org.officer.added', organization_id: org.id })
      .orderBy('id');
    expect(officer.new_values).toMatchObject({ surname: null, name: null, post: 'committee', memberId: ids.young });
    expect(JSON.stringify((await auditOf('staying')).map((r) => r.new_values))).toContain('12345678964');
  });

  it('then the audit log stays append-only: the application may not change a row, and no one may change more than the personal values', async () => {
    const [row] = await auditOf('staying');
    await expect(ctx.database.db.raw('UPDATE audit_log SET new_values = NULL WHERE id = ?', [row.id])).rejects.toThrow(
      /permission denied/,
    );
    await expect(db().raw("UPDATE audit_log SET action = 'member.viewed' WHERE id = ?", [row.id])).rejects.toThrow(
      /append-only/,
    );
    await expect(db().raw('DELETE FROM audit_log WHERE id = ?', [row.id])).rejects.toThrow(/append-only/);
    const { rows } = await ctx.database.db.raw(
      "SELECT has_function_privilege('public', 'depersonalise_audit(bigint[])', 'EXECUTE') AS anyone",
    );
    expect(rows[0].anyone).toBe(false);
  });
});
