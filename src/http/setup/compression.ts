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
 * Compresses the app's text answers (gzip or brotli, as the browser accepts): a 40 KB member list page arrives as
 * about 5 KB on a metered village connection. Brotli at quality 5, not its default 11: per response the highest
 * quality costs milliseconds of CPU, where 5 is as cheap as gzip and still smaller (4 is larger than gzip).
 * The fingerprinted assets come compressed already (setUpStatic). Streamed downloads flush as they go
 * (http/download.ts), so an export is never held back whole.
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
