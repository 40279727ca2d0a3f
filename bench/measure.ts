import autocannon from 'autocannon';
import type { Session } from './session';

// Latency percentiles from every single response (autocannon's own summary has no p95).

export interface Latency {
  p50: number;
  p95: number;
  p99: number;
  rps: number;
  errors: number;
  count: number;
}

export function percentiles(samples: number[], seconds: number, errors = 0): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), rps: samples.length / seconds, errors, count: samples.length };
}

/**
 * HTTP through the real server: `connections` clients in a closed loop for `seconds` (or `amount` requests);
 * every request asks for the page `nextPath` picks then (a journey's random pool), not one URL over and over.
 */
export async function httpLoad(
  baseUrl: string,
  nextPath: () => string,
  session: Session,
  connections: number,
  limit: { seconds?: number; amount?: number },
): Promise<Latency> {
  const samples: number[] = [];
  let errors = 0;
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const instance = autocannon(
      {
        url: baseUrl,
        connections,
        requests: [{ setupRequest: (request) => ({ ...request, path: nextPath() }) }],
        // as a browser asks: its pages come compressed, and the compression is part of what a page costs
        headers: {
          cookie: session.cookie,
          accept: 'text/html,application/json',
          'accept-encoding': 'gzip, deflate, br',
        },
        ...(limit.amount ? { amount: limit.amount } : { duration: limit.seconds ?? 10 }),
        timeout: 120,
      },
      (err) => (err ? reject(err) : resolve()),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      // a redirect is not the page either (a login sent to its second factor's enrolment answers 303)
      if (statusCode !== 200) errors++;
      samples.push(responseTime);
    });
  });
  return percentiles(samples, (Date.now() - started) / 1000, errors);
}

/** The same work called directly, one after another. */
export async function directLoad(work: () => Promise<unknown>, runs: number): Promise<Latency> {
  await work();
  const samples: number[] = [];
  const started = Date.now();
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await work();
    samples.push(performance.now() - t);
  }
  return percentiles(samples, (Date.now() - started) / 1000);
}
