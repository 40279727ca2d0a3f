import fs from 'node:fs';
import type { Server } from 'node:http';
import type { Express } from 'express';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { listen, stopListening } from './listen';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Debian's Chromium, headless; flags keep it from reaching for the network on a closed machine. */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH))
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install Debian's chromium package (.ci/run does)`);
  const args = [
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ];
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args });
}

export interface BrowserSession {
  browser: Browser;
  /** where the test file's app listens */
  baseUrl: string;
  /** A new page (in its own browser context, downloads allowed, with the options given) logged in as the user. */
  loggedInPage: (user: { username: string; password: string }, options?: BrowserContextOptions) => Promise<Page>;
}

/**
 * One Chromium per test worker, launched when its first e2e file starts and reused by the next ones (the
 * browser project keeps one module registry per worker, vitest.config.ts): a launch cost ~1–2 s of the
 * 2 cores per file. Files stay apart through browser contexts — each has its own cookies, storage and
 * cache — and useBrowser closes every context a file opened. Playwright ends the browser when the worker
 * process exits; one that crashed or was closed is launched anew.
 */
let sharedBrowser: Promise<Browser> | undefined;
function workerBrowser(): Promise<Browser> {
  sharedBrowser ??= launchBrowser().then((browser) => {
    browser.on('disconnected', () => (sharedBrowser = undefined));
    return browser;
  });
  // a launch that failed is tried again by the next file rather than failing every file of the worker
  sharedBrowser.catch(() => (sharedBrowser = undefined));
  return sharedBrowser;
}

/**
 * For an e2e file: its test app (useTestApp) listening on a loopback port and the worker's headless
 * Chromium; the contexts (pages) the file opened are closed after its tests.
 */
export function useBrowser(ctx: { app: Express }): BrowserSession {
  const session = {
    loggedInPage: (user, options) => loggedInPage(session.browser, session.baseUrl, user, options),
  } as BrowserSession;
  let server: Server | undefined;
  let before = new Set<BrowserContext>();
  beforeAll(async () => {
    ({ baseUrl: session.baseUrl, server } = await listen(ctx.app));
    session.browser = await workerBrowser();
    before = new Set(session.browser.contexts());
  });
  afterAll(async () => {
    const opened = session.browser?.contexts().filter((c) => !before.has(c)) ?? [];
    await Promise.all(opened.map((c) => c.close()));
    await stopListening(server);
  });
  return session;
}

async function loggedInPage(
  browser: Browser,
  baseUrl: string,
  user: { username: string; password: string },
  options: BrowserContextOptions = {},
): Promise<Page> {
  const context = await browser.newContext({ acceptDownloads: true, ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(25_000);
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Имя пользователя').fill(user.username);
  await page.getByLabel('Пароль').fill(user.password);
  await page.getByRole('button', { name: 'Войти' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  return page;
}

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core in the page against WCAG 2.0/2.1 A and AA. The script is injected through CDP, so the page's CSP does not apply. */
export async function wcagViolations(page: Page): Promise<AxeViolation[]> {
  const axeSource = fs.readFileSync(new URL(import.meta.resolve('axe-core/axe.min.js')), 'utf8');
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
}
