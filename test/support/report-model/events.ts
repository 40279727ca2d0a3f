// A random sequence of dated events — admissions, transfers (inside a territory, across territories and
// regions), exits, category changes, moves and merges of ППО — generated against the model and applied
// over HTTP through the real routes, as a user would; the model records each one as it is applied.
import type { Agent } from '../agents';
import { submitForm } from '../forms';
import { STUDENT_KINDS, randomDate, randomPerson } from './build';
import type { Category, OrgModel, PersonModel, UnionModel } from './model';
import type { Rng } from './prng';

export const EVENTS_FROM = '2025-10-02';
export const EVENTS_TO = '2026-09-30';

export interface Session {
  agent: Agent;
  csrf: string;
}
export type Event =
  | { kind: 'admit'; on: string; org: string; person: ReturnType<typeof randomPerson> }
  | { kind: 'transfer'; on: string; person: PersonModel; to: string }
  | { kind: 'exit'; on: string; person: PersonModel; reason: string }
  | { kind: 'category'; on: string; person: PersonModel; category: Category; ped: boolean; parental: boolean }
  | { kind: 'move'; on: string; org: string; to: string }
  | { kind: 'merge'; on: string; org: string; into: string };

const UNIT_LEVELS = ['primary', 'subdivision', 'group'];
const lastChange = (p: PersonModel) =>
  p.periods.reduce((a, x) => (x.to && x.to > a ? x.to : x.from > a ? x.from : a), '');
/** ППО that may move or merge: not one with territorial rights, nor a child of one. */
const plainPpo = (m: UnionModel, o: OrgModel, d: string) =>
  o.level === 'primary' && !o.rights && o.form !== '3-SP' && m.exists(o.key, d) && !m.org(m.parentOn(o.key, d)!).rights;

/** A unit of a college or university ППО: the only ones with students (so a filed report passes 06 <= 05). */
const studying = (m: UnionModel, unit: string, on: string) => STUDENT_KINDS.includes(m.org(m.ppoOf(unit, on)!).kind);

/** Picks the next event on day `on` among those the model allows then. */
function nextEvent(m: UnionModel, rng: Rng, on: string, budget: { moves: number; merges: number }): Event | null {
  const units = [...m.orgs.values()].filter((o) => UNIT_LEVELS.includes(o.level) && m.exists(o.key, on));
  const movable = m.people.filter((p) => {
    const at = m.periodAt(p, on);
    return at && !at.to && lastChange(p) < on;
  });
  const r = rng.next();
  if (r < 0.25 || !movable.length) {
    const org = rng.pick(units);
    // the admission form has no parental leave: that comes as a change of its own
    return {
      kind: 'admit',
      on,
      org: org.key,
      person: { ...randomPerson(rng, m.org(m.ppoOf(org.key, on)!).kind, m.studentsOnly(org.key, on)), parental: false },
    };
  }
  const person = rng.pick(movable);
  const at = m.periodAt(person, on)!;
  if (r < 0.55) {
    // inside the ППО's territory half the time, else anywhere in the union
    const territory = m.parentOn(m.ppoOf(at.org, on)!, on)!;
    const near = units.filter((u) => u.key !== at.org && m.inSubtree(u.key, territory, on));
    // a student moves only to a college or university (its headcount has students)
    // and only a student to a ППО of students only
    const fits = (u: OrgModel) =>
      u.key !== at.org &&
      (at.category !== 'student' || studying(m, u.key, on)) &&
      (at.category === 'student' || !m.studentsOnly(u.key, on));
    const to = rng.chance(0.5) && near.some(fits) ? rng.pick(near.filter(fits)) : rng.pick(units.filter(fits));
    return { kind: 'transfer', on, person, to: to.key };
  }
  if (r < 0.7)
    return {
      kind: 'exit',
      on,
      person,
      reason: rng.pick(['voluntary', 'expelled', 'dismissed', 'graduated', 'died', 'other']),
    };
  if (r < 0.88) {
    // a student of a ППО of students only stays a student there
    if (m.studentsOnly(at.org, on)) return null;
    const category = rng.pick(
      studying(m, at.org, on)
        ? (['working', 'working', 'student', 'pensioner', 'unemployed'] as const)
        : (['working', 'working', 'pensioner', 'unemployed'] as const),
    );
    const ped = category === 'working' && rng.chance(0.5);
    return { kind: 'category', on, person, category, ped, parental: category === 'working' && rng.chance(0.2) };
  }
  const plain = [...m.orgs.values()].filter((o) => plainPpo(m, o, on));
  if (r < 0.94 && budget.moves > 0) {
    const org = rng.pick(plain);
    const targets = [...m.orgs.values()].filter(
      (o) => (o.level === 'territorial' || o.level === 'regional') && o.key !== m.parentOn(org.key, on),
    );
    budget.moves--;
    return { kind: 'move', on, org: org.key, to: rng.pick(targets).key };
  }
  if (budget.merges > 0 && plain.length > 3) {
    // not on a day its members changed (the merge passes on the records as they stand)
    const mergeable = plain.filter(
      (o) => !m.people.some((p) => m.periodAt(p, on)?.org === o.key && lastChange(p) >= on),
    );
    if (!mergeable.length) return null;
    const org = rng.pick(mergeable);
    budget.merges--;
    const into = plain.filter((o) => o.key !== org.key && (!studying(m, org.key, on) || studying(m, o.key, on)));
    return into.length ? { kind: 'merge', on, org: org.key, into: rng.pick(into).key } : null;
  }
  return null;
}

