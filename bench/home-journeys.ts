import type { Knex } from 'knex';
import { createSurveysService } from '../src/surveys/surveys.service';
import { createHomeService } from '../src/home/home.service';
import { countWaitingApplications, type JoinService } from '../src/join/join.service';
import { createMemberRequestsService } from '../src/me/member-requests.service';
import { createMembersService } from '../src/members/members.service';
import { createMonitoringService } from '../src/monitoring/monitoring.service';
import { createNotificationsService } from '../src/notifications/notifications.service';
import { createReportsService } from '../src/reports/reports.service';
import { primaryReads } from '../src/db/replica';
import { eventDates } from '../src/shared/event-dates';
import type { BenchFixtures } from './fixtures';
import type { Journey } from './journeys';
import type { PageWork } from './page-work';

// Issue 17 item 3: the home page's dashboard adds < 20 ms at p50. The home page of the coordinator of the
// biggest region, the federal administrator and a chair, against the same page without a dashboard (a
// statistician of the biggest region: the card with its members on record, the notifications); and the
// dashboard's count alone (direct), which a process makes once a minute per subtree, in the background
// after the first (DASHBOARD_KEPT_SECONDS).

/** The home page's services over the bench's pool, as deps.ts wires them (the online admissions unused by the home page). */
function homeOver(db: Knex) {
  const dates = eventDates();
  const reports = createReportsService(db, dates, primaryReads(db));
  const members = createMembersService(db, dates);
  const join = { waitingCount: (id: number) => countWaitingApplications(db, id) };
  const unused = () => Promise.reject(new Error('not used by the home page'));
  const online = { admissionsByChild: unused, waitingByChild: unused } as Pick<
    JoinService,
    'admissionsByChild' | 'waitingByChild'
  >;
  // kept a minute as the app keeps it; and a count each time, for what a recount costs
  const monitoring = createMonitoringService(db, primaryReads(db), reports, online);
  const counting = createMonitoringService(db, primaryReads(db), reports, online, { dashboardKeptMs: 0 });
  const notifications = createNotificationsService(db, { send: () => Promise.resolve() } as never, { publicUrl: '' });
  const home = createHomeService(db, {
    reports,
    memberRequests: createMemberRequestsService(db, dates),
    join,
    monitoring,
    members,
    surveys: createSurveysService(db, notifications),
  });
  return { home, counting, notifications };
}

export function homeJourneys(
  db: Knex,
  fx: BenchFixtures,
  work: Record<'coordinator' | 'admin' | 'chair' | 'statistician', PageWork>,
): Journey[] {
  const { home, counting, notifications } = homeOver(db);
  const page = { concurrency: [1], runs: 50, limits: { p95Ms: 250 } };
  const homeOf = (w: PageWork) => async () => {
    await w.session();
    return Promise.all([home.summaries(w.principal), notifications.inbox(w.audit.actorUserId)]);
  };
  const roles = [
    ['coordinator of the biggest region', 'coordinator'],
    ['federal admin', 'admin'],
    ['chair', 'chair'],
  ] as const;
  return [
    {
      ...page,
      name: 'home page without dashboard (statistician of the biggest region): the comparison row',
      target: 'the comparison row',
      isComparison: true,
      who: 'statistician',
      path: () => '/',
      direct: homeOf(work.statistician),
    },
    ...roles.map(([label, who]) => ({
      ...page,
      name: `home page with dashboard, ${label}`,
      target: 'p50 ≤ the comparison row + 20 ms',
      limits: { p95Ms: 250, addsAtMostMs: 20 },
      who,
      path: () => '/',
      direct: homeOf(work[who]),
    })),
    ...(
      [
        ['union', fx.union.inpo],
        ['biggest region', fx.region.inpo],
      ] as const
    ).map(([scope, inpo]) => ({
      name: `home dashboard's count, ${scope} (figures, campaign, worst 10: once a minute, in the background)`,
      target: 'a recount, once a minute in the background: p95 < 5 s',
      who: 'admin' as const,
      concurrency: [1],
      runs: 20,
      limits: { p95Ms: 5000 },
      path: null,
      direct: async () => {
        const org = (await work.admin.lineage(inpo)).pop()!;
        return counting.dashboard(org);
      },
    })),
  ];
}
