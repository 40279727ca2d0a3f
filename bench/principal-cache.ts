import { BENCH_PASSWORD, type BenchFixtures } from './fixtures';
import { httpLoad } from './measure';
import { login } from './session';
import { startServer } from './server-process';

// Issue 14, item 8: the principal (user, grants, subtree) kept with the session for PRINCIPAL_CACHE_SECONDS
// instead of being loaded on every request. The passport page at 32 clients on the running server (cache
// on, as configured) and on a second server with PRINCIPAL_CACHE_SECONDS=0, alternated twice so that the
// machine's drift falls on both alike.

const ROUNDS = 2;
const SECONDS = 8;

export async function principalCacheSideBySide(
  ownerUrl: string,
  appUrl: string,
  cachedBaseUrl: string,
  fx: BenchFixtures,
): Promise<string> {
  const uncached = await startServer(ownerUrl, appUrl, 3902, { PRINCIPAL_CACHE_SECONDS: '0' });
  try {
    const servers = { cached: cachedBaseUrl, reloaded: uncached.baseUrl };
    const sessions = {
      cached: await login(servers.cached, 'bench-coordinator', BENCH_PASSWORD),
      reloaded: await login(servers.reloaded, 'bench-coordinator', BENCH_PASSWORD),
    };
    const totals = {
      cached: { requests: 0, seconds: 0, p95: [] as number[] },
      reloaded: { requests: 0, seconds: 0, p95: [] as number[] },
    };
    for (let round = 0; round < ROUNDS; round++) {
      for (const which of ['cached', 'reloaded'] as const) {
        const load = await httpLoad(servers[which], () => `/orgs/${fx.primary.inpo}`, sessions[which], 32, {
          seconds: SECONDS,
        });
        if (load.errors) throw new Error(`passport page (${which} principal): ${load.errors} error responses`);
        totals[which].requests += load.count;
        totals[which].seconds += load.count / load.rps;
        totals[which].p95.push(load.p95);
      }
    }
    const rps = (which: 'cached' | 'reloaded') => totals[which].requests / totals[which].seconds;
    const p95 = (which: 'cached' | 'reloaded') => Math.round(Math.max(...totals[which].p95));
    const gain = rps('cached') / rps('reloaded');
    return `| passport page at 32 clients: principal kept with the session (PRINCIPAL_CACHE_SECONDS default) vs loaded per request (=0), alternated ${ROUNDS}× | kept ≥ loaded per request | kept ${Math.round(rps('cached'))} req/s, p95 ${p95('cached')} ms; per request ${Math.round(rps('reloaded'))} req/s, p95 ${p95('reloaded')} ms | ${gain.toFixed(2)}× | — | — | ${gain >= 1 ? 'pass' : '**miss**'} |`;
  } finally {
    await uncached.stop();
  }
}
