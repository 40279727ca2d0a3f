import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowOthersThrough } from '../../src/db/embedded';

describe('the embedded server’s data folder', () => {
  it('when the folder holding it was made private, then others may pass through it but still not list it', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'reestr-data-'));
    fs.chmodSync(folder, 0o700);
    allowOthersThrough(folder);
    expect(fs.statSync(folder).mode & 0o777).toBe(0o701);
    allowOthersThrough(folder);
    expect(fs.statSync(folder).mode & 0o777).toBe(0o701);
    fs.rmSync(folder, { recursive: true });
  });
});
