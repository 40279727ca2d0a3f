import zlib from 'node:zlib';
import compression from 'compression';
import type { Express, Response } from 'express';

/**
 * What is worth compressing: HTML, CSS, JS, JSON, CSV, plain text and SVG. XLSX (a zip), PDF (deflate streams)
 * and images are compressed formats already: a second pass costs CPU and saves nothing.
 */
const COMPRESSIBLE =
  /^(text\/(html|css|csv|plain|javascript)|application\/(json|problem\+json|javascript)|image\/svg\+xml)(;|$)/;

export function isCompressible(res: Response): boolean {
  return COMPRESSIBLE.test(String(res.getHeader('Content-Type') ?? ''));
}

/**
 * Compresses the app's text answers (gzip or brotli, as the browser accepts): the 50 KB member list page arrives
 * as 7 KB on a metered village connection (docs/performance.md). Everything compressed here is made per request
 * (the fingerprinted assets are compressed once, at the best quality, by setUpStatic), so the levels are a
 * dynamic page's: on the biggest region's member list, brotli quality 3 gives 6.8 KB in 0.24 ms of CPU where
 * quality 5 gave 5.8 KB in 0.65 ms, and gzip level 3 7.5 KB in 0.22 ms where the default 6 gave 6.9 KB in
 * 0.42 ms (issue 15: at 32 clients the list pages are bound by the app's CPU).
 * Streamed downloads flush as they go (http/download.ts), so an export is never held back whole.
 */
export function setUpCompression(app: Express) {
  app.use(
    compression({
      filter: (_req, res) => isCompressible(res as Response),
      threshold: 1024,
      level: 3,
      brotli: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 3 } },
    }),
  );
}
