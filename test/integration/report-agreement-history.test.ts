import { beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../support/agents';
import { loggedInAgent } from '../support/agents';
import { useTestApp } from '../support/app';
import { createOrg, createUser, unionRoot } from '../support/factories';
import type { OrgRow } from '../../src/registry/orgs.repo';

// Item 10 of issue 12: the collective-bargaining texts show the passport as it was on the report date.
// The agreement tab keeps dated versions of what it said; КДК-1, КДК-2 and КДКО read the version in
// force on the date; КДК-1 line 09 shows the recorded reason why there is no agreement.

type Line = { no: string; values?: Record<string, number | null>; text?: string };
type Row = { inpo: string; hasAgreement: boolean; signedOn: string | null; status: string };
interface Json {
  lines: Line[];
  rows?: Row[];
}

const ctx = useTestApp();
let admin: { agent: Agent; csrf: string };
let orgs: Record<'T' | 'P' | 'Q', OrgRow>;
const REASON = 'Работодатель затягивает переговоры';
const EXPIRED_REASON = 'Договор не продлён: учреждение реорганизуется';

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  const union = await unionRoot(db);
  const R = await createOrg(db, union, 'regional', { regionCode: 44, name: 'Региональная (история договора)' });
  const T = await createOrg(db, R, 'territorial', { name: 'Территориальная (история договора)' });
  const P = await createOrg(db, T, 'primary', { name: 'ППО с историей договора' });
  const Q = await createOrg(db, T, 'primary', { name: 'ППО с истёкшим договором' });
  orgs = { T, P, Q };
  admin = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'admin', org: union }]));
  // the passport said "negotiating" from June 2024, then an agreement concluded in May 2025
  await saveAgreement('P', { asOf: '2024-06-01', status: 'negotiating', noneReason: REASON });
  await saveAgreement('P', {
    asOf: '2025-06-01',
    status: 'active',
    signedOn: '2025-05-20',
    validFrom: '2025-06-01',
    validTo: '2028-05-31',
    registrationNumber: '5',
    registrationDate: '2025-06-05',
  });
  await saveAgreement('Q', {
    asOf: '2024-01-10',
    status: 'expired',
    signedOn: '2020-01-10',
    validFrom: '2020-01-10',
    validTo: '2023-12-31',
    noneReason: EXPIRED_REASON,
  });
});

async function saveAgreement(k: 'P' | 'Q', fields: Record<string, string>) {
  // the edit form carries the version of the record it showed
  const form = (await admin.agent.get(`/orgs/${orgs[k].inpo}/agreement/edit`).expect(200)).text;
  const hidden = Object.fromEntries(
    [...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [
      m[1]!,
      m[2]!.replaceAll('&#34;', '"').replaceAll('&quot;', '"'),
    ]),
  );
  const res = await admin.agent
    .post(`/orgs/${orgs[k].inpo}/agreement`)
    .type('form')
    .send({ ...hidden, _csrf: admin.csrf, ...fields });
  expect(res.status, res.text.slice(0, 2000)).toBe(303);
}

const json = async (code: string, k: keyof typeof orgs, date: string) =>
  (await admin.agent.get(`/reports/${code}/${orgs[k].inpo}/${date}.json?source=live`).expect(200)).body as Json;
const line = (r: Json, no: string) => r.lines.find((l) => l.no === no)!;

describe('КДК-1 reads the agreement tab as it was on the report date', () => {
  it('on 01.01.2025 the passport said "negotiating" with a reason: no agreement, negotiations, the reason on line 09', async () => {
    const r = await json('KDK-1', 'P', '2025-01-01');
    expect(line(r, '01').values!.total).toBe(0);
    expect(line(r, '07').values!.total).toBe(1);
    expect(line(r, '02').text).toBe('Ведутся переговоры');
    expect(line(r, '03').text).toBe('не зарегистрирован');
    expect(line(r, '09').text).toBe(REASON);
  });

  it('on 01.01.2026 the concluded agreement: its term and registration, no negotiations, «—» on line 09', async () => {
    const r = await json('KDK-1', 'P', '2026-01-01');
    expect(line(r, '01').values!.total).toBe(1);
    expect(line(r, '06').values!.total).toBe(1);
    expect(line(r, '07').values!.total).toBe(0);
    expect(line(r, '02').text).toBe('подписан 20.05.2025, действует с 01.06.2025 по 31.05.2028');
    expect(line(r, '03').text).toBe('№ 5 от 05.06.2025');
    expect(line(r, '09').text).toBe('—');
  });

  it('before the tab said anything, the texts say there is no information', async () => {
    const r = await json('KDK-1', 'P', '2024-01-01');
    expect(line(r, '01').values!.total).toBe(0);
    expect(line(r, '07').values!.total).toBe(0);
    expect(line(r, '02').text).toBe('нет сведений');
  });

  it('an expired agreement with a recorded reason shows the reason on line 09', async () => {
    const r = await json('KDK-1', 'Q', '2025-01-01');
    expect(line(r, '01').values!.total).toBe(0);
    expect(line(r, '09').text).toBe(EXPIRED_REASON);
  });
});

describe('КДК-2 and КДКО of the territory follow the same versions', () => {
  it('КДКО lists the status, dates and agreement flag of each ППО as of the date', async () => {
    const rowOf = async (date: string) => (await json('KDKO', 'T', date)).rows!.find((x) => x.inpo === orgs.P.inpo)!;
    expect(await rowOf('2025-01-01')).toMatchObject({
      hasAgreement: false,
      signedOn: null,
      status: 'Ведутся переговоры',
    });
    expect(await rowOf('2026-01-01')).toMatchObject({
      hasAgreement: true,
      signedOn: '2025-05-20',
      status: 'Действует',
    });
  });

  it('КДК-2 counts the negotiations of the date', async () => {
    // 01.01.2025: P negotiating (no agreement), Q expired → 2 without agreement, 1 of them negotiating
    const before = await json('KDK-2', 'T', '2025-01-01');
    expect(['01', '02', '04', '05'].map((no) => line(before, no).values!.total)).toEqual([2, 0, 2, 1]);
    const after = await json('KDK-2', 'T', '2026-01-01');
    expect(['01', '02', '03', '04', '05'].map((no) => line(after, no).values!.total)).toEqual([2, 1, 1, 1, 0]);
  });
});

describe('the agreement tab', () => {
  it('lists the dated versions and offers the date the information is given on', async () => {
    const page = (await admin.agent.get(`/orgs/${orgs.P.inpo}/agreement`).expect(200)).text;
    expect(page).toContain('История сведений');
    expect(page).toMatch(/01\.06\.2024[\s\S]*Ведутся переговоры/);
    expect(page).toContain('01.06.2025');
    const form = (await admin.agent.get(`/orgs/${orgs.P.inpo}/agreement/edit`).expect(200)).text;
    expect(form).toContain('name="asOf"');
  });
});
