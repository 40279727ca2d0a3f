import type { Knex } from 'knex';
import { PRIMARY_FORMS } from '../../registry/levels';
import type { OrgRow } from '../../registry/orgs.repo';
import type { FormDefinition } from './form-schema';

export interface FormVersion {
  id: number;
  code: string;
  version: number;
  title: string;
  definition: FormDefinition;
  status: 'draft' | 'active' | 'retired';
  uploadedAt: Date;
  activatedAt: Date | null;
}

const COLUMNS = {
  id: 'id',
  code: 'code',
  version: 'version',
  title: 'title',
  definition: 'definition',
  status: 'status',
  uploadedAt: 'uploaded_at',
  activatedAt: 'activated_at',
};

export async function findActiveForm(db: Knex, code: string): Promise<FormVersion | undefined> {
  return db('form_versions').where({ code, status: 'active' }).first(COLUMNS);
}

export async function findFormVersion(db: Knex, id: number): Promise<FormVersion | undefined> {
  return db('form_versions').where({ id }).first(COLUMNS);
}

export async function listActiveForms(db: Knex): Promise<FormVersion[]> {
  return db('form_versions').where({ status: 'active' }).orderBy('code').select(COLUMNS);
}

export async function listFormVersions(db: Knex): Promise<FormVersion[]> {
  return db('form_versions')
    .orderBy([{ column: 'code' }, { column: 'version', order: 'desc' }])
    .select(COLUMNS);
}

export async function nextVersionNumber(db: Knex, code: string): Promise<number> {
  const row = await db('form_versions').where({ code }).max<{ max: number | null }>('version as max').first();
  return Number(row?.max ?? 0) + 1;
}

/** A primary statistical form (5-СП, 4-СП, 3-СП): a ППО files the one its passport names. */
export const isPrimaryForm = (code: string) => (PRIMARY_FORMS as readonly string[]).includes(code);

/**
 * Whether a form counts only the organization's own units: a form of the primary level (5-/4-/3-СП, КДК-1)
 * of a ППО with territorial rights leaves out the child ППО it holds, each of which files its own.
 */
export const countsOwnUnits = (def: FormDefinition) =>
  def.appliesTo.levels.length > 0 && def.appliesTo.levels.every((level) => level === 'primary');

/** Whether a form is filed by organizations like this one (level, the ППО's primary form, employer kind, territorial rights). */
export function appliesTo(
  def: FormDefinition,
  org: Pick<OrgRow, 'level' | 'employerKind' | 'hasTerritorialRights' | 'primaryForm'>,
): boolean {
  const a = def.appliesTo;
  if (org.level === 'primary' && org.hasTerritorialRights && a.territorialRights) return true;
  if (isPrimaryForm(def.code)) return org.level === 'primary' && org.primaryForm === def.code;
  if (!a.levels.includes(org.level)) return false;
  return !a.employerKinds || a.employerKinds.includes(org.employerKind ?? 'other');
}

export async function insertFormVersion(
  db: Knex,
  row: { code: string; version: number; title: string; definition: unknown; uploadedBy: number },
): Promise<number> {
  const [inserted] = await db('form_versions')
    .insert({
      code: row.code,
      version: row.version,
      title: row.title,
      definition: JSON.stringify(row.definition),
      status: 'draft',
      uploaded_by: row.uploadedBy,
    })
    .returning('id');
  return inserted.id as number;
}

/** The version locked until the transaction ends (two activations of one form take turns). */
export async function lockFormVersion(trx: Knex.Transaction, id: number): Promise<FormVersion | undefined> {
  return trx('form_versions').where({ id }).forUpdate().first(COLUMNS);
}

/** The version becomes the form's active one; the one active before is retired. */
export async function activateFormVersion(trx: Knex.Transaction, form: Pick<FormVersion, 'id' | 'code'>) {
  await trx('form_versions').where({ code: form.code, status: 'active' }).update({ status: 'retired' });
  await trx('form_versions').where({ id: form.id }).update({ status: 'active', activated_at: trx.fn.now() });
}

/** One installer at a time per form code until the transaction ends (two app instances starting at once). */
export async function lockFormCode(trx: Knex.Transaction, code: string): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [`form_versions:${code}`]);
}

/** A shipped version becomes the form's active one at once; the one active before is retired. */
export async function installActiveVersion(
  trx: Knex.Transaction,
  row: { code: string; version: number; title: string; definition: unknown },
): Promise<void> {
  await trx('form_versions').where({ code: row.code, status: 'active' }).update({ status: 'retired' });
  await trx('form_versions').insert({
    code: row.code,
    version: row.version,
    title: row.title,
    definition: JSON.stringify(row.definition),
    status: 'active',
    activated_at: trx.fn.now(),
  });
}
