import zlib from 'node:zlib';
import type { Asset } from './assets';

export type Encoding = 'br' | 'gzip' | 'identity';

/** Text formats; images (PNG, ICO) are compressed already. */
const TEXT = /^(text\/|image\/svg\+xml)/;

const cache = new WeakMap<Asset, Partial<Record<'br' | 'gzip', Buffer | null>>>();

/**
 * The asset's bytes in the encoding, made on its first request and kept: an asset never changes under its URL, so
 * it pays for the slowest, tightest setting once (brotli 11: htmx.min.js 15.3 KB, where the per-response
 * quality 5 gives 16.5 KB and gzip 16.9 KB) instead of at every start-up, which the test suite does a hundred times. Undefined when the encoding does
 * not help (an image, or a file so small that the encoded form is no shorter).
 */
export function compressedOnce(asset: Asset, encoding: 'br' | 'gzip'): Buffer | undefined {
  if (!TEXT.test(asset.type)) return undefined;
  const kept = cache.get(asset) ?? {};
  cache.set(asset, kept);
  if (kept[encoding] === undefined) {
    const encoded = encode(asset.body, encoding);
    kept[encoding] = encoded.length < asset.body.length ? encoded : null;
  }
  return kept[encoding] ?? undefined;
}

function encode(body: Buffer, encoding: 'br' | 'gzip'): Buffer {
  if (encoding === 'gzip') return zlib.gzipSync(body, { level: zlib.constants.Z_BEST_COMPRESSION });
  return zlib.brotliCompressSync(body, {
    params: {
      [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
      [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
}
