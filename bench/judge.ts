import type { Journey } from './journeys';
import { directLoad, httpLoad, type Latency } from './measure';
import type { Session } from './session';

// One journey measured and judged against its target: a row of the table in docs/performance.md.

const quick = process.argv.includes('--quick');

export const ms = (v: number) =>
  v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;

const latency = (l: Latency) =>
  l.count ? `${ms(l.p50)} / ${ms(l.p95)} / ${ms(l.p99)}, ${Math.round(l.rps)} req/s` : 'no answer in the time';

/** A page is judged at 32 clients (p95 and throughput); a report or a list at 1 client, as one person waits for it. */
const isPage = (j: Journey) =>
  j.isLimit === true || j.judgedUnderLoad === true || j.limits.rps !== undefined || j.limits.ofLimit !== undefined;

export async function measureJourney(
  j: Journey,
  baseUrl: string,
  session: Session,
  limitRps: number | undefined,
  comparisonP50?: number,
): Promise<{ line: string; rps: number; p50: number }> {
  const runs = quick ? 3 : (j.runs ?? (j.limits.p95Ms >= 1000 ? 10 : 50));
  const floor = j.floor ? await j.floor() : undefined;
  const floorText = floor ? `; ${floor.statements} statements, floor ${ms(floor.floorMs)}` : '';
  if (!j.path) {
    const direct = await directLoad(j.direct, runs);
    const pass = direct.p95 <= j.limits.p95Ms && (j.limits.p50Ms === undefined || direct.p50 <= j.limits.p50Ms);
    return {
      line: `| ${j.name} | ${j.target} | — | — | ${ms(direct.p50)} / ${ms(direct.p95)}${floorText} | — | ${pass ? 'pass' : '**miss**'} |`,
      rps: 0,
      p50: direct.p50,
    };
  }
  const page = isPage(j);
  // the first request may build the maintained statistics of a date: timed apart, then the warm runs
  const cold = await httpLoad(baseUrl, j.path, session, 1, { amount: 1 });
  const http: Record<number, Latency> = {};
  for (const c of j.concurrency) {
    const limit = !page && c === 1 ? { amount: runs } : { seconds: quick ? 3 : 10 };
    http[c] = await httpLoad(baseUrl, j.path, session, c, limit);
  }
  const direct = await directLoad(j.direct, runs);
  const one = http[1]!;
  const worst = http[Math.max(...j.concurrency)]!;
  const judged = page ? worst : one;
  const errors = Object.values(http).reduce((sum, l) => sum + l.errors, 0) + cold.errors;
  const ofLimit = limitRps && j.concurrency.length > 1 ? worst.rps / limitRps : undefined;
  const pass =
    !errors &&
    judged.p95 <= j.limits.p95Ms &&
    (j.limits.p50Ms === undefined || judged.p50 <= j.limits.p50Ms) &&
    (j.limits.addsAtMostMs === undefined ||
      (comparisonP50 !== undefined && one.p50 <= comparisonP50 + j.limits.addsAtMostMs)) &&
    (j.limits.rps === undefined || judged.rps >= j.limits.rps) &&
    (j.limits.ofLimit === undefined || (ofLimit !== undefined && ofLimit >= j.limits.ofLimit)) &&
    (j.limits.ofFloor === undefined || (floor !== undefined && one.p50 <= j.limits.ofFloor * floor.floorMs));
  const many =
    j.concurrency.length > 1
      ? `${latency(worst)}${ofLimit !== undefined && !j.isLimit ? ` (${ofLimit.toFixed(2)} × empty page)` : ''}`
      : '—';
  const diff = comparisonP50 === undefined ? 0 : one.p50 - comparisonP50;
  const adds =
    j.limits.addsAtMostMs !== undefined && comparisonP50 !== undefined
      ? ` (${diff < 0 ? '−' : '+'}${ms(Math.abs(diff))} against the comparison row)`
      : '';
  const result = j.isLimit
    ? 'limit'
    : j.isComparison
      ? 'comparison'
      : pass
        ? 'pass'
        : `**miss**${errors ? ` (${errors} errors)` : ''}`;
  return {
    line: `| ${j.name} | ${j.target} | ${latency(one)} (first ${ms(cold.p50)})${adds} | ${many} | ${ms(direct.p50)} / ${ms(direct.p95)}${floorText} | ${(one.p50 / direct.p50).toFixed(1)}× | ${result} |`,
    rps: worst.rps,
    p50: one.p50,
  };
}
