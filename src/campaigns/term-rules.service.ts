import type { Knex } from 'knex';
import { recordAudit, type AuditContext } from '../audit/audit';
import { inTransaction } from '../db/transaction';
import { ValidationError, type FieldError } from '../http/errors';
import { LEVELS } from '../registry/levels';
import { parseInteger } from '../shared/numbers';
import { ELECTED_POSTS } from './campaigns.schemas';
import { listTermRules, lockTermRules, recomputeCurrentTerms, saveTermRule, type TermRule } from './term-rules.repo';

export const MAX_TERM_YEARS = 10;
/** The form's field of a level's post: `years_primary_chair`. */
export const ruleField = (level: string, post: string) => `years_${level}_${post}`;

/**
 * The years of every level's elected posts, as typed: a whole number of 1–10 years, or empty for a post with no
 * fixed term (every cell is sent: a missing one is an error, not an emptied rule). Every bad cell is named at once.
 */
export function readRules(body: Record<string, unknown>): { rules: TermRule[]; errors: FieldError[] } {
  const rules: TermRule[] = [];
  const errors: FieldError[] = [];
  for (const level of LEVELS)
    for (const post of ELECTED_POSTS) {
      const field = ruleField(level, post);
      const raw = body[field];
      // a cell the form did not send is no «no term»: only an emptied one is
      if (typeof raw !== 'string') {
        errors.push({ field, message: 'Укажите срок или оставьте поле пустым' });
        continue;
      }
      const text = raw.trim();
      if (!text) {
        rules.push({ level, post, years: null });
        continue;
      }
      const years = parseInteger(text);
      if (years === null || years < 1 || years > MAX_TERM_YEARS)
        errors.push({ field, message: `Срок — целое число лет от 1 до ${MAX_TERM_YEARS} или пусто` });
      else rules.push({ level, post, years });
    }
  return { rules, errors };
}

/**
 * The terms of office per level and post (the union's charter: five years), kept by the federal administrator at
 * `/admin/term-rules`. A changed rule moves the end of every current term it governs in the same transaction
 * (audited once per rule with the number of terms moved); ended terms keep theirs.
 */
export function createTermRulesService(db: Knex) {
  return {
    list: () => listTermRules(db),

    async save(ctx: AuditContext, body: Record<string, unknown>): Promise<{ changed: number; moved: number }> {
      const { rules, errors } = readRules(body);
      if (errors.length) throw new ValidationError(errors);
      return inTransaction(db, async (trx) => {
        const before = new Map((await lockTermRules(trx)).map((r) => [`${r.level}:${r.post}`, r.years]));
        let changed = 0;
        let moved = 0;
        for (const rule of rules) {
          const old = before.get(`${rule.level}:${rule.post}`) ?? null;
          if (old === rule.years) continue;
          await saveTermRule(trx, rule);
          const terms = await recomputeCurrentTerms(trx, rule.level, rule.post);
          await recordAudit(trx, ctx, {
            action: 'term_rule.changed',
            entity: 'term_rule',
            entityId: `${rule.level}:${rule.post}`,
            oldValues: { years: old },
            newValues: { years: rule.years, termsMoved: terms },
          });
          changed++;
          moved += terms;
        }
        return { changed, moved };
      });
    },
  };
}

export type TermRulesService = ReturnType<typeof createTermRulesService>;
