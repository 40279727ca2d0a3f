import { describe, expect, it } from 'vitest';
import {
  compareWithLanded,
  currentMigrationHashes,
  describeDrift,
  hashMigrationText,
  readLandedHashes,
} from '../../scripts/landed-migrations';

describe('landed migrations', () => {
  it('when the migrations are compared with migrations/landed.json, then none changed, disappeared or is unrecorded', () => {
    expect(describeDrift(compareWithLanded(readLandedHashes(), currentMigrationHashes()))).toEqual([]);
  });

  it('when a landed migration is edited, then the check says to add a new migration instead', () => {
    const landed = { 'a.ts': hashMigrationText('up 1') };
    const [problem] = describeDrift(compareWithLanded(landed, { 'a.ts': hashMigrationText('up 2') }));
    expect(problem).toMatch(/^a\.ts was edited after it landed: .*add a new migration instead/);
  });

  it('when a landed migration is deleted, then the check names it', () => {
    const drift = compareWithLanded({ 'a.ts': hashMigrationText('up') }, {});
    expect(drift).toEqual({ changed: [], missing: ['a.ts'], unrecorded: [] });
    expect(describeDrift(drift)[0]).toMatch(/^a\.ts landed and is gone: .*add a new migration instead/);
  });

  it('when a migration is new, then the check gives the command that records it', () => {
    const drift = compareWithLanded({}, { 'b.ts': hashMigrationText('up') });
    expect(describeDrift(drift)).toEqual([
      'b.ts is not recorded as landed: run `npm run migrations:record` and commit migrations/landed.json',
    ]);
  });

  it('when a file only changed its line endings, then its hash is the same', () => {
    expect(hashMigrationText('a\r\nb\r\n')).toBe(hashMigrationText('a\nb\n'));
  });
});
