import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Formula neutralisation lives in the row writers of src/shared/spreadsheet.ts (addSafeRow, xlsxCell,
// csvLine); test/integration/export-formulas.test.ts proves them on every export. This keeps a new export
// from writing around them.
const SRC = path.resolve(import.meta.dirname, '../../src');
const WRITERS = path.join(SRC, 'shared', 'spreadsheet.ts');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sources(full) : full.endsWith('.ts') && full !== WRITERS ? [full] : [];
  });
}

describe('export writers', () => {
  it('when the sources are scanned, then sheets get rows with values and CSV gets fields only through the shared writers', () => {
    const offences = sources(SRC).flatMap((file) =>
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => {
          const where = `${path.relative(SRC, file)}:${i + 1}`;
          const rawRow = /\.addRow\((?!\[\]\))/.test(line);
          const rawCsv = /\.join\(['"];['"]\)/.test(line);
          return rawRow || rawCsv ? [where] : [];
        }),
    );
    expect(offences).toEqual([]);
  });
});
