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
 * Compresses the app's text answers (gzip or brotli, as the browser accepts): the 41 KB member list page arrives
 * as 6 KB on a metered village connection (docs/performance.md). Brotli at quality 5: the middleware's default 4
 * comes out larger than gzip (htmx.min.js 17.4 KB against 16.9 KB), 5 smaller (16.5 KB) at a similar cost, and
 * the best quality, 11, is made for files compressed once, like the fingerprinted assets (setUpStatic).
 * Streamed downloads flush as they go (http/download.ts), so an export is never held back whole.
 */
export function setUpCompression(app: Express) {
  app.use(
    compression({
      filter: (_req, res) => isCompressible(res as Response),
      threshold: 1024,
      brotli: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } },
    }),
  );
}
