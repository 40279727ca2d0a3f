import type { Express, Request, Response } from 'express';
import { publicRoute } from '../../access/route-guards';
import { loadAssets, type Asset, type Assets } from '../assets';
import { compressedOnce, type Encoding } from '../asset-encodings';

// A fingerprinted URL never changes its bytes: kept by browsers and proxies for a year without a question.
const FOREVER = 'public, max-age=31536000, immutable';

/**
 * Every asset comes from this app (the CSP allows no other origin): public/ and htmx, each under a URL with its
 * content hash, which views get from `asset('css/app.css')`. Answered here, before sessions, and compressed once
 * (brotli at its best quality, gzip) rather than per request.
 */
export function setUpStatic(app: Express, assets: Assets = loadAssets()) {
  app.locals.asset = assets.url;
  app.use('/assets', (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const asset = assets.at(req.path);
    // an old URL (a page rendered before a release) or a made-up one: no session, no page, just a 404
    if (!asset) return void res.status(404).type('text/plain').set('Cache-Control', 'no-store').send('Not found');
    sendAsset(req, res, asset);
  });
  // browsers still ask for /favicon.ico now and then: answered here, before sessions, so the request never
  // passes through a user's session. Not a permanent redirect: the icon's URL changes with its bytes.
  app.get('/favicon.ico', publicRoute, (_req, res) => {
    res.set('Cache-Control', 'public, max-age=86400');
    res.redirect(302, assets.url('img/favicon.svg'));
  });
}

function sendAsset(req: Request, res: Response, asset: Asset) {
  res.set({
    'Content-Type': asset.type,
    'Cache-Control': FOREVER,
    ETag: asset.etag,
    Vary: 'Accept-Encoding',
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.get('if-none-match') === asset.etag) return void res.status(304).end();
  const encoding = req.acceptsEncodings('br', 'gzip', 'identity') as Encoding | false;
  const body = encoding && encoding !== 'identity' ? compressedOnce(asset, encoding) : undefined;
  if (body) res.set('Content-Encoding', encoding as string);
  const bytes = body ?? asset.body;
  res.set('Content-Length', String(bytes.length));
  res.status(200).end(req.method === 'HEAD' ? undefined : bytes);
}
