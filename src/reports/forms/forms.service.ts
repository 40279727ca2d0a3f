import type { Knex } from 'knex';
import { recordAudit, type AuditContext } from '../../audit/audit';
import { inTransaction } from '../../db/transaction';
import { ConflictError, NotFoundError } from '../../http/errors';
import { findNul, nulMessage } from '../../shared/nul';
import { formCodeLabel } from '../../shared/format';
import { jsonSyntaxMessage } from './json-syntax';
import { compileDefinition } from './compile';
import type { FormDefinition } from './form-schema';
import {
  activateFormVersion,
  findFormVersion,
  insertFormVersion,
  listFormVersions,
  lockFormVersion,
  nextVersionNumber,
} from './forms.repo';

export type UploadOutcome = { ok: true; id: number; def: FormDefinition } | { ok: false; errors: string[] };

/**
 * A federal administrator loads a new version of a form without a code change: upload → validation
 * with precise messages → preview on a chosen organization → activation. Filed reports keep theirs.
 */
export function createFormsService(db: Knex) {
  return {
    versions: () => listFormVersions(db),
    version: (id: number) => findFormVersion(db, id),

    /** A definition's text checked (JSON, compiled, the next version number) and stored as a draft. */
    async upload(ctx: AuditContext, userId: number, text: string): Promise<UploadOutcome> {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        return { ok: false, errors: [jsonSyntaxMessage(text, err as Error)] };
      }
      // a \u0000 escape is valid JSON that PostgreSQL's jsonb refuses
      const withNul = findNul(json);
      if (withNul) return { ok: false, errors: [nulMessage(withNul)] };
      const result = compileDefinition(json);
      if (!result.ok) return { ok: false, errors: result.errors };
      const def = result.form.def;
      const next = await nextVersionNumber(db, def.code);
      if (def.version !== next)
        return {
          ok: false,
          errors: [
            `version: для формы ${formCodeLabel(def.code)} следующая версия — ${next}, а в файле указана ${def.version}`,
          ],
        };
      const id = await inTransaction(db, async (trx) => {
        const inserted = await insertFormVersion(trx, {
          code: def.code,
          version: def.version,
          title: def.title,
          definition: json,
          uploadedBy: userId,
        });
        await recordAudit(trx, ctx, {
          action: 'form.uploaded',
          entity: 'form_version',
          entityId: inserted,
          newValues: { code: def.code, version: def.version },
        });
        return inserted;
      });
      return { ok: true, id, def };
    },

    /** The version becomes the form's active one: new reports are computed by it, filed ones keep theirs. */
    async activate(ctx: AuditContext, id: number) {
      return inTransaction(db, async (trx) => {
        const form = await lockFormVersion(trx, id);
        if (!form) throw new NotFoundError();
        if (form.status === 'active') throw new ConflictError('Эта версия уже действует');
        await activateFormVersion(trx, form);
        await recordAudit(trx, ctx, {
          action: 'form.activated',
          entity: 'form_version',
          entityId: id,
          newValues: { code: form.code, version: form.version },
        });
        return form;
      });
    },
  };
}
