import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// The app as users meet it: the real server in its own process (so the load tool does not share its
// event loop), on loopback, against the benchmark database. Its memory is read from /proc.

export interface RunningServer {
  baseUrl: string;
  pid: number;
  rssMb: () => number;
  stop: () => Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, '..');

/** The server as production runs it: the owner's login for migrations, the app role's for everything else. */
export async function startServer(
  ownerUrl: string,
  appUrl: string,
  port: number,
  settings: Record<string, string> = {},
): Promise<RunningServer> {
  // BENCH_PORT_OFFSET moves every benchmark server (two benchmark runs side by side against two databases)
  port += Number(process.env.BENCH_PORT_OFFSET ?? 0);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    // production settings, but plain HTTP on loopback (no TLS terminator in front)
    env: {
      ...process.env,
      MIGRATION_DATABASE_URL: ownerUrl,
      DATABASE_URL: appUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      BEHIND_TLS: 'false',
      DEMO_DATA: 'false',
      LOG_LEVEL: 'warn',
      SESSION_SECRET: 'benchmark-session-secret-of-32-characters-or-more',
      DB_POOL_MAX: '10',
      STATEMENT_TIMEOUT_MS: '120000',
      // the benchmark logins (an administrator, a coordinator) have no second factor: with it required every
      // page answered a redirect to its enrolment, and the pages were timed as those redirects
      TOTP_REQUIRED: 'false',
      ...settings,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${baseUrl}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    baseUrl,
    pid: child.pid!,
    rssMb: () => {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Samples a process's RSS while `work` runs; returns the peak growth over the starting value. */
export async function peakGrowth<T>(
  server: RunningServer,
  work: () => Promise<T>,
): Promise<{ result: T; startMb: number; peakMb: number }> {
  const startMb = server.rssMb();
  let peakMb = startMb;
  const timer = setInterval(() => {
    peakMb = Math.max(peakMb, server.rssMb());
  }, 50);
  try {
    const result = await work();
    peakMb = Math.max(peakMb, server.rssMb());
    return { result, startMb, peakMb };
  } finally {
    clearInterval(timer);
  }
}

/**
 * A memory row's figure: the growth with the RSS it grew from and to. The start is whatever the journeys before
 * left: V8 hands back its young generation (up to 32 MB) and old-space pages while the server idles, and takes
 * them again on the next busy request, so the same work shows more growth after an idle spell than after a busy one.
 */
export const rssGrowth = ({ startMb, peakMb }: { startMb: number; peakMb: number }): string =>
  `RSS +${(peakMb - startMb).toFixed(0)} MB (${startMb.toFixed(0)} → ${peakMb.toFixed(0)} MB)`;
