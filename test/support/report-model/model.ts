// The test's own record of the union: the organizations with their parents from each date on, the
// people with their membership periods, headcounts, officers and agreements — written by the test as it
// builds the union and applies events, never read back from the database. The queries below answer
// "which organization, category, sex and age did this person have on that date" and "where did this
// organization stand on that date"; expected.ts turns them into the lines of the forms.
import type { EmployerKind } from '../../../src/registry/levels';
import { addDays } from './prng';

export type Level = 'union' | 'regional' | 'territorial' | 'primary' | 'subdivision' | 'group';
export type Category = 'working' | 'student' | 'pensioner' | 'unemployed';

export interface OrgModel {
  key: string;
  id: number;
  inpo: string;
  level: Level;
  kind?: EmployerKind;
  rights?: boolean;
  /** the primary form a ППО files, chosen in its passport (5-СП, 4-СП or 3-СП) */
  form?: string;
  /** the parent from a date on; the first entry is from '-infinity' */
  parents: [string, string | null][];
  liquidatedOn?: string;
}

export interface Period {
  org: string;
  category: Category;
  ped?: boolean;
  parental?: boolean;
  from: string;
  to?: string;
}

export interface PersonModel {
  id: number;
  surname: string;
  sex: 'm' | 'f';
  birth: string;
  periods: Period[];
  /** exit reasons by the date the membership ended */
  exits: Record<string, string>;
}

export interface Headcount {
  org: string;
  asOf: string;
  employees: number;
  ped: number;
  students: number;
  institutions?: number;
}

export interface Officer {
  org: string;
  post: string;
  /** who holds the post: a member card ('m:<id>') or a person outside the registry ('p:<n>') */
  person: string;
  sex: 'm' | 'f';
  birth: string;
  electedOn: string;
  endedOn?: string;
  salaried?: boolean;
  trainedOn?: string;
}

export interface Agreement {
  org: string;
  status: 'active' | 'expired' | 'negotiating' | 'none';
  noneReason?: string;
  signedOn?: string;
  validFrom?: string;
  validTo?: string;
  regNo?: string;
  regDate?: string;
  annexes: string[];
}

export class UnionModel {
  orgs = new Map<string, OrgModel>();
  people: PersonModel[] = [];
  headcounts: Headcount[] = [];
  officers: Officer[] = [];
  agreements = new Map<string, Agreement>();
  /** the moves and merges: the organization moved or merged and the date */
  treeChanges: { org: string; on: string }[] = [];
  /** the merges: the ППО merged, the one it merged into, the date, and whether units passed with members on record */
  merges: { org: string; into: string; on: string; unitsWithMembers: boolean }[] = [];
  /** (org key, form, date) of the reports filed */
  filed = new Set<string>();

  org(key: string): OrgModel {
    const o = this.orgs.get(key);
    if (!o) throw new Error(`no organization ${key} in the model`);
    return o;
  }

  parentOn(key: string, d: string): string | null {
    return this.org(key)
      .parents.filter(([from]) => from <= d)
      .at(-1)![1];
  }

  exists(key: string, d: string): boolean {
    const l = this.org(key).liquidatedOn;
    return !l || l > d;
  }

  inSubtree(key: string, root: string, d: string): boolean {
    for (let x: string | null = key; x; x = this.parentOn(x, d)) if (x === root) return true;
    return false;
  }

  /** The organizations of root's subtree on d (root included), existing then. */
  subtree(root: string, d: string): OrgModel[] {
    return [...this.orgs.values()].filter((o) => this.exists(o.key, d) && this.inSubtree(o.key, root, d));
  }

  /** The ППО whose own record a unit is on d: the unit itself when it is a ППО, else its nearest ППО above. */
  ppoOf(key: string, d: string): string | null {
    for (let x: string | null = key; x; x = this.parentOn(x, d)) {
      const level = this.org(x).level;
      if (level === 'primary') return x;
      if (level !== 'subdivision' && level !== 'group') return null;
    }
    return null;
  }

