import { beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../support/agents';
import { loggedInAgent } from '../support/agents';
import { useTestApp } from '../support/app';
import { createOrg, createUser, unionRoot } from '../support/factories';

// The member card and the passport say under each field what goes in it and in what form; the hint is tied
// to its field (aria-describedby), so a screen reader reads it with the field.

const ctx = useTestApp();
let chair: { agent: Agent; csrf: string };
let inpo: string;

beforeAll(async () => {
  const db = ctx.database.ownerDb;
  const region = await createOrg(db, await unionRoot(db), 'regional');
  const primary = await createOrg(db, region, 'primary', { employerKind: 'school' });
  inpo = primary.inpo;
  chair = await loggedInAgent(ctx.app, await createUser(db, [{ role: 'chair', org: primary }]));
});

/** The hint text tied to the field, or undefined when the field has none. */
function hintOf(html: string, field: string): string | undefined {
  const control = html.match(new RegExp(`<(?:input|select|textarea)[^>]*id="${field}"[^>]*>`))?.[0] ?? '';
  if (!control.includes(`aria-describedby="${field}-hint`)) return undefined;
  return html.match(new RegExp(`<div id="${field}-hint"[^>]*>([^<]*)</div>`))?.[1];
}

describe('field hints', () => {
  it('when a chair opens a new member card, then the fields that need a format or a reason explain it', async () => {
    const html = (await chair.agent.get(`/orgs/${inpo}/members/new`).expect(200)).text;
    expect(hintOf(html, 'birthDate')).toContain('«До 35 лет»');
    expect(hintOf(html, 'sex')).toContain('«Женщины»');
    expect(hintOf(html, 'phone')).toContain('+7 843 123-45-67');
    expect(hintOf(html, 'email')).toMatch(/\S+@\S+/);
    expect(hintOf(html, 'studyYear')).toContain('от 1 до 7');
  });

  it('when a chair edits the passport, then its fields explain their format and use', async () => {
    const general = (await chair.agent.get(`/orgs/${inpo}/edit`).expect(200)).text;
    expect(hintOf(general, 'shortName')).toBeTruthy();
    expect(hintOf(general, 'phone')).toContain('+7 843 123-45-67');
    expect(hintOf(general, 'website')).toContain('https://');
    const headcount = (await chair.agent.get(`/orgs/${inpo}/headcount`).expect(200)).text;
    expect(hintOf(headcount, 'asOf')).toBeTruthy();
    expect(hintOf(headcount, 'employeesTotal')).toContain('по данным работодателя');
    expect(hintOf(headcount, 'employeesPedagogical')).toBeTruthy();
  });
});
