import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { loggedInAgent } from '../support/agents';
import { useTestApp } from '../support/app';
import { createOrg, createUser, unionRoot } from '../support/factories';

// The help page: where to turn with a question. Its contacts are the deployment's own text; without one it
// sends people to their regional organization rather than to a made-up number.

describe('the help page with the default text', () => {
  const ctx = useTestApp();

  it('when nobody configured contacts, then the page points to the regional organization and is linked from the header', async () => {
    const html = (await request(ctx.app).get('/help').expect(200)).text;
    expect(html).toContain('<h1');
    expect(html).toContain('региональную организацию Профсоюза');
    expect(html).not.toMatch(/\+7|8-800/);
    expect(html).toMatch(/<a[^>]+href="\/help"/);
  });

  it('when a chair is signed in, then the header links to the help page too', async () => {
    const db = ctx.database.ownerDb;
    const { agent } = await loggedInAgent(
      ctx.app,
      await createUser(db, [{ role: 'chair', org: await createOrg(db, await unionRoot(db), 'regional') }]),
    );
    const html = (await agent.get('/').expect(200)).text;
    expect(html).toMatch(/<a[^>]+href="\/help"[^>]*>Помощь<\/a>/);
  });
});

describe('the help page with configured contacts', () => {
  const ctx = useTestApp({
    HELP_CONTACTS: 'Горячая линия регионального комитета: 8 (843) 000-00-00\n\nПочта: <help@example.org>',
  });

  it('when HELP_CONTACTS is set, then its lines are shown as written, escaped', async () => {
    const html = (await request(ctx.app).get('/help').expect(200)).text;
    expect(html).toContain('Горячая линия регионального комитета: 8 (843) 000-00-00');
    expect(html).toContain('Почта: &lt;help@example.org&gt;');
    expect(html).not.toContain('региональную организацию Профсоюза');
  });
});

describe('contacts from a file', () => {
  it('when HELP_CONTACTS_FILE names a file, then its text is the contacts; a missing file stops the start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'help-'));
    const file = join(dir, 'contacts.txt');
    writeFileSync(file, 'Отдел организационной работы\nкабинет 12\n');
    expect(loadConfig({ NODE_ENV: 'test', HELP_CONTACTS_FILE: file }).helpContacts).toBe(
      'Отдел организационной работы\nкабинет 12',
    );
    expect(() => loadConfig({ NODE_ENV: 'test', HELP_CONTACTS_FILE: join(dir, 'absent.txt') })).toThrow(
      /HELP_CONTACTS_FILE: cannot read/,
    );
    expect(() => loadConfig({ NODE_ENV: 'test', HELP_CONTACTS: 'a', HELP_CONTACTS_FILE: file })).toThrow(
      /HELP_CONTACTS_FILE: set either HELP_CONTACTS or HELP_CONTACTS_FILE/,
    );
  });
});
