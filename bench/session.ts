// A logged-in session over plain HTTP: the cookie and the CSRF token a browser would hold.

export interface Session {
  cookie: string;
  csrf: string;
}

function cookieOf(res: Response, previous = ''): string {
  const set = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
  return set.length ? set.join('; ') : previous;
}

const csrfIn = (html: string) =>
  /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? /name="csrf-token" content="([^"]+)"/.exec(html)?.[1] ?? '';

export async function login(baseUrl: string, username: string, password: string): Promise<Session> {
  const page = await fetch(`${baseUrl}/login`);
  let cookie = cookieOf(page);
  const res = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: baseUrl },
    body: new URLSearchParams({ _csrf: csrfIn(await page.text()), username, password }),
  });
  if (res.status !== 303) throw new Error(`login of ${username} failed: ${res.status}`);
  cookie = cookieOf(res, cookie);
  const home = await fetch(`${baseUrl}/account/password`, { headers: { cookie } });
  return { cookie, csrf: csrfIn(await home.text()) };
}