  /**
   * The ППО a consolidated report over (s, d] adds up: those of the subtree on d, and those closed in the
   * period while in it (a merged ППО still reports the departures of its last days; its figures on d are 0).
   */
  primariesOfPeriod(root: string, s: string, d: string): OrgModel[] {
    const closed = [...this.orgs.values()].filter(
      (o) =>
        o.level === 'primary' &&
        o.liquidatedOn &&
        o.liquidatedOn > s &&
        o.liquidatedOn <= d &&
        this.inSubtree(o.key, root, addDays(o.liquidatedOn, -1)),
    );
    return [...this.primariesOf(root, d), ...closed];
  }

  /** Whether the unit belongs on d to a ППО of students only (3-СП): only students are on its record. */
  studentsOnly(unit: string, d: string): boolean {
    const ppo = this.ppoOf(unit, d);
    return !!ppo && this.org(ppo).form === '3-SP';
  }

  /** The ППО of the subtree on d that file a primary form (a ППО with territorial rights included as its own ППО). */
  primariesOf(root: string, d: string): OrgModel[] {
    return this.subtree(root, d).filter((o) => o.level === 'primary');
  }

  periodAt(p: PersonModel, d: string): Period | undefined {
    return p.periods.find((x) => x.from <= d && (!x.to || x.to > d));
  }

  /** The people on record on d for whom `where` holds of their organization, with their period then. */
  onRecord(d: string, where: (org: string) => boolean): { person: PersonModel; period: Period }[] {
    const out: { person: PersonModel; period: Period }[] = [];
    for (const person of this.people) {
      const period = this.periodAt(person, d);
      if (period && where(period.org)) out.push({ person, period });
    }
    return out;
  }

  /**
   * Movement over (start, end], day by day: coming onto the record of the scope (admitted when no
   * membership the day before, else by transfer) and going off it (an exit with its reason when no
   * membership remains, else a transfer out); the scope is judged by the tree of each day.
   */
  movement(
    inScope: (org: string, day: string) => boolean,
    start: string,
    end: string,
  ): { kind: string; person: PersonModel; day: string }[] {
    const out: { kind: string; person: PersonModel; day: string }[] = [];
    // only the days on which something changed: period bounds and tree changes
    const days = new Set<string>();
    for (const p of this.people)
      for (const x of p.periods) for (const day of [x.from, x.to]) if (day && day > start && day <= end) days.add(day);
    for (const { on } of this.treeChanges) if (on > start && on <= end) days.add(on);
    for (const day of [...days].sort()) {
      const before = addDays(day, -1);
      for (const person of this.people) {
        const [was, is] = [this.periodAt(person, before), this.periodAt(person, day)];
        const wasIn = !!was && inScope(was.org, before);
        const isIn = !!is && inScope(is.org, day);
        if (!wasIn && isIn) out.push({ kind: was ? 'transferred_in' : 'admitted', person, day });
        if (wasIn && !isIn) out.push({ kind: is ? 'transferred_out' : (person.exits[day] ?? 'other'), person, day });
      }
    }
    return out;
  }

  headcountOf(org: string, d: string): Headcount | undefined {
    return this.headcounts
      .filter((h) => h.org === org && h.asOf <= d)
      .sort((a, b) => a.asOf.localeCompare(b.asOf))
      .at(-1);
  }

  officersOn(d: string, where: (o: Officer) => boolean): Officer[] {
    return this.officers.filter((o) => o.electedOn <= d && (!o.endedOn || o.endedOn > d) && where(o));
  }

  /** An agreement is in force on d when d falls within its term (an expired record still covers its term). */
  agreementActive(org: string, d: string): boolean {
    const a = this.agreements.get(org);
    return (
      !!a && (a.status === 'active' || a.status === 'expired') && !!a.validFrom && a.validFrom <= d && a.validTo! >= d
    );
  }
}

/** The primary form a ППО files: chosen in its passport (build.ts records it). */
export function primaryFormsOf(o: OrgModel): string[] {
  return [o.form!];
}

/** Full years of age on a date. */
export function age(birth: string, on: string): number {
  const [by, bm, bd] = birth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = on.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}
