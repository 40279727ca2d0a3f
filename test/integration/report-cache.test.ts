import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { changeCategory, endMemberships, transferMembers } from '../../src/membership/membership';
import { INDICATORS } from '../../src/reports/indicators/catalog';
import { computeIndicators, type Scope } from '../../src/reports/indicators/engine';
import type { TestDatabase } from '../support/db';
import {
  D,
  S,
  admitBackDated,
  createReportDatabase,
  periodEndedOn,
  type ReportFixture,
} from '../support/report-fixture';

// The maintained statistics of whole-union reports must give exactly what the live queries give,
// before and after every kind of change to the history: a cache that is not forgotten is a wrong report.

let database: TestDatabase;
let db: Knex;
let fx: ReportFixture;
const MEMBER_INDICATORS = Object.entries(INDICATORS)
  .filter(([, i]) => i.group === 'state' || i.group === 'start' || i.group === 'agreements')
  .map(([n]) => n)
  .concat('primary_small');

beforeAll(async () => {
  ({ database, db, fx } = await createReportDatabase());
});
afterAll(async () => database.drop());

async function both(date: string, start: string) {
  const rootIds = [fx.orgs.R.id, fx.orgs.T.id, fx.orgs.A.id, fx.orgs.B.id, fx.orgs.C.id, fx.orgs.R2.id];
  const run = async (scope: Scope) =>
    Object.fromEntries(
      await computeIndicators(database.db, { rootIds, date, periodStart: start, names: MEMBER_INDICATORS, scope }),
    );
  return { live: await run('subtree'), cached: await run('everything') };
}

describe('maintained statistics of the member state', () => {
  it('equal the live computation at several dates', async () => {
    for (const [date, start] of [
      [D, S],
      [S, '2025-10-01'],
      ['2026-07-01', D],
      ['2020-01-01', '2019-10-01'],
    ] as const) {
      const { live, cached } = await both(date, start);
      expect(cached).toEqual(live);
    }
    // the union as a single root reads the cache without mapping organizations to roots
    const union = await db('organizations').where({ level: 'union' }).first('id');
    const whole = async (scope: Scope) =>
      (
        await computeIndicators(database.db, {
          rootIds: [union.id],
          date: D,
          periodStart: S,
          names: MEMBER_INDICATORS,
          scope,
        })
      ).get(union.id);
    expect(await whole('union')).toEqual(await whole('subtree'));
    const cachedDates = await db('member_state_cached_orgs').distinct('as_of').pluck('as_of');
    expect(cachedDates.length).toBeGreaterThanOrEqual(5);
  });

  it('forget exactly the organizations and dates a change touches, and equal the live computation after it', async () => {
    await both(D, S);
    const cachedFor = async (orgId: number) =>
      db('member_state_cached_orgs').where({ organization_id: orgId }).pluck('as_of');
    expect(await cachedFor(fx.orgs.A.id)).toContain(D);

    // a transfer on 10 May: A and B from that date on, not before
    await db.transaction((trx) =>
      transferMembers(trx, [fx.members['Васильев']!], fx.orgs.B.id, { on: '2026-05-10', actorUserId: null }),
    );
    expect(await cachedFor(fx.orgs.A.id)).toContain(D);
    await both('2026-07-01', D);
    // a back-dated admission, an exit, a category change, parental leave, a corrected birth date
    await db.transaction(async (trx) => {
      await admitBackDated(
        trx,
        fx.orgs.B.id,
        { surname: 'Поздняя', birthDate: '1995-01-01', isPedagogical: true },
        '2025-12-01',
      );
      await endMemberships(trx, [fx.members['Борисова']!], 'voluntary', { on: '2026-02-01', actorUserId: null });
      await changeCategory(trx, fx.members['Егоров']!, 'working', false, { on: '2026-03-01', actorUserId: null }, true);
    });
    await db('members').where({ id: fx.members['Алексеева'] }).update({ birth_date: '1980-01-01', sex: 'm' });
    expect(await cachedFor(fx.orgs.A.id)).not.toContain(D);
    for (const [date, start] of [
      [D, S],
      [S, '2025-10-01'],
      ['2026-07-01', D],
    ] as const) {
      const { live, cached } = await both(date, start);
      expect(cached).toEqual(live);
    }
  });
  it("forget, when a period's end alone changes, only the dates between its old and new end", async () => {
    const { organizationId, endOn } = await periodEndedOn(db, '2025-11-01');
    const dates = [
      [D, S],
      [S, '2025-10-01'],
      ['2025-11-15', '2025-10-01'],
    ] as const;
    const cachedDates = async () =>
      (await db('member_state_cached_orgs').where({ organization_id: organizationId }).pluck('as_of')).sort();
    for (const [date, start] of dates) await both(date, start);
    const before = await cachedDates();
    expect(before).toEqual(expect.arrayContaining([D, S, '2025-10-01', '2025-11-15']));
    await endOn('2025-12-01');
    expect(await cachedDates()).toEqual(before.filter((d) => d !== '2025-11-15'));
    for (const [date, start] of dates) {
      const { live, cached } = await both(date, start);
      expect(cached).toEqual(live);
    }
    // saved unchanged: nothing forgotten
    const built = await cachedDates();
    await endOn(db.raw('valid_to'));
    expect(await cachedDates()).toEqual(built);
  });
});
