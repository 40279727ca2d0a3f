// The checks `npm test` runs before vitest — the type check, ESLint and Prettier's check — side by side.
// ESLint and Prettier each use one core (tsc a few threads): one after another they left a core of the
// 2-core CI machine idle for most of a minute. Each check's output is printed whole when it ends, and the
// run fails when any of them fails, as the `&&` chain did.
import { spawn } from 'node:child_process';
import path from 'node:path';

const BIN = path.join(import.meta.dirname, '..', 'node_modules', '.bin');
const CHECKS: [name: string, command: string, args: string[]][] = [
  ['type check', 'tsc', ['--noEmit']],
  ['lint', 'eslint', ['.']],
  ['format check', 'prettier', ['--check', '.']],
];

function run([name, command, args]: (typeof CHECKS)[number]): Promise<boolean> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(path.join(BIN, command), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let reported = false;
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    const report = (ok: boolean, detail: string) => {
      if (reported) return; // a child that could not start may still emit 'close'
      reported = true;
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      process.stdout.write(`\n> ${name} (${command} ${args.join(' ')}): ${detail}, ${seconds} s\n${output}`);
      resolve(ok);
    };
    child.on('error', (err) => report(false, `could not start: ${err.message}`));
    child.on('close', (code) => report(code === 0, code === 0 ? 'passed' : `failed (exit ${code})`));
  });
}

const results = await Promise.all(CHECKS.map(run));
if (results.includes(false)) process.exit(1);
