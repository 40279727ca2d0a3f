// Chromium's own "Slow 3G" profile (DevTools network throttling, as Puppeteer's PredefinedNetworkConditions
// define it): 2 s of latency per request and 50 KB/s each way. Applied through the DevTools protocol, so the
// browser itself waits as it would on such a link.
import type { Page } from 'playwright-core';

export const SLOW_3G = {
  offline: false,
  latency: 400 * 5,
  downloadThroughput: ((500 * 1000) / 8) * 0.8,
  uploadThroughput: ((500 * 1000) / 8) * 0.8,
};

const UNTHROTTLED = { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 };

/** Puts the page on the slow link; the returned function takes it off again. */
export async function throttle(page: Page, conditions = SLOW_3G): Promise<() => Promise<void>> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', conditions);
  return async () => {
    await cdp.send('Network.emulateNetworkConditions', UNTHROTTLED);
    await cdp.detach();
  };
}

/** A signed-in browser context from the session cookie of `logIn` (transfer.ts). */
export function cookiesFor(baseUrl: string, cookie: string) {
  return cookie.split('; ').map((pair) => {
    const eq = pair.indexOf('=');
    return { name: pair.slice(0, eq), value: pair.slice(eq + 1), url: baseUrl };
  });
}

/**
 * Milliseconds from the navigation's start until the page's load event (its stylesheets and scripts are in), as the
 * browser's own Navigation Timing reports it, and the assets it had to fetch rather than take from its cache.
 */
export async function loadTime(page: Page, url: string): Promise<{ ms: number; fetchedAssets: string[] }> {
  const response = await page.goto(url, { waitUntil: 'load' });
  if (response?.status() !== 200) throw new Error(`${url} answered ${response?.status()}`);
  return page.evaluate(() => {
    const [navigation] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
    const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    return {
      ms: navigation!.loadEventStart - navigation!.startTime,
      // a cached asset has no transfer; a revalidated one transfers at least its headers
      fetchedAssets: resources.filter((r) => r.name.includes('/assets/') && r.transferSize > 0).map((r) => r.name),
    };
  });
}
