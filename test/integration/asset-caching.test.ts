import crypto from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { assetUrlsOf } from '../../scripts/page-weight/budget';
import { useTestApp } from '../support/app';
import { loggedInAgent, type Agent } from '../support/agents';
import { createRegionTree, createUser } from '../support/factories';
import request from 'supertest';

// Issue 22, item 2: assets are published under URLs carrying their content hash and cached for a year without
// revalidation; the pages, which hold personal data, stay no-store.

const ctx = useTestApp();
let chair: { agent: Agent; csrf: string };
let inpo: string;

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  const tree = await createRegionTree(db, 16);
  inpo = tree.primary.inpo;
  chair = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'chair', org: tree.primary }]));
});

const FOREVER = 'public, max-age=31536000, immutable';

describe('fingerprinted assets', () => {
  it('when a page is rendered, then every asset it names carries its content hash and is cached for a year', async () => {
    const page = await chair.agent.get(`/orgs/${inpo}`).expect(200);
    expect(page.headers['cache-control']).toBe('no-store');
    const urls = [
      ...assetUrlsOf(page.text),
      ...[...page.text.matchAll(/<noscript><link[^>]*href="([^"]+)"/g)].map((m) => m[1]!),
    ];
    expect(urls).toHaveLength(6);
    for (const url of urls) {
      const [, hash] = /\.([0-9a-f]{10})\.(css|js|svg)$/.exec(url) ?? [];
      expect(hash, url).toBeDefined();
      const res = await request(ctx.app).get(url).buffer(true).expect(200);
      expect(res.headers['cache-control'], url).toBe(FOREVER);
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['set-cookie'], url).toBeUndefined();
      const body = Buffer.isBuffer(res.body) ? res.body : Buffer.from(res.text);
      expect(crypto.createHash('sha256').update(body).digest('hex').slice(0, 10), url).toBe(hash);
      // a browser that asks anyway (a forced reload) is answered without the body
      await request(ctx.app).get(url).set('If-None-Match', res.headers.etag!).expect(304);
    }
  });

  it('when an asset is asked for by its old unhashed path or a wrong hash, then 404, never stale bytes under a year-long header', async () => {
    for (const url of [
      '/assets/css/app.css',
      '/assets/bootstrap/css/bootstrap.min.css',
      '/assets/css/app.0000000000.css',
    ]) {
      const res = await request(ctx.app).get(url).expect(404);
      expect(res.headers['cache-control'], url).toBe('no-store');
      expect(res.headers['set-cookie'], url).toBeUndefined();
    }
  });

  it('when a browser asks for /favicon.ico, then it is sent to the current icon for a day, not for good', async () => {
    const page = await chair.agent.get('/').expect(200);
    const icon = /<link rel="icon" href="([^"]+)"/.exec(page.text)![1];
    const res = await request(ctx.app).get('/favicon.ico').expect(302);
    expect(res.headers.location).toBe(icon);
    expect(res.headers['cache-control']).toBe('public, max-age=86400');
  });
});
