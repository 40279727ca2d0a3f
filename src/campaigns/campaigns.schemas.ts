import { z } from 'zod';
import { OFFICER_POSTS, type OfficerPost } from '../registry/officer-posts';
import { LEVELS, type Level } from '../registry/levels';
import { officerPersonSchema } from '../registry/passport.schemas';
import { idInput, optionalDate, optionalText, requiredDate, requiredString } from '../shared/fields';

/** The levels whose organizations elect a chair at a report-and-election meeting or conference. */
export const CAMPAIGN_LEVELS = ['regional', 'okrug', 'territorial', 'primary', 'subdivision'] as const;
export type CampaignLevel = (typeof CAMPAIGN_LEVELS)[number];

/** Who declares a campaign: the union (federal level) or a region, for its subtree. */
export const DECLARING_LEVELS: ReadonlySet<string> = new Set(['union', 'regional']);

/** A task's state on a date: held by then, still ahead of its deadline (or postponed date), or past it. */
export const TASK_STATES = ['held', 'scheduled', 'overdue'] as const;
export type TaskState = (typeof TASK_STATES)[number];
export const TASK_STATE_LABELS: Record<TaskState, string> = {
  held: 'проведены',
  scheduled: 'запланированы',
  overdue: 'просрочены',
};

/** The most organizations a task list shows (the page says when it is cut). */
export const TASK_LIST_LIMIT = 500;

export const BODY_KINDS = ['meeting', 'conference'] as const;
export const BODY_KIND_LABELS: Record<(typeof BODY_KINDS)[number], string> = {
  meeting: 'Собрание',
  conference: 'Конференция',
};

/** The levels below (or at) `level` that a campaign declared there may take in. */
export function levelsInScopeOf(level: Level): CampaignLevel[] {
  const at = LEVELS.indexOf(level);
  return CAMPAIGN_LEVELS.filter((l) => LEVELS.indexOf(l) >= at);
}

const deadlineKey = (level: CampaignLevel) => `deadline_${level}` as const;

/**
 * The declaration form: name, period, the levels in scope (checkboxes `levels`) and a deadline per level
 * (`deadline_primary`, …) within the period. Every problem is named at its field at once.
 */
export const campaignForm = z
  .object({
    name: requiredString('Укажите название кампании', 300),
    startsOn: requiredDate('Укажите начало кампании'),
    endsOn: requiredDate('Укажите окончание кампании'),
    levels: z
      .preprocess((v) => (v === undefined ? [] : ([] as unknown[]).concat(v)), z.array(z.string()))
      .pipe(z.array(z.enum(CAMPAIGN_LEVELS, { error: 'Выберите уровни из списка' }))),
    ...Object.fromEntries(CAMPAIGN_LEVELS.map((l) => [deadlineKey(l), optionalDate()])),
  })
  .superRefine((v, ctx) => {
    if (typeof v !== 'object' || !v) return;
    const form = v as Record<string, unknown> & { startsOn?: string; endsOn?: string; levels?: CampaignLevel[] };
    if (form.startsOn && form.endsOn && form.endsOn < form.startsOn)
      ctx.addIssue({ code: 'custom', path: ['endsOn'], message: 'Окончание не может быть раньше начала' });
    if (!form.levels?.length)
      ctx.addIssue({ code: 'custom', path: ['levels'], message: 'Выберите хотя бы один уровень организаций' });
    for (const level of form.levels ?? []) {
      const deadline = form[deadlineKey(level)] as string | null | undefined;
      if (!deadline) ctx.addIssue({ code: 'custom', path: [deadlineKey(level)], message: 'Укажите срок для уровня' });
      else if ((form.startsOn && deadline < form.startsOn) || (form.endsOn && deadline > form.endsOn))
        ctx.addIssue({ code: 'custom', path: [deadlineKey(level)], message: 'Срок должен быть в пределах кампании' });
    }
  })
  .transform((v) => {
    const form = v as Record<string, unknown>;
    return {
      name: v.name,
      startsOn: v.startsOn,
      endsOn: v.endsOn,
      deadlines: v.levels.map((level) => ({ level, deadline: form[deadlineKey(level)] as string })),
    };
  });
export type CampaignInput = z.output<typeof campaignForm>;

/** The result of a meeting or conference: when, its protocol and the chair it elected (a person, as on the passport). */
export const resultForm = officerPersonSchema.and(
  z
    .object({
      bodyKind: z.enum(BODY_KINDS, { error: 'Выберите: собрание или конференция' }),
      heldOn: requiredDate('Укажите дату проведения'),
      protocolNumber: requiredString('Укажите номер протокола', 50),
      protocolDate: requiredDate('Укажите дату протокола'),
      /** the committee's members elected with the chair: cards picked in the same search (optional) */
      committeeIds: z
        .preprocess((v) => (v === undefined || v === '' ? [] : ([] as unknown[]).concat(v)), z.array(z.string()))
        .pipe(z.array(idInput('Выберите карточки из найденных')).max(100, 'Не более 100 членов профкома')),
    })
    .refine((v) => !v.protocolDate || !v.heldOn || v.protocolDate >= v.heldOn, {
      path: ['protocolDate'],
      message: 'Протокол не может быть датирован раньше собрания',
    }),
);
export type ResultInput = z.output<typeof resultForm>;

export const postponeForm = z.object({
  reason: requiredString('Укажите причину переноса', 1000),
  postponedTo: requiredDate('Укажите новую дату'),
});
export type PostponeInput = z.output<typeof postponeForm>;

export const progressQuery = z.object({
  on: optionalDate().catch(null),
  state: z.enum(TASK_STATES).optional().catch(undefined),
  level: z.enum(CAMPAIGN_LEVELS).optional().catch(undefined),
  q: optionalText(200).catch(null),
});

/** The posts whose terms the rules set: the elected ones (staff are employed, not elected). */
export const ELECTED_POSTS: readonly OfficerPost[] = OFFICER_POSTS.filter(
  (p) => !p.startsWith('staff') && p !== 'volunteer_inspector',
);
