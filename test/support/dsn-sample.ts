import fs from 'node:fs';
import path from 'node:path';
import { APP_ROOT } from '../../src/app-paths';

/** A Postfix DSN (test/fixtures/dsn-postfix.eml) returning the letter of `token` to `to`, with CRLF line ends. */
export const postfixDsn = (token: string, to: string) => sample('dsn-postfix.eml', token, to);

/** A complaint (RFC 5965 feedback report, test/fixtures/arf-complaint.eml) about the letter of `token` to `to`. */
export const arfComplaint = (token: string, to: string) => sample('arf-complaint.eml', token, to);

function sample(file: string, token: string, to: string): string {
  return fs
    .readFileSync(path.join(APP_ROOT, 'test/fixtures', file), 'utf8')
    .replaceAll('{{TOKEN}}', token)
    .replaceAll('{{TO}}', to)
    .replace(/\r?\n/g, '\r\n');
}
