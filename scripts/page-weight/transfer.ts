// What a page costs on the wire: bytes as they travel (compressed, headers included), read with a plain HTTP
// client that does not decode them. Shared by `npm run page-weight` and the tests that hold the budget.
import http from 'node:http';
import zlib from 'node:zlib';

export interface Transfer {
  url: string;
  status: number;
  headers: http.IncomingHttpHeaders;
  /** bytes on the wire: the status line and headers plus the body as sent (compressed when it was) */
  bytes: number;
  /** the body as sent */
  raw: Buffer;
  /** the body decoded */
  body: Buffer;
}

/** A browser's request: it accepts brotli and gzip. */
export async function get(url: string, { cookie }: { cookie?: string } = {}): Promise<Transfer> {
  return request(url, { method: 'GET', headers: { 'accept-encoding': 'br, gzip', ...(cookie ? { cookie } : {}) } });
}

export async function request(url: string, options: http.RequestOptions, body?: string): Promise<Transfer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        resolve({
          url,
          status: res.statusCode ?? 0,
          headers: res.headers,
          bytes: headerBytes(res) + raw.length,
          raw,
          body: decode(raw, res.headers['content-encoding']),
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function headerBytes(res: http.IncomingMessage): number {
  const statusLine = `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n`;
  const lines = [];
  for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`);
  return Buffer.byteLength(statusLine + lines.join('') + '\r\n');
}

function decode(raw: Buffer, encoding: string | undefined): Buffer {
  if (encoding === 'br') return zlib.brotliDecompressSync(raw);
  if (encoding === 'gzip') return zlib.gunzipSync(raw);
  return raw;
}

/** The session cookie of a sign-in through the login form (a user without a second factor to enter). */
export async function logIn(baseUrl: string, username: string, password: string): Promise<string> {
  const page = await get(`${baseUrl}/login`);
  const cookie = cookieOf(page);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body.toString())?.[1];
  if (!csrf) throw new Error('no CSRF token on the login page');
  const form = new URLSearchParams({ _csrf: csrf, username, password }).toString();
  const answer = await request(
    `${baseUrl}/login`,
    { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } },
    form,
  );
  if (answer.status !== 303 || answer.headers.location?.startsWith('/login'))
    throw new Error(`login of ${username} failed (${answer.status} → ${answer.headers.location})`);
  return cookieOf(answer);
}

function cookieOf(res: Transfer): string {
  const cookies = res.headers['set-cookie'] ?? [];
  if (!cookies.length) throw new Error(`${res.url} set no cookie`);
  return cookies.map((c) => c.split(';')[0]).join('; ');
}
