// How the model test compares: every value of a report against the model, every mismatch kept, and the
// reports fetched a few at a time.
import type { ExpectedForm } from './expected';
import type { OrgModel } from './model';

/** Which report a compared value comes from. */
export interface Check {
  /** live: a report against the model; filed: "from filed" against live after filing everything */
  kind: 'live' | 'filed';
  form: string;
  org: OrgModel;
  date: string;
  start: string;
  line: string;
}

export interface JsonLine {
  no: string;
  type: string;
  values?: Record<string, number | null>;
  text?: string;
}
export interface JsonReport {
  lines: JsonLine[];
  rows?: { inpo: string; hasAgreement: boolean; staffCovered: number | null; membersCovered: number | null }[];
}

/** Runs `work` over the items four at a time (the reports of a date are independent), answers in order. */
export async function inParallel<T, R>(items: T[], work: (item: T) => Promise<R>, width = 4): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i]!);
      }
    }),
  );
  return out;
}

/** Collects every mismatch instead of stopping at the first. */
export class Tally {
  mismatches: string[] = [];
  checked = 0;

  compare(c: Omit<Check, 'line'>, expected: ExpectedForm, lines: JsonLine[], label = 'expected') {
    const got = new Map(lines.map((l) => [l.no, l]));
    const where = `${c.org.key} (${c.org.inpo}) ${c.form} ${c.date}${c.kind === 'filed' ? ' from filed' : ''}`;
    for (const [no, exp] of Object.entries(expected)) {
      const line = got.get(no);
      const check: Check = { ...c, line: no };
      if (exp.text !== undefined) this.one(check, `${where} line ${no} text`, exp.text, line?.text, label);
      for (const [col, value] of Object.entries(exp.values ?? {}))
        this.one(check, `${where} line ${no} ${col}`, value, line?.values?.[col], label);
    }
    for (const line of lines)
      if (!(line.no in expected))
        this.one(
          { ...c, line: line.no },
          `${where} line ${line.no}`,
          'no such line',
          JSON.stringify(line.values ?? line.text),
          label,
        );
  }

  one(check: Check, what: string, expected: unknown, actual: unknown, label: string) {
    if (
      typeof expected === 'object' ? JSON.stringify(expected) === JSON.stringify(actual) : Object.is(expected, actual)
    )
      return void this.checked++;
    this.mismatches.push(`${what}: ${label} ${JSON.stringify(expected)}, actual ${JSON.stringify(actual)}`);
  }

  summary() {
    return `${this.checked} values agree, ${this.mismatches.length} do not`;
  }
}
