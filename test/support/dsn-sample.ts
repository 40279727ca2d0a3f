import fs from 'node:fs';
import path from 'node:path';
import { APP_ROOT } from '../../src/app-paths';

/** A Postfix DSN (test/fixtures/dsn-postfix.eml) returning the letter of `token` to `to`, with CRLF line ends. */
export function postfixDsn(token: string, to: string): string {
  return fs
    .readFileSync(path.join(APP_ROOT, 'test/fixtures/dsn-postfix.eml'), 'utf8')
    .replaceAll('{{TOKEN}}', token)
    .replaceAll('{{TO}}', to)
    .replace(/\r?\n/g, '\r\n');
}
