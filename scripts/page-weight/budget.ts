// The page-weight budget of issue 22: after the first visit (assets kept by the browser for a year), a page of the
// registry transfers < 30 KB; the first visit of the login page, with every asset it loads, < 80 KB.
import { get, type Transfer } from './transfer';

export const PAGE_BUDGET_BYTES = 30 * 1024;
export const FIRST_VISIT_BUDGET_BYTES = 80 * 1024;

/** The assets a page makes the browser load: stylesheets, scripts and the icon (not what a <noscript> holds). */
export function assetUrlsOf(html: string): string[] {
  const withoutNoscript = html.replace(/<noscript>[\s\S]*?<\/noscript>/g, '');
  const urls = [...withoutNoscript.matchAll(/<(?:link|script)\b[^>]*?\b(?:href|src)="(\/assets\/[^"]+)"/g)];
  return [...new Set(urls.map((m) => m[1]!))];
}

export interface FirstVisit {
  page: Transfer;
  assets: Transfer[];
  bytes: number;
}

/** A browser with an empty cache opening the page: the page and every asset it loads. */
export async function firstVisit(baseUrl: string, path: string): Promise<FirstVisit> {
  const page = await get(`${baseUrl}${path}`);
  const assets = await Promise.all(assetUrlsOf(page.body.toString()).map((url) => get(`${baseUrl}${url}`)));
  return { page, assets, bytes: page.bytes + assets.reduce((sum, a) => sum + a.bytes, 0) };
}

/** Kilobytes with one decimal, as the budget is stated (1 KB = 1024 bytes). */
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