/**
 * Applies `count` random events on random days of the events' span, in date order: each chosen against the
 * model as it stands that day, sent over HTTP, then recorded in the model.
 */
export async function runEvents(m: UnionModel, rng: Rng, count: number, s: Session): Promise<Event[]> {
  const days = Array.from({ length: count }, () => randomDate(rng, EVENTS_FROM, EVENTS_TO)).sort();
  const budget = { moves: Math.max(2, Math.round(count / 20)), merges: Math.max(1, Math.round(count / 40)) };
  const out: Event[] = [];
  for (const on of days) {
    const e = nextEvent(m, rng, on, budget);
    if (!e) continue;
    recordEvent(m, e, await applyEvent(m, s, e));
    out.push(e);
  }
  return out;
}

/** The model after the event (what the registry is expected to record). */
export function recordEvent(m: UnionModel, e: Event, memberId?: number) {
  const close = (p: PersonModel, on: string) => {
    const at = m.periodAt(p, on)!;
    at.to = on;
    return at;
  };
  switch (e.kind) {
    case 'admit':
      m.people.push({
        id: memberId ?? -1,
        surname: e.person.surname,
        sex: e.person.sex,
        birth: e.person.birth,
        exits: {},
        periods: [
          { org: e.org, category: e.person.category, ped: e.person.ped, parental: e.person.parental, from: e.on },
        ],
      });
      break;
    case 'transfer': {
      const at = close(e.person, e.on);
      e.person.periods.push({ ...at, org: e.to, from: e.on, to: undefined });
      break;
    }
    case 'exit':
      close(e.person, e.on);
      e.person.exits[e.on] = e.reason;
      break;
    case 'category': {
      const at = close(e.person, e.on);
      e.person.periods.push({ org: at.org, category: e.category, ped: e.ped, parental: e.parental, from: e.on });
      break;
    }
    case 'move':
      m.org(e.org).parents.push([e.on, e.to]);
      m.treeChanges.push({ org: e.org, on: e.on });
      break;
    case 'merge': {
      // members on the merged ППО's own record pass to the receiving one; its units are re-parented there
      for (const p of m.people) {
        const at = m.periodAt(p, e.on);
        if (at && at.org === e.org && !at.to) {
          close(p, e.on);
          p.periods.push({ ...at, to: undefined, org: e.into, from: e.on });
        }
      }
      const units = [...m.orgs.values()].filter((o) => m.parentOn(o.key, e.on) === e.org);
      const unitsWithMembers = m.people.some((p) => {
        const at = m.periodAt(p, e.on);
        return !!at && m.ppoOf(at.org, e.on) === e.org && at.org !== e.org;
      });
      m.merges.push({ org: e.org, into: e.into, on: e.on, unitsWithMembers });
      for (const o of units) o.parents.push([e.on, e.into]);
      m.org(e.org).liquidatedOn = e.on;
      m.treeChanges.push({ org: e.org, on: e.on });
      break;
    }
  }
}

