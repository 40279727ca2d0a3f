import type { ChildProcessWithoutNullStreams } from 'node:child_process';

/** Everything a child process prints, stdout and stderr together, as it comes. */
export function collectOutput(child: ChildProcessWithoutNullStreams): () => string {
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return () => output;
}

/** Waits until the child prints a line matching `pattern` (or fails after `ms`). */
export function waitForOutput(read: () => string, pattern: RegExp, ms: number): Promise<string> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      const text = read();
      if (pattern.test(text)) return resolve(text);
      if (Date.now() - started > ms)
        return reject(new Error(`timed out waiting for ${pattern}; output so far:\n${text}`));
      setTimeout(tick, 100);
    };
    tick();
  });
}

/** Asks the child to stop as a service manager would (SIGTERM); resolves with its exit code. */
export function terminate(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}
