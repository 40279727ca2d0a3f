// partial() (src/http/setup/views.ts): a partial rendered with its parameters alone, its own includes compiled once.
import ejs from 'ejs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { partialRenderer } from '../../src/http/setup/views';

const loader = ejs.fileLoader;
afterEach(() => {
  ejs.fileLoader = loader;
  ejs.clearCache();
});

describe('partial()', () => {
  it('when a partial with includes of its own is rendered twice with the cache on, then each include is read once', () => {
    ejs.clearCache();
    const reads: string[] = [];
    ejs.fileLoader = (file: string) => {
      reads.push(path.basename(file));
      return loader(file);
    };
    const partial = partialRenderer({ cache: true });
    const params = {
      currentUser: { fullName: 'Иванова Анна' },
      nav: [],
      userOrganizations: [],
      section: 'help',
      csrfToken: () => 'token',
      formToken: () => 'form',
    };
    const html = [partial('/partials/header', params), partial('/partials/header', params)];
    expect(html[1]).toBe(html[0]);
    expect(html[0]).toContain('value="token"');
    expect(html[0]).toContain('aria-current="page" class="fw-semibold">Помощь');
    expect(reads.sort()).toEqual(['csrf.ejs', 'help-link.ejs']);
  });
});