const expect303 = (res: { status: number; text: string }, what: string) => {
  if (res.status !== 303)
    throw new Error(
      `${what}: answered ${res.status}\n${res.text
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .slice(0, 600)}`,
    );
  return res as unknown as { status: number; headers: Record<string, string> };
};

/** Applies the event over HTTP; an admission answers the new card's id. */
export async function applyEvent(m: UnionModel, s: Session, e: Event): Promise<number | undefined> {
  const card = (p: PersonModel) => `/members/${p.id}`;
  const post = (path: string, body: Record<string, string>) =>
    s.agent
      .post(path)
      .type('form')
      .send({ _csrf: s.csrf, ...body });
  switch (e.kind) {
    case 'admit': {
      const inpo = m.org(e.org).inpo;
      const p = e.person;
      const res = expect303(
        await submitForm(s.agent, `/orgs/${inpo}/members/new`, `/orgs/${inpo}/members`, {
          surname: p.surname,
          name: p.name,
          patronymic: '',
          sex: p.sex,
          birthDate: p.birth,
          phone: '',
          email: '',
          snils: '',
          position: '',
          professionalGroup: '',
          studyForm: '',
          studyYear: '',
          category: p.category,
          ...(p.ped ? { isPedagogical: 'on' } : {}),
          organizationInpo: inpo,
          joinedOn: e.on,
          documentNumber: '',
          documentDate: '',
          notDuplicate: 'on',
        }),
        `admission into ${e.org} on ${e.on}`,
      );
      const id = /\/members\/(\d+)/.exec(res.headers.location ?? '')?.[1];
      if (!id) throw new Error(`admission into ${e.org}: no card in ${res.headers.location}`);
      return Number(id);
    }
    case 'transfer':
      expect303(
        await submitForm(s.agent, card(e.person), `${card(e.person)}/transfer`, {
          toInpo: m.org(e.to).inpo,
          on: e.on,
          documentNumber: '',
          documentDate: '',
          reason: '',
        }),
        `transfer of ${e.person.id} to ${e.to} on ${e.on}`,
      );
      return;
    case 'exit':
      expect303(
        await submitForm(s.agent, card(e.person), `${card(e.person)}/exit`, {
          reason: e.reason,
          on: e.on,
          documentNumber: '',
          documentDate: '',
          confirmed: '1',
        }),
        `exit of ${e.person.id} on ${e.on}`,
      );
      return;
    case 'category':
      expect303(
        await submitForm(s.agent, card(e.person), `${card(e.person)}/category`, {
          category: e.category,
          ...(e.ped ? { isPedagogical: 'on' } : {}),
          ...(e.parental ? { onParentalLeave: 'on' } : {}),
          on: e.on,
          documentNumber: '',
          documentDate: '',
        }),
        `category change of ${e.person.id} on ${e.on}`,
      );
      return;
    case 'move':
      expect303(
        await post(`/orgs/${m.org(e.org).inpo}/move`, { target: m.org(e.to).inpo, on: e.on, confirm: 'yes' }),
        `move of ${e.org} to ${e.to} on ${e.on}`,
      );
      return;
    case 'merge':
      expect303(
        await post(`/orgs/${m.org(e.org).inpo}/merge`, { target: m.org(e.into).inpo, on: e.on, confirm: 'yes' }),
        `merge of ${e.org} into ${e.into} on ${e.on}`,
      );
      return;
  }
}
