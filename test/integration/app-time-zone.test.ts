import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Agent } from '../support/agents';
import { loggedInAgent } from '../support/agents';
import { useTestApp } from '../support/app';
import { createUser } from '../support/factories';
import { pdfText } from '../support/pdf';
import { D, buildReportFixture, type ReportFixture } from '../support/report-fixture';
import { binaryParser } from '../support/xlsx';
import { todayIso } from '../../src/shared/dates';

// At 00:38 in Moscow (21:38 UTC the day before) every "today" of the app is already the new day:
// the UI's default dates, the "по данным реестра на" line of the downloads and the database's own
// CURRENT_DATE. Only Date is faked: timers, sockets and PostgreSQL run as usual.

const ctx = useTestApp();
const JUST_AFTER_MOSCOW_MIDNIGHT = new Date('2026-11-28T21:38:00Z');
let fx: ReportFixture;
let as: { agent: Agent; csrf: string };
let chair: { agent: Agent; csrf: string };

beforeAll(async () => {
  fx = await buildReportFixture(ctx.database.ownerDb);
  const user = await createUser(ctx.database.ownerDb, [{ role: 'statistician', org: fx.orgs.R }]);
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
  vi.setSystemTime(JUST_AFTER_MOSCOW_MIDNIGHT);
  as = await loggedInAgent(ctx.app, user);
  chair = await loggedInAgent(ctx.app, await createUser(ctx.database.ownerDb, [{ role: 'chair', org: fx.orgs.A }]));
});
afterAll(() => {
  vi.useRealTimers();
});

describe('today just after midnight in Moscow', () => {
  it('the UI offers 29.11.2026 as the default date', async () => {
    const headcount = await chair.agent.get(`/orgs/${fx.orgs.A.inpo}/headcount`).expect(200);
    expect(headcount.text).toMatch(/name="asOf"[^>]*value="2026-11-29"|value="2026-11-29"[^>]*name="asOf"/);
    const newMember = await chair.agent.get(`/orgs/${fx.orgs.A.inpo}/members/new`).expect(200);
    expect(newMember.text).toMatch(/name="joinedOn"[^>]*value="2026-11-29"|value="2026-11-29"[^>]*name="joinedOn"/);
  });

  it('the PDF and the XLSX say "по данным реестра на 29.11.2026"', async () => {
    const pdf = await as.agent
      .get(`/reports/5-SP/${fx.orgs.A.inpo}/${D}.pdf`)
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    expect(await pdfText(pdf.body)).toContain('по данным реестра на 29.11.2026');
    const xlsx = await as.agent
      .get(`/reports/5-SP/${fx.orgs.A.inpo}/${D}.xlsx`)
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.body);
    expect(workbook.worksheets[0]!.getSheetValues().flat().join('\n')).toContain('по данным реестра на 29.11.2026');
  });

  it("the database's day is the union's day: CURRENT_DATE and the day of an instant", async () => {
    for (const db of [ctx.deps.db, ctx.database.ownerDb]) {
      const { rows } = await db.raw(
        `SELECT current_setting('TimeZone') AS zone, (?::timestamptz)::date::text AS day, current_date::text AS today`,
        [JUST_AFTER_MOSCOW_MIDNIGHT.toISOString()],
      );
      expect(rows[0].zone).toBe('Europe/Moscow');
      expect(rows[0].day).toBe('2026-11-29');
      // PostgreSQL keeps its own clock: its CURRENT_DATE is the app's today on the real clock
      expect(rows[0].today).toBe(todayIso(new Date(vi.getRealSystemTime())));
    }
  });
});
