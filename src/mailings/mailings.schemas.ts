import { z } from 'zod';
import { targetFilterOf, type TargetFilter } from '../members/member-list-query';
import { LEVELS, type Level } from '../registry/levels';
import { OFFICER_POSTS, type OfficerPost } from '../registry/officer-posts';

export const SUBJECT_MAX = 200;
export const BODY_MAX = 20_000;

/** The activists' levels a mailing may target: every organization level below the union. */
export const ACTIVIST_LEVELS = LEVELS.filter((level) => level !== 'union');

/** A form's repeated field (checkboxes): one value is a string, several an array. */
const list = <T extends string>(values: readonly [T, ...T[]]) =>
  z.preprocess((v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(z.enum(values)));

/** The member list's filters a mailing to members may use (today's members of the subtree). */
export type MemberTarget = TargetFilter;

export type MailingTarget =
  { kind: 'members'; filter: MemberTarget } | { kind: 'activists'; posts: OfficerPost[]; levels: Level[] };

const composeFields = z.object({
  subject: z
    .string({ error: 'Введите тему письма' })
    .trim()
    .min(1, 'Введите тему письма')
    .max(SUBJECT_MAX, `Тема не длиннее ${SUBJECT_MAX} символов`),
  body: z
    .string({ error: 'Введите текст письма' })
    .trim()
    .min(1, 'Введите текст письма')
    .max(BODY_MAX, `Текст не длиннее ${BODY_MAX} символов`),
  target: z.enum(['members', 'activists'], { error: 'Выберите, кому отправить' }),
  posts: list(OFFICER_POSTS),
  levels: list(ACTIVIST_LEVELS as [Level, ...Level[]]),
  step: z.enum(['preview', 'test', 'send']).catch('preview'),
});

/** The compose form: the letter, its target, and what the button asks (preview, a test to oneself, send). */
export const composeForm = composeFields.superRefine((form, ctx) => {
  if (form.target !== 'activists') return;
  if (!form.posts.length) ctx.addIssue({ code: 'custom', path: ['posts'], message: 'Отметьте хотя бы одну должность' });
  if (!form.levels.length)
    ctx.addIssue({ code: 'custom', path: ['levels'], message: 'Отметьте хотя бы один уровень организаций' });
});
export type ComposeForm = z.output<typeof composeForm>;

/** The target a valid form names; the member filters are read as the member list reads them. */
export function targetOf(form: ComposeForm, body: unknown): MailingTarget {
  if (form.target === 'activists') return { kind: 'activists', posts: form.posts, levels: form.levels };
  return { kind: 'members', filter: targetFilterOf(body) };
}
